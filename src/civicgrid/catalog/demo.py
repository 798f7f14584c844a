"""Demo catalogue (development only): about 120 service items of 阜城县's departments, a few of
衡水市 and 河北省 and one township, with life events and search synonyms.

Names, time limits and legal bases follow the common national catalogue of such items; the
conditions and materials are written for the demo. Everything goes through the importer's
upsert (`catalog.actions.write_item_rows`), so loading twice changes nothing.

`do_load_bench_catalog(n)` repeats the county catalogue across other counties of Hebei (with
their own departments) until there are `n` items, for `bench/bench_catalog.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from civicgrid.accounts.actions import do_create_organisation
from civicgrid.accounts.choices import OrganisationType as T
from civicgrid.accounts.models import Organisation
from civicgrid.catalog.actions import write_item_rows
from civicgrid.catalog.choices import Audience, ItemKind
from civicgrid.catalog.importing import ItemRow, parse_material
from civicgrid.catalog.models import LifeEvent, ServiceItem, Synonym
from civicgrid.catalog.signals import one_bump
from civicgrid.regions.models import Division

COUNTY = "131128000000"  # 阜城县
CITY = "131100000000"  # 衡水市
PROVINCE = "130000000000"
TOWNSHIP = "131128100000"  # 阜城镇

LIFE_EVENTS = [
    # code, name, audience, description
    ("shengyu", "生育", Audience.PERSON, "生育登记、出生落户、生育津贴"),
    ("jiuye", "就业", Audience.PERSON, "求职登记、失业保险、职业资格"),
    ("hunyin", "婚姻", Audience.PERSON, "结婚、离婚登记"),
    ("zhufang", "住房", Audience.PERSON, "不动产登记、公积金、保障性住房"),
    ("tuixiu", "退休", Audience.PERSON, "退休申请、养老金领取"),
    ("yanglao", "养老", Audience.PERSON, "高龄津贴、养老服务补贴"),
    ("jiuzhu", "社会救助", Audience.PERSON, "低保、特困供养、临时救助"),
    ("houshi", "身后事", Audience.PERSON, "丧葬补助、户口注销"),
    ("kaiban", "开办企业", Audience.ENTERPRISE, "设立登记、公章刻制、发票领用"),
    ("touzi", "投资建设", Audience.ENTERPRISE, "立项、用地、规划、施工许可、竣工验收"),
    ("fugong", "复工复产", Audience.ENTERPRISE, "复工申报、稳岗返还、发票增量"),
    ("nashui", "办税缴费", Audience.ENTERPRISE, "申报纳税、发票、社保费"),
    ("zhuxiao", "企业注销", Audience.ENTERPRISE, "清税、注销登记"),
]

SYNONYMS = [
    "营业执照，执照，business licence，business license",
    "发票增量，增版增量，发票增版，增版，发票领用增量",
    "复工，复产，复工复产，开工，resume work",
    "生育，生孩子，生小孩，出生，新生儿",
    "身份证，居民身份证，身份证件，id card",
    "社保，社会保险，社会保障",
    "公积金，住房公积金",
    "环评，环境影响评价，环境影响",
    "低保，最低生活保障",
    "退休金，养老金，养老保险待遇",
    "立项，项目核准，项目备案，投资项目",
    "开办企业，企业开办，企业设立，开公司，注册公司",
    "失业金，失业保险金",
    "房产证，不动产权证书，不动产登记",
    "施工许可，施工许可证",
]


@dataclass(frozen=True)
class DemoDepartment:
    key: str  # also the item codes' department part
    name: str
    type: str
    division: str
    conditions: str


DEPARTMENTS = [
    DemoDepartment(
        "FGJ",
        "阜城县发展和改革局",
        T.DEPARTMENT,
        COUNTY,
        "项目单位为依法登记的企业或事业单位；项目符合国家产业政策和县域发展规划，申请材料齐全、符合法定形式。",
    ),
    DemoDepartment(
        "SWJ",
        "国家税务总局阜城县税务局",
        T.TAX_OFFICE,
        COUNTY,
        "纳税人已办理税务信息确认，无未办结的税务违法行为，申请材料齐全。",
    ),
    DemoDepartment(
        "SCJ",
        "阜城县市场监督管理局",
        T.DEPARTMENT,
        COUNTY,
        "申请人符合法律法规规定的条件，名称、住所、经营范围等登记事项真实合法，申请材料齐全、符合法定形式。",
    ),
    DemoDepartment(
        "RSJ",
        "阜城县人力资源和社会保障局",
        T.DEPARTMENT,
        COUNTY,
        "申请人在本县参加社会保险或办理就业登记，符合相应待遇或服务的享受条件。",
    ),
    DemoDepartment(
        "GAJ",
        "阜城县公安局",
        T.DEPARTMENT,
        COUNTY,
        "申请人户籍在本县或符合异地受理条件，提交的证明材料真实有效。",
    ),
    DemoDepartment(
        "MZJ",
        "阜城县民政局",
        T.DEPARTMENT,
        COUNTY,
        "申请人户籍或居住地在本县，家庭经济状况等符合政策规定。",
    ),
    DemoDepartment(
        "ZJJ",
        "阜城县住房和城乡建设局",
        T.DEPARTMENT,
        COUNTY,
        "建设单位已取得项目立项和规划许可等前置手续，建设资金已经落实，申请材料齐全。",
    ),
    DemoDepartment(
        "WJJ",
        "阜城县卫生健康局",
        T.DEPARTMENT,
        COUNTY,
        "申请人具备与执业或经营活动相适应的场所、设备和人员，符合卫生标准和规范。",
    ),
    DemoDepartment(
        "ZRJ",
        "阜城县自然资源和规划局",
        T.DEPARTMENT,
        COUNTY,
        "申请事项符合国土空间规划和用途管制要求，权属清楚、界址清晰，申请材料齐全。",
    ),
    DemoDepartment(
        "HBJ",
        "衡水市生态环境局阜城县分局",
        T.DEPARTMENT,
        COUNTY,
        "建设项目符合生态环境保护法律法规和相关规划，污染物排放符合国家和地方标准。",
    ),
    DemoDepartment(
        "ZXJ",
        "阜城镇人民政府",
        T.DEPARTMENT,
        TOWNSHIP,
        "申请人户籍在本镇，符合相应政策规定的条件。",
    ),
    DemoDepartment(
        "GJJ",
        "衡水市住房公积金管理中心",
        T.DEPARTMENT,
        CITY,
        "申请人在本市正常缴存住房公积金，符合提取或贷款条件。",
    ),
    DemoDepartment(
        "SRSJ",
        "衡水市人力资源和社会保障局",
        T.DEPARTMENT,
        CITY,
        "申请人或申请单位在本市参加社会保险，符合政策规定的条件。",
    ),
    DemoDepartment(
        "SHBJ",
        "衡水市生态环境局",
        T.DEPARTMENT,
        CITY,
        "排污单位已依法取得建设项目环境影响评价文件审批意见或备案，污染防治设施符合要求。",
    ),
    DemoDepartment(
        "SFGW",
        "河北省发展和改革委员会",
        T.DEPARTMENT,
        PROVINCE,
        "项目属于省级核准或审批权限，符合国家产业政策、行业准入标准和省级规划。",
    ),
    DemoDepartment(
        "SSCJ",
        "河北省市场监督管理局",
        T.DEPARTMENT,
        PROVINCE,
        "申请单位具备与所申请事项相适应的人员、设施、管理制度和技术能力。",
    ),
]

KIND_CODES = {
    "许可": (ItemKind.LICENCE, "XK"),
    "确认": (ItemKind.CONFIRMATION, "QR"),
    "给付": (ItemKind.PAYMENT, "JF"),
    "备案": (ItemKind.RECORD, "BA"),
    "服务": (ItemKind.PUBLIC_SERVICE, "GG"),
    "其他": (ItemKind.OTHER, "QT"),
}

_ID = "身份证件【电子证照:id_card】"
_LICENCE = "营业执照【电子证照:business_licence】"
_HOUSEHOLD = "居民户口簿【电子证照:household_register】"

# department | name | kind | legal limit | promised | depth | hall visits | channels |
# life events | materials | legal basis | fee (yuan, optional)
ITEMS = f"""
FGJ|企业投资项目核准|许可|20|10|4|0|网上、窗口、邮寄|投资建设|项目申请报告；{_LICENCE}；选址意见书或用地预审意见；法定代表人{_ID}|《企业投资项目核准和备案管理条例》第三条、第六条
FGJ|企业投资项目备案|备案|3|1|4|0|网上|投资建设|项目备案信息表；{_LICENCE}|《企业投资项目核准和备案管理条例》第三条、第十三条
FGJ|企业投资项目核准变更|许可|20|10|4|0|网上、窗口、邮寄|投资建设|变更申请报告；原核准文件；{_LICENCE}|《企业投资项目核准和备案管理条例》第十一条
FGJ|政府投资项目建议书审批|许可|20|10|3|1|网上、窗口|投资建设|项目建议书；申请文件；项目资金来源说明|《政府投资条例》第九条
FGJ|政府投资项目可行性研究报告审批|许可|20|12|3|1|网上、窗口|投资建设|可行性研究报告；项目建议书批复文件；节能审查意见；社会稳定风险评估报告|《政府投资条例》第九条、第十一条
FGJ|政府投资项目初步设计及概算审批|许可|20|15|3|1|网上、窗口|投资建设|初步设计文件；投资概算书；可行性研究报告批复文件|《政府投资条例》第十二条
FGJ|固定资产投资项目节能审查|许可|20|10|4|0|网上、窗口、邮寄|投资建设|节能报告；项目核准或备案文件|《固定资产投资项目节能审查办法》第五条
FGJ|企业复工复产申报|备案|3|1|4|0|网上|复工复产|复工复产申报表；疫情防控工作方案；员工健康排查登记表；防疫物资储备清单【非必需】；{_LICENCE}|县应对疫情工作领导小组关于有序推进企业复工复产的工作方案
FGJ|重点项目复工复产协调服务|服务|5|2|4|0|网上、电话|复工复产|复工协调需求表|县重点项目建设工作方案
FGJ|粮食收购企业备案|备案|5|3|4|0|网上、窗口|开办企业|粮食收购企业备案表；{_LICENCE}|《粮食流通管理条例》第九条
SWJ|增值税专用发票（增值税税控系统）最高开票限额审批|许可|20|5|4|0|网上、窗口、邮寄|办税缴费、开办企业|税务行政许可申请表；经办人{_ID}|《国务院对确需保留的行政审批项目设定行政许可的决定》附件第236项
SWJ|发票领用增量|其他|5|1|4|0|网上、窗口、邮寄|复工复产、办税缴费|发票领用增量申请表；经办人{_ID}|《中华人民共和国发票管理办法》第十五条
SWJ|发票领用|其他|5|1|4|0|网上、窗口、邮寄|开办企业、办税缴费|经办人{_ID}；发票专用章印模|《中华人民共和国发票管理办法》第十五条
SWJ|代开增值税发票|服务|1|1|4|0|网上、窗口|办税缴费|代开增值税发票缴纳税款申报单；合同或协议【非必需】|《中华人民共和国发票管理办法》第十六条
SWJ|税务信息确认|确认|1|1|4|0|网上、窗口|开办企业|{_LICENCE}；经营场所证明【非必需】|《中华人民共和国税收征收管理法》第十五条
SWJ|增值税一般纳税人登记|确认|1|1|4|0|网上、窗口|开办企业、办税缴费|增值税一般纳税人登记表|《增值税一般纳税人登记管理办法》第三条
SWJ|延期缴纳税款核准|许可|20|10|3|1|网上、窗口|复工复产、办税缴费|延期缴纳税款申请审批表；当期货币资金余额情况及所有银行存款账户对账单；应付职工工资和社会保险费支出预算|《中华人民共和国税收征收管理法》第三十一条
SWJ|延期申报核准|许可|20|10|4|0|网上、窗口|复工复产、办税缴费|延期申报申请核准表|《中华人民共和国税收征收管理法》第二十七条
SWJ|开具税收完税证明|服务|0|0|4|0|网上、窗口|办税缴费|经办人{_ID}|《税收票证管理办法》第二十五条
SWJ|个人所得税综合所得年度汇算|服务|0|0|4|0|网上、窗口、邮寄|就业|个人所得税年度自行纳税申报表|《中华人民共和国个人所得税法》第十条
SWJ|注销税务登记（清税）|确认|20|1|4|0|网上、窗口|企业注销|清税申报表；经办人{_ID}|《中华人民共和国税收征收管理法》第十六条
SWJ|单位社会保险费申报缴纳|服务|0|0|4|0|网上、窗口|办税缴费|社会保险费缴费申报表|《中华人民共和国社会保险法》第五十九条
SCJ|企业设立登记（营业执照核发）|许可|15|1|4|0|网上、窗口、邮寄|开办企业|公司登记（备案）申请书；公司章程；法定代表人及股东{_ID}；住所使用证明|《中华人民共和国市场主体登记管理条例》第三条、第十九条
SCJ|企业变更登记|许可|15|1|4|0|网上、窗口、邮寄|开办企业|变更登记申请书；股东会决议；{_LICENCE}|《中华人民共和国市场主体登记管理条例》第二十四条
SCJ|企业注销登记|许可|15|1|4|0|网上、窗口|企业注销|注销登记申请书；清算报告；清税证明【电子证照:tax_clearance】|《中华人民共和国市场主体登记管理条例》第三十一条
SCJ|企业简易注销登记|许可|15|1|4|0|网上|企业注销|简易注销全体投资人承诺书|《中华人民共和国市场主体登记管理条例》第三十三条
SCJ|个体工商户设立登记|许可|15|1|4|0|网上、窗口|开办企业、就业|个体工商户登记申请书；经营者{_ID}；经营场所证明|《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》
SCJ|营业执照遗失补领|其他|5|1|4|0|网上、窗口、邮寄|开办企业|营业执照遗失补领申请书；经办人{_ID}|《中华人民共和国市场主体登记管理条例实施细则》第六十一条
SCJ|食品经营许可|许可|20|5|4|0|网上、窗口、邮寄|开办企业|食品经营许可申请书；{_LICENCE}；与食品经营相适应的主要设备设施布局、操作流程等文件；食品安全自查、从业人员健康管理等制度|《中华人民共和国食品安全法》第三十五条
SCJ|食品生产许可|许可|20|10|3|1|网上、窗口|开办企业、投资建设|食品生产许可申请书；{_LICENCE}；食品生产主要设备、设施清单；工艺设备布局图和食品生产工艺流程图|《中华人民共和国食品安全法》第三十五条
SCJ|小餐饮登记|许可|15|5|4|0|网上、窗口|开办企业、就业|小餐饮登记申请表；经营者{_ID}；从业人员健康证明|《河北省食品小作坊小餐饮小摊点管理条例》第二十条
SCJ|药品零售企业经营许可|许可|30|15|3|1|网上、窗口|开办企业|药品经营许可证申请表；{_LICENCE}；执业药师注册证；经营场所和仓库平面布置图|《中华人民共和国药品管理法》第五十一条
SCJ|第二类医疗器械经营备案|备案|5|1|4|0|网上|开办企业、复工复产|第二类医疗器械经营备案表；{_LICENCE}；经营场所和库房证明|《医疗器械监督管理条例》第四十一条
SCJ|特种设备使用登记|许可|15|5|3|1|网上、窗口|投资建设|特种设备使用登记表；产品合格证；监督检验证书|《中华人民共和国特种设备安全法》第三十三条
SCJ|股权出质登记|确认|5|1|4|0|网上、窗口|开办企业|股权出质登记申请书；质押合同|《股权出质登记办法》第三条
SCJ|企业年度报告公示|服务|0|0|4|0|网上|办税缴费|企业年度报告|《企业信息公示暂行条例》第八条
RSJ|失业保险金申领|给付|20|5|4|0|网上、窗口|就业|失业人员{_ID}；与原单位解除或终止劳动关系的证明|《中华人民共和国社会保险法》第四十五条、第五十条
RSJ|就业登记|服务|0|0|4|0|网上、窗口|就业|{_ID}；劳动合同【非必需】|《中华人民共和国就业促进法》；《就业服务与就业管理规定》第六十二条
RSJ|就业创业证申领|服务|5|1|4|0|网上、窗口、邮寄|就业|{_ID}；近期免冠照片【非必需】|《就业服务与就业管理规定》第六十三条
RSJ|创业担保贷款申请|服务|20|10|3|1|网上、窗口|就业、开办企业|创业担保贷款申请书；{_ID}；{_LICENCE}；创业项目计划书|《创业担保贷款财政贴息资金管理办法》
RSJ|城乡居民基本养老保险参保登记|服务|0|0|4|0|网上、窗口|养老|{_ID}；{_HOUSEHOLD}|《中华人民共和国社会保险法》第二十条
RSJ|城乡居民基本养老保险待遇申领|给付|20|5|4|0|网上、窗口|退休、养老|{_ID}；{_HOUSEHOLD}；银行账户信息|《国务院关于建立统一的城乡居民基本养老保险制度的意见》
RSJ|企业职工退休申请|确认|20|10|3|1|网上、窗口|退休|退休申请表；{_ID}；人事档案【原件】|《国务院关于工人退休、退职的暂行办法》
RSJ|社会保障卡申领|服务|20|7|4|0|网上、窗口、邮寄|就业、生育|{_ID}；近期免冠照片|《中华人民共和国社会保险法》第五十八条
RSJ|社会保障卡挂失|服务|0|0|4|0|网上、窗口、电话|就业|{_ID}|《社会保障卡管理办法》
RSJ|职业技能培训补贴申领|给付|30|15|4|0|网上、窗口|就业|职业技能培训补贴申请表；职业资格证书或职业技能等级证书【电子证照:skill_certificate】；{_ID}|《职业技能提升行动方案（2019—2021年）》
RSJ|企业失业保险稳岗返还|给付|30|10|4|0|网上|复工复产|稳岗返还申请表；{_LICENCE}|《中华人民共和国社会保险法》；人力资源社会保障部关于失业保险稳岗返还的通知
RSJ|工伤认定申请|确认|60|30|3|1|网上、窗口|就业|工伤认定申请表；劳动关系证明；医疗诊断证明|《工伤保险条例》第十七条、第二十条
RSJ|劳动人事争议仲裁申请|其他|5|5|2|1|窗口、邮寄|就业|仲裁申请书；申请人{_ID}；证据材料|《中华人民共和国劳动争议调解仲裁法》第二十八条
RSJ|劳务派遣经营许可|许可|20|10|4|0|网上、窗口|开办企业|劳务派遣经营许可申请书；{_LICENCE}；经营场所使用证明；劳务派遣管理制度|《中华人民共和国劳动合同法》第五十七条
GAJ|居民身份证首次申领|确认|60|20|2|1|窗口、预约|生育|{_HOUSEHOLD}；近期免冠照片【非必需】|《中华人民共和国居民身份证法》第二条、第八条|0
GAJ|居民身份证换领|确认|60|15|2|1|窗口、预约|就业|原居民身份证【原件】；{_HOUSEHOLD}|《中华人民共和国居民身份证法》第五条、第十一条|20
GAJ|居民身份证挂失补领|确认|60|15|2|1|窗口、预约|就业|{_HOUSEHOLD}|《中华人民共和国居民身份证法》第十一条|40
GAJ|临时居民身份证办理|确认|3|0|1|1|窗口|就业|{_HOUSEHOLD}|《中华人民共和国临时居民身份证管理办法》第四条|10
GAJ|出生登记|确认|5|1|3|1|网上、窗口、预约|生育|出生医学证明【电子证照:birth_certificate，原件】；父母{_HOUSEHOLD}；父母结婚证【电子证照:marriage_certificate，非必需】|《中华人民共和国户口登记条例》第七条
GAJ|死亡户口注销|确认|5|1|4|0|网上、窗口|身后事|居民死亡医学证明（推断）书【电子证照:death_certificate】；死者{_HOUSEHOLD}|《中华人民共和国户口登记条例》第八条
GAJ|户口迁移（县内迁移）|许可|20|5|3|1|网上、窗口、预约|住房|户口迁移申请表；{_HOUSEHOLD}；合法稳定住所证明|《中华人民共和国户口登记条例》第十条
GAJ|户籍证明开具|服务|0|0|4|0|网上、窗口|就业|{_ID}|公安部关于规范户籍证明出具工作的通知
GAJ|无犯罪记录证明开具|服务|5|1|4|0|网上、窗口|就业|{_ID}；用途说明【非必需】|公安部关于印发《公安机关办理无犯罪记录证明工作规定》的通知
GAJ|旅馆业特种行业许可|许可|20|10|3|1|网上、窗口|开办企业|旅馆业特种行业许可申请表；{_LICENCE}；消防安全检查合格证明；经营场所平面图|《旅馆业治安管理办法》第四条
GAJ|公章刻制备案|备案|1|1|4|0|网上、窗口|开办企业|{_LICENCE}；法定代表人{_ID}|《国务院对确需保留的行政审批项目设定行政许可的决定》附件第37项
MZJ|内地居民结婚登记|确认|0|0|2|1|窗口、预约|婚姻|双方{_HOUSEHOLD}；双方居民身份证【电子证照:id_card，原件】；本人无配偶及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明|《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》第五条
MZJ|内地居民离婚登记|确认|30|30|2|2|窗口、预约|婚姻|双方{_HOUSEHOLD}；双方居民身份证【电子证照:id_card，原件】；结婚证【电子证照:marriage_certificate，原件】；离婚协议书|《中华人民共和国民法典》第一千零七十六条、第一千零七十七条
MZJ|婚姻登记档案查询|服务|5|1|4|0|网上、窗口|婚姻|{_ID}|《婚姻登记档案管理办法》第十七条
MZJ|最低生活保障审核确认|给付|30|15|3|1|网上、窗口|社会救助|低保申请书；家庭成员{_ID}；家庭收入和财产状况声明；{_HOUSEHOLD}|《社会救助暂行办法》第十一条
MZJ|特困人员救助供养审核确认|给付|30|20|3|1|网上、窗口|社会救助、养老|特困人员救助供养申请书；{_ID}；{_HOUSEHOLD}|《社会救助暂行办法》第十四条
MZJ|临时救助|给付|15|5|3|0|网上、窗口|社会救助|临时救助申请书；{_ID}；困难情况证明材料|《社会救助暂行办法》第四十七条
MZJ|高龄津贴申领|给付|20|10|4|0|网上、窗口|养老|{_ID}；{_HOUSEHOLD}；银行账户信息|河北省关于建立高龄津贴制度的通知
MZJ|困难残疾人生活补贴和重度残疾人护理补贴申领|给付|20|10|4|0|网上、窗口|社会救助|补贴申请表；残疾人证【电子证照:disability_certificate】|《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》
MZJ|社会团体成立登记|许可|60|30|3|1|网上、窗口|开办企业|成立登记申请书；章程草案；负责人{_ID}；住所使用证明|《社会团体登记管理条例》第三条、第十一条
MZJ|民办非企业单位成立登记|许可|60|30|3|1|网上、窗口|开办企业|成立登记申请书；章程草案；验资报告；场所使用权证明|《民办非企业单位登记管理暂行条例》第三条
MZJ|惠民殡葬补贴申领|给付|10|5|4|0|网上、窗口|身后事|居民死亡医学证明（推断）书【电子证照:death_certificate】；火化证明；经办人{_ID}|河北省惠民殡葬政策
ZJJ|建筑工程施工许可证核发|许可|7|3|4|0|网上、窗口|投资建设|建筑工程施工许可申请表；建设工程规划许可证【电子证照:planning_permit】；施工合同；建设资金已落实承诺书|《中华人民共和国建筑法》第七条、第八条
ZJJ|建设工程竣工验收备案|备案|15|5|4|0|网上、窗口|投资建设|竣工验收备案表；工程竣工验收报告；施工单位签署的工程质量保修书|《建设工程质量管理条例》第四十九条
ZJJ|建设工程消防设计审查|许可|15|10|3|0|网上、窗口|投资建设|消防设计审查申请表；消防设计文件；{_LICENCE}|《中华人民共和国消防法》第十一条
ZJJ|建设工程消防验收|许可|15|10|3|1|网上、窗口|投资建设|消防验收申请表；工程竣工验收报告；涉及消防的建设工程竣工图纸|《中华人民共和国消防法》第十三条
ZJJ|商品房预售许可|许可|10|5|3|1|网上、窗口|投资建设、住房|商品房预售许可申请表；{_LICENCE}；建设工程施工许可证；商品房预售方案|《中华人民共和国城市房地产管理法》第四十五条
ZJJ|城镇污水排入排水管网许可|许可|20|7|3|1|网上、窗口|投资建设|排水许可申请表；排水户内部排水管网、专用检测井、污水排放口位置和口径的图纸及说明|《城镇排水与污水处理条例》第二十一条
ZJJ|燃气经营许可|许可|20|10|3|1|网上、窗口|开办企业|燃气经营许可申请书；{_LICENCE}；燃气设施建设工程竣工验收文件；安全评价报告|《城镇燃气管理条例》第十五条
ZJJ|城市建筑垃圾处置核准|许可|20|5|4|0|网上、窗口|投资建设|建筑垃圾处置核准申请表；建筑垃圾处置方案；运输车辆清单|《城市建筑垃圾管理规定》第七条
ZJJ|公共租赁住房申请|给付|30|20|3|1|网上、窗口|住房|公共租赁住房申请表；家庭成员{_ID}；{_HOUSEHOLD}；收入证明|《公共租赁住房管理办法》第七条
ZJJ|物业服务企业项目备案|备案|5|1|4|0|网上|开办企业|物业服务合同；{_LICENCE}|《物业管理条例》
WJJ|医疗机构执业登记|许可|45|20|3|1|网上、窗口|开办企业|医疗机构执业登记申请书；医疗机构用房产权证明或使用证明；医疗机构建筑设计平面图；卫生技术人员名录及执业证书|《医疗机构管理条例》第十五条
WJJ|公共场所卫生许可|许可|20|5|4|0|网上、窗口|开办企业|公共场所卫生许可申请表；{_LICENCE}；卫生检测报告；从业人员健康合格证明|《公共场所卫生管理条例》第八条
WJJ|生育登记服务|服务|0|0|4|0|网上、窗口|生育|夫妻双方{_ID}；结婚证【电子证照:marriage_certificate】|《河北省人口与计划生育条例》
WJJ|计划生育家庭特别扶助金申领|给付|30|20|3|0|网上、窗口|生育、养老|特别扶助申请表；{_ID}；{_HOUSEHOLD}|全国独生子女伤残死亡家庭扶助制度
WJJ|医师执业注册|许可|20|10|4|0|网上、窗口|就业|医师执业注册申请审核表；医师资格证书【电子证照:physician_qualification】；健康体检证明|《中华人民共和国医师法》第十三条
WJJ|护士执业注册|许可|20|10|4|0|网上、窗口|就业|护士执业注册申请审核表；护士执业资格考试成绩合格证明；健康体检证明|《护士条例》第七条、第八条
WJJ|放射诊疗许可|许可|20|15|3|1|网上、窗口|开办企业|放射诊疗许可申请表；放射诊疗设备清单；放射防护检测报告|《放射诊疗管理规定》第十二条
WJJ|饮用水供水单位卫生许可|许可|20|10|3|1|网上、窗口|投资建设|供水单位卫生许可申请表；水质检测报告；涉水产品卫生许可批件|《生活饮用水卫生监督管理办法》第七条
WJJ|母婴保健技术服务执业许可|许可|20|10|3|1|网上、窗口|生育|母婴保健技术服务执业许可申请登记书；医疗机构执业许可证|《中华人民共和国母婴保健法》第三十二条
ZRJ|建设项目用地预审与选址意见书核发|许可|20|10|4|0|网上、窗口|投资建设|建设项目用地预审与选址申请表；建设项目用地预审与选址申请报告；拟建项目用地边界拐点坐标表|《中华人民共和国土地管理法》第五十二条；《中华人民共和国城乡规划法》第三十六条
ZRJ|建设用地规划许可证核发|许可|20|10|4|0|网上、窗口|投资建设|建设用地规划许可申请表；项目批准、核准或备案文件；国有土地使用权出让合同|《中华人民共和国城乡规划法》第三十七条、第三十八条
ZRJ|建设工程规划许可证核发|许可|20|10|4|0|网上、窗口|投资建设|建设工程规划许可申请表；建设工程设计方案；不动产权证书【电子证照:property_certificate】|《中华人民共和国城乡规划法》第四十条
ZRJ|乡村建设规划许可证核发|许可|20|10|3|1|网上、窗口|投资建设、住房|乡村建设规划许可申请表；村民委员会意见；建设工程设计图|《中华人民共和国城乡规划法》第四十一条
ZRJ|临时用地审批|许可|20|10|3|1|网上、窗口|投资建设|临时用地申请书；临时使用土地合同；土地复垦方案|《中华人民共和国土地管理法》第五十七条
ZRJ|不动产首次登记|确认|30|5|3|1|网上、窗口、预约|住房、投资建设|不动产登记申请书；{_ID}；土地权属来源证明；建设工程符合规划的材料；房屋已经竣工的材料|《不动产登记暂行条例》第十四条、第二十条|80
ZRJ|不动产转移登记|确认|30|5|3|1|网上、窗口、预约|住房|不动产登记申请书；{_ID}；不动产权证书【电子证照:property_certificate】；买卖合同；完税凭证|《不动产登记暂行条例》第十四条、第二十条|80
ZRJ|不动产抵押登记|确认|30|3|4|0|网上、窗口|住房|不动产登记申请书；不动产权证书【电子证照:property_certificate】；主债权合同和抵押合同|《不动产登记暂行条例》第十四条|80
ZRJ|不动产登记资料查询|服务|0|0|4|0|网上、窗口|住房|{_ID}；查询申请书|《不动产登记资料查询暂行办法》第十条
HBJ|建设项目环境影响报告书审批|许可|60|20|4|0|网上、窗口、邮寄|投资建设|建设项目环境影响报告书审批申请；环境影响报告书；公众参与说明|《中华人民共和国环境影响评价法》第二十二条
HBJ|建设项目环境影响报告表审批|许可|30|10|4|0|网上、窗口、邮寄|投资建设|建设项目环境影响报告表审批申请；环境影响报告表|《中华人民共和国环境影响评价法》第二十二条
HBJ|建设项目环境影响登记表备案|备案|0|0|4|0|网上|投资建设|建设项目环境影响登记表|《中华人民共和国环境影响评价法》第二十二条
HBJ|固定污染源排污登记|备案|0|0|4|0|网上|投资建设、复工复产|排污登记表|《排污许可管理条例》第二十四条
HBJ|建设项目竣工环境保护验收信息公开|服务|5|2|4|0|网上|投资建设|竣工环境保护验收报告|《建设项目环境保护管理条例》第十七条
ZXJ|农村宅基地审批|许可|20|15|3|1|网上、窗口|住房|农村宅基地和建房（规划许可）申请表；{_HOUSEHOLD}；村民小组会议记录|《中华人民共和国土地管理法》第六十二条
ZXJ|最低生活保障申请受理|服务|5|1|3|1|网上、窗口|社会救助|低保申请书；{_ID}；{_HOUSEHOLD}|《社会救助暂行办法》第十一条
ZXJ|高龄津贴申请受理|服务|3|1|4|0|网上、窗口|养老|{_ID}；{_HOUSEHOLD}|河北省关于建立高龄津贴制度的通知
ZXJ|农村危房改造申请|给付|30|15|3|1|网上、窗口|住房、社会救助|农村危房改造申请表；{_ID}；住房安全鉴定意见|农村危房改造补助资金管理办法
GJJ|住房公积金个人账户设立|服务|3|1|4|0|网上、窗口|就业|住房公积金汇缴变更清册；职工{_ID}|《住房公积金管理条例》第十五条
GJJ|购买自住住房提取住房公积金|给付|5|1|4|0|网上、窗口|住房|提取申请；购房合同；{_ID}|《住房公积金管理条例》第二十四条
GJJ|离休退休提取住房公积金|给付|5|1|4|0|网上、窗口|退休|提取申请；离退休证明；{_ID}|《住房公积金管理条例》第二十四条
GJJ|住房公积金个人住房贷款|给付|15|10|3|1|网上、窗口|住房|贷款申请表；借款人及配偶{_ID}；购房合同；收入证明|《住房公积金管理条例》第二十六条
SRSJ|职工基本养老保险关系转移接续|服务|45|15|4|0|网上、窗口|就业、退休|基本养老保险关系转移接续申请表；{_ID}|《城镇企业职工基本养老保险关系转移接续暂行办法》第八条
SRSJ|企业职工基本养老保险待遇核定|确认|20|10|4|0|网上、窗口|退休|养老保险待遇申领表；{_ID}；退休审批表|《中华人民共和国社会保险法》第十六条
SRSJ|人力资源服务许可|许可|20|10|4|0|网上、窗口|开办企业|人力资源服务许可申请书；{_LICENCE}；专职工作人员学历证明|《人力资源市场暂行条例》第十八条
SHBJ|排污许可证核发|许可|20|10|4|0|网上、窗口、邮寄|投资建设、复工复产|排污许可证申请表；自行监测方案；守法承诺书|《排污许可管理条例》第八条
SHBJ|危险废物转移联单备案|备案|5|1|4|0|网上|复工复产|危险废物转移联单|《危险废物转移管理办法》
SFGW|企业投资项目核准（省级权限）|许可|20|15|4|0|网上、窗口、邮寄|投资建设|项目申请报告；{_LICENCE}；选址意见书或用地预审意见；社会稳定风险评估报告|《企业投资项目核准和备案管理条例》第三条、第六条
SFGW|政府投资项目可行性研究报告审批（省级）|许可|20|15|3|0|网上、窗口|投资建设|可行性研究报告；项目建议书批复文件；节能审查意见|《政府投资条例》第九条、第十一条
SFGW|固定资产投资项目节能审查（省级）|许可|20|15|3|0|网上、窗口|投资建设|节能报告；项目核准或备案文件|《固定资产投资项目节能审查办法》第五条
SSCJ|工业产品生产许可证核发|许可|60|30|3|1|网上、窗口|开办企业、投资建设|工业产品生产许可证申请书；{_LICENCE}；产品检验报告|《中华人民共和国工业产品生产许可证管理条例》第二条
SSCJ|检验检测机构资质认定|许可|30|20|4|0|网上、窗口|开办企业|资质认定申请书；典型检测报告；质量管理体系文件|《中华人民共和国计量法》；《检验检测机构资质认定管理办法》第十条
"""

CONDITIONS = {
    "企业复工复产申报": "企业已制定疫情防控工作方案并落实防控责任人，员工健康状况已排查登记，防护物资储备满足至少七天使用。",
    "发票领用增量": "纳税人因生产经营需要，现有发票用量不能满足实际需要；纳税信用等级为 A、B 级的纳税人可网上即时办理。",
    "企业投资项目核准": "属于《政府核准的投资项目目录》范围内的企业投资项目；项目符合国家法律法规和宏观调控政策，符合发展规划、产业政策和行业准入标准。",
}
FAQ = {
    "企业投资项目核准": [
        {
            "q": "核准和备案有什么区别？",
            "a": "列入《政府核准的投资项目目录》的项目实行核准，其他企业投资项目实行备案。",
        },
        {
            "q": "可以全程网上办理吗？",
            "a": "可以。通过投资项目在线审批监管平台提交申请，核准文件可以电子证照形式送达。",
        },
    ],
    "发票领用增量": [
        {
            "q": "增版和增量有什么区别？",
            "a": "增版是提高单张发票最高开票限额，增量是增加每月领用发票的份数。",
        },
    ],
    "企业复工复产申报": [
        {
            "q": "申报后多久可以复工？",
            "a": "材料齐全的，1 个工作日内反馈；经核查符合条件即可复工。",
        },
    ],
}


def _demo_rows(departments: dict[str, Organisation], prefix: str) -> list[ItemRow]:
    events = {e.name: e for e in LifeEvent.objects.all()}
    rows = []
    sequence: dict[tuple[str, str], int] = {}
    for line in ITEMS.strip().splitlines():
        parts = line.split("|")
        key, name, kind_word, legal, promised, depth, visits, channels, names, materials = parts[
            :10
        ]
        basis = parts[10]
        fee = Decimal(parts[11]) if len(parts) > 11 else Decimal("0")
        department = departments.get(key)
        if department is None:
            continue
        kind, kind_code = KIND_CODES[kind_word]
        sequence[(key, kind_code)] = sequence.get((key, kind_code), 0) + 1
        spec = next(d for d in DEPARTMENTS if d.key == key)
        channel_set = set(channels.split("、"))
        rows.append(
            ItemRow(
                number=len(rows) + 1,
                code=f"{prefix or department.division_code[:6]}-{key}-{kind_code}-{sequence[(key, kind_code)]:03d}",
                name=name,
                kind=kind,
                department=department,
                legal_limit_days=int(legal),
                promised_limit_days=int(promised),
                legal_basis=basis,
                conditions=CONDITIONS.get(name, spec.conditions),
                fee=fee,
                fee_basis="按国家和省规定的收费标准收取" if fee else "",
                online="网上" in channel_set,
                in_person="窗口" in channel_set,
                by_appointment="预约" in channel_set,
                by_mail="邮寄" in channel_set,
                by_phone="电话" in channel_set,
                hall_visits=int(visits),
                online_depth=int(depth),
                faq=FAQ.get(name, []),
                materials=[m for m in map(parse_material, materials.split("；")) if m],
                life_events=[events[n] for n in names.split("、")],
            )
        )
    return rows


def _organisation(name: str, type: str, division: str) -> Organisation:
    found = Organisation.objects.filter(name=name, division_id=division).first()
    return found or do_create_organisation(
        name=name, type=type, division=Division.objects.get(code=division)
    )


def _load_life_events_and_synonyms() -> None:
    for position, (code, name, audience, description) in enumerate(LIFE_EVENTS):
        LifeEvent.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "audience": audience,
                "description": description,
                "position": position,
            },
        )
    if not Synonym.objects.exists():
        Synonym.objects.bulk_create([Synonym(terms=terms) for terms in SYNONYMS])


def do_load_demo_catalog() -> int:
    """Life events, synonyms, departments and items not there yet; returns how many items
    were created (0 on a second run)."""
    with transaction.atomic(), one_bump():
        _load_life_events_and_synonyms()
        departments = {d.key: _organisation(d.name, d.type, d.division) for d in DEPARTMENTS}
        created, _updated, _unchanged = write_item_rows(_demo_rows(departments, ""))
    return len(created)


def do_load_bench_catalog(total: int = 3000) -> int:
    """The demo catalogue, then copies of its county part for other Hebei counties (their
    own departments, e.g. 景县市场监督管理局) until the catalogue has `total` items.
    Returns the number of items in the catalogue."""
    do_load_demo_catalog()
    county_keys = [d for d in DEPARTMENTS if d.division == COUNTY]
    counties = Division.objects.filter(level=3).exclude(code=COUNTY).order_by("code")
    for county in counties.iterator():
        count = ServiceItem.objects.count()
        if count >= total:
            break
        with transaction.atomic(), one_bump():
            departments = {
                d.key: _organisation(d.name.replace("阜城县", county.name), d.type, county.code)
                for d in county_keys
                if "阜城县" in d.name
            }
            rows = _demo_rows(departments, county.code[:6])[: total - count]
            write_item_rows(rows)
    return ServiceItem.objects.count()
