"""The check-your-answers rows."""

import datetime

from civicgrid.applications.formspec import SummaryRow, answer_summary, parse_definition
from civicgrid.applications.formspec.tests.forms import branching_form, documented_example
from civicgrid.core.idcard import make_id_number

ID_NUMBER = make_id_number("131128", datetime.date(1990, 1, 1), 123)


def documented_answers():
    return {
        "company": "阜城县某某新能源有限公司",
        "credit_code": "91131128MA0C123408",
        "contacts": [
            {"name": "李明", "mobile": "13812345678", "role": "legal", "id_number": ID_NUMBER},
            {"name": "王芳", "mobile": "13912345678", "role": "经办人"},
        ],
        "kind": "新建",
        "foreign": False,
        "start": "2027-03-01",
        "total": "12500.50",
        "breakdown": [],
        "plan": ["att-1", "att-2"],
    }


def test_the_summary_lists_every_shown_question_in_form_order_with_readable_answers():
    spec = parse_definition(documented_example())

    rows = answer_summary(
        spec, documented_answers(), file_names={"att-1": "建议书.pdf", "att-2": "附件.docx"}
    )

    assert rows == [
        SummaryRow("applicant", "申请单位", "单位名称", "阜城县某某新能源有限公司", "company"),
        SummaryRow(
            "applicant", "申请单位", "统一社会信用代码", "91131128MA0C123408", "credit_code"
        ),
        SummaryRow("applicant", "申请单位", "项目联系人 第 1 行：姓名", "李明", "contacts.0.name"),
        SummaryRow(
            "applicant",
            "申请单位",
            "项目联系人 第 1 行：手机号码",
            "13812345678",
            "contacts.0.mobile",
        ),
        SummaryRow(
            "applicant", "申请单位", "项目联系人 第 1 行：职责", "法定代表人", "contacts.0.role"
        ),
        SummaryRow(
            "applicant",
            "申请单位",
            "项目联系人 第 1 行：身份证号",
            ID_NUMBER,
            "contacts.0.id_number",
        ),
        SummaryRow("applicant", "申请单位", "项目联系人 第 2 行：姓名", "王芳", "contacts.1.name"),
        SummaryRow(
            "applicant",
            "申请单位",
            "项目联系人 第 2 行：手机号码",
            "13912345678",
            "contacts.1.mobile",
        ),
        SummaryRow(
            "applicant", "申请单位", "项目联系人 第 2 行：职责", "经办人", "contacts.1.role"
        ),
        SummaryRow("project", "项目情况", "建设性质", "新建", "kind"),
        SummaryRow("project", "项目情况", "是否涉及外资", "否", "foreign"),
        SummaryRow("project", "项目情况", "计划开工日期", "2027年3月1日", "start"),
        SummaryRow("project", "项目情况", "总投资", "12,500.50 万元", "total"),
        SummaryRow("project", "项目情况", "投资构成", "未填写", "breakdown"),
        SummaryRow("materials", "申请材料", "项目建议书", "建议书.pdf、附件.docx", "plan"),
        SummaryRow("materials", "申请材料", "用地证明", "未填写", "land"),
    ]


def test_a_clerk_summary_masks_id_and_mobile_numbers():
    spec = parse_definition(documented_example())

    values = {
        row.path: row.display_value for row in answer_summary(spec, documented_answers(), mask=True)
    }

    assert values["contacts.0.id_number"] == ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]
    assert values["contacts.0.mobile"] == "138****5678"


def test_files_without_known_names_are_counted():
    spec = parse_definition(documented_example())

    values = {row.path: row.display_value for row in answer_summary(spec, documented_answers())}

    assert values["plan"] == "已上传 2 个文件"


def test_hidden_branches_and_their_stale_answers_stay_out_of_the_summary():
    spec = branching_form()
    answers = {
        "kind": "upgrade",
        "total": "10.00",
        "equipment": ["import", "domestic"],
        "import_licence": "XK-1",
        "land": True,  # left from an earlier choice of 新建
        "old_address": "某地",
        "agree": True,
    }

    rows = answer_summary(spec, answers)

    assert [(row.step_key, row.label, row.display_value) for row in rows] == [
        ("basics", "建设性质", "技改"),
        ("basics", "总投资", "10.00 万元"),
        ("detail", "设备来源", "国产、进口"),
        ("detail", "进口许可证号", "XK-1"),
        ("confirm", "承诺所填内容真实", "是"),
    ]
