"""The demo items' application forms and workflows, as data (see `applications.demo`)."""

from civicgrid.applications.choices import StepKind

CONTACTS = {
    "key": "contacts",
    "label": "项目联系人",
    "type": "group",
    "min_rows": 1,
    "max_rows": 5,
    "fields": [
        {"key": "name", "label": "姓名", "type": "text", "max_length": 30},
        {"key": "mobile", "label": "手机号码", "type": "mobile"},
        {
            "key": "duty",
            "label": "职责",
            "type": "choice",
            "choices": ["法定代表人", "项目负责人", "经办人"],
        },
    ],
}

INVESTMENT_FORM = {
    "version": 1,
    "title": "企业投资项目核准申请",
    "steps": [
        {
            "key": "project",
            "title": "项目基本情况",
            "items": [
                {"key": "project_name", "label": "项目名称", "type": "text", "max_length": 100},
                {
                    "key": "nature",
                    "label": "建设性质",
                    "type": "choice",
                    "choices": ["新建", "扩建", "改建", "迁建"],
                    "widget": "radio",
                },
                {
                    "key": "industry",
                    "label": "所属行业",
                    "type": "choice",
                    "choices": ["装备制造", "农产品加工", "新材料", "现代物流", "其他"],
                },
                {"key": "site", "label": "建设地点", "type": "address"},
                {"key": "scale", "label": "建设规模及内容", "type": "textarea", "max_length": 500},
                {"key": "total", "label": "总投资", "type": "decimal", "unit": "万元", "min": 0},
                {"key": "foreign", "label": "是否涉及外商投资", "type": "yesno"},
            ],
        },
        {
            "key": "foreign_investor",
            "title": "外商投资情况",
            "show_if": {"field": "foreign", "equals": True},
            "items": [
                {"key": "country", "label": "投资方国别（地区）", "type": "text"},
                {
                    "key": "foreign_share",
                    "label": "外资占比",
                    "type": "decimal",
                    "unit": "%",
                    "min": 0,
                    "max": 100,
                },
            ],
        },
        {
            "key": "land",
            "title": "用地与能耗",
            "items": [
                {
                    "key": "land_area",
                    "label": "用地面积",
                    "type": "decimal",
                    "unit": "亩",
                    "min": 0,
                },
                {"key": "new_land", "label": "是否新增建设用地", "type": "yesno"},
                {
                    "key": "land_opinion_no",
                    "label": "用地预审意见文号",
                    "type": "text",
                    "show_if": {"field": "new_land", "equals": True},
                },
                {
                    "key": "energy",
                    "label": "年综合能源消费量",
                    "type": "decimal",
                    "unit": "吨标准煤",
                    "min": 0,
                },
            ],
        },
        {"key": "contacts_step", "title": "联系人", "items": [CONTACTS]},
        {
            "key": "materials",
            "title": "申请材料",
            "items": [
                {
                    "key": "report",
                    "label": "项目申请报告",
                    "type": "file",
                    "kinds": ["pdf"],
                    "max_mb": 20,
                    "max_files": 3,
                },
                {
                    "key": "site_opinion",
                    "label": "选址意见书或用地预审意见",
                    "type": "file",
                    "kinds": ["pdf", "image"],
                    "max_mb": 10,
                },
                {
                    "key": "stability",
                    "label": "社会稳定风险评估报告",
                    "type": "file",
                    "kinds": ["pdf"],
                    "max_mb": 20,
                    "required": False,
                },
            ],
        },
    ],
}

INVESTMENT_WORKFLOW = [
    {"key": "receive", "name": "受理", "kind": StepKind.RECEIVE},
    {"key": "review", "name": "审查", "kind": StepKind.REVIEW},
    {"key": "decide", "name": "核准决定", "kind": StepKind.DECIDE},
    {
        "key": "complete",
        "name": "办结送达",
        "kind": StepKind.COMPLETE,
        "certificate_type": "investment_project_approval",
        "certificate_valid_days": 730,
        "certificate_field_map": {
            "project_name": "project_name",
            "project_code": "@number",
            "construction_site": "site",
            "construction_scale": "scale",
            "total_investment": "total",
        },
    },
]

INVOICE_FORM = {
    "version": 1,
    "title": "发票领用增量申请",
    "steps": [
        {
            "key": "invoice",
            "title": "增量申请",
            "items": [
                {
                    "key": "invoice_kind",
                    "label": "发票种类",
                    "type": "choice",
                    "choices": ["增值税专用发票", "增值税普通发票", "电子发票"],
                    "widget": "radio",
                },
                {
                    "key": "current_quantity",
                    "label": "现每月最高领用数量",
                    "type": "integer",
                    "unit": "份",
                    "min": 0,
                },
                {
                    "key": "requested_quantity",
                    "label": "申请每月最高领用数量",
                    "type": "integer",
                    "unit": "份",
                    "min": 1,
                    "max": 10000,
                },
                {
                    "key": "max_amount",
                    "label": "单份发票最高开票限额",
                    "type": "choice",
                    "choices": ["一万元", "十万元", "一百万元"],
                },
                {"key": "resumption", "label": "是否因复工复产需要", "type": "yesno"},
                {"key": "reason", "label": "申请理由", "type": "textarea", "max_length": 500},
            ],
        },
        {
            "key": "evidence",
            "title": "证明材料",
            "items": [
                {
                    "key": "contracts",
                    "label": "购销合同或订单",
                    "type": "file",
                    "kinds": ["pdf", "image"],
                    "max_mb": 10,
                    "max_files": 5,
                    "required": False,
                },
            ],
        },
    ],
}

INVOICE_WORKFLOW = [
    {"key": "receive", "name": "受理", "kind": StepKind.RECEIVE},
    {"key": "decide", "name": "核定", "kind": StepKind.DECIDE},
    {
        "key": "complete",
        "name": "办结送达",
        "kind": StepKind.COMPLETE,
        "certificate_type": "invoice_quota",
        "certificate_valid_days": 365,
        "certificate_field_map": {
            "invoice_kind": "invoice_kind",
            "monthly_quantity": "requested_quantity",
            "max_amount": "max_amount",
        },
    },
]

RESUMPTION_FORM = {
    "version": 1,
    "title": "企业复工复产申报",
    "steps": [
        {
            "key": "resumption",
            "title": "复工安排",
            "items": [
                {"key": "resumption_date", "label": "计划复工日期", "type": "date"},
                {
                    "key": "employees_total",
                    "label": "职工总数",
                    "type": "integer",
                    "unit": "人",
                    "min": 1,
                },
                {
                    "key": "employees_returning",
                    "label": "首批返岗人数",
                    "type": "integer",
                    "unit": "人",
                    "min": 1,
                },
                {"key": "from_outside", "label": "是否有外地返岗人员", "type": "yesno"},
                {
                    "key": "outside_count",
                    "label": "外地返岗人数",
                    "type": "integer",
                    "unit": "人",
                    "min": 1,
                    "show_if": {"field": "from_outside", "equals": True},
                },
                {
                    "key": "measures",
                    "label": "防控措施",
                    "type": "multichoice",
                    "choices": [
                        "体温检测",
                        "错峰上下班",
                        "分餐制",
                        "每日消毒",
                        "防护物资储备七天以上",
                    ],
                    "min_choices": 2,
                },
            ],
        },
        {
            "key": "materials",
            "title": "申报材料",
            "items": [
                {
                    "key": "plan",
                    "label": "疫情防控工作方案",
                    "type": "file",
                    "kinds": ["pdf", "docx"],
                    "max_mb": 10,
                },
                {
                    "key": "health_register",
                    "label": "员工健康排查登记表",
                    "type": "file",
                    "kinds": ["xlsx", "pdf"],
                    "max_mb": 10,
                },
            ],
        },
    ],
}

RESUMPTION_WORKFLOW = [
    {"key": "receive", "name": "受理", "kind": StepKind.RECEIVE},
    {"key": "review", "name": "现场核查", "kind": StepKind.REVIEW},
    {"key": "decide", "name": "备案决定", "kind": StepKind.DECIDE},
    {
        "key": "complete",
        "name": "出具回执",
        "kind": StepKind.COMPLETE,
        "certificate_type": "resumption_approval",
        "certificate_valid_days": 90,
        "certificate_field_map": {
            "resumption_date": "resumption_date",
            "employees_returning": "employees_returning",
            "prevention_measures": "measures",
        },
    },
]

# Demo item name (at 阜城县) → (form, workflow). Items are found by name and division: the
# catalogue derives codes from its rows' order, names are what the catalogue promises.
DEMO_ITEMS = {
    "企业投资项目核准": (INVESTMENT_FORM, INVESTMENT_WORKFLOW),
    "发票领用增量": (INVOICE_FORM, INVOICE_WORKFLOW),
    "企业复工复产申报": (RESUMPTION_FORM, RESUMPTION_WORKFLOW),
}
