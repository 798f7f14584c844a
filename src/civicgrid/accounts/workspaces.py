"""What each kind of user finds on their workspace page after signing in.

Each module adds its entries here as it lands; an entry without a URL name is shown as
"coming soon" so every role already sees where their work will be.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.choices import STAFF_ROLES, Role
from civicgrid.accounts.models import User


@dataclass(frozen=True)
class Section:
    title: Promise
    description: Promise
    url_name: str | None = None
    roles: frozenset[str] = frozenset()  # empty: everyone signed in
    residents: bool = False  # shown to residents

    @property
    def url(self) -> str | None:
        return reverse(self.url_name) if self.url_name else None


OFFICERS = frozenset({Role.PROVINCE_OFFICER, Role.CITY_OFFICER, Role.COUNTY_OFFICER})
HEALTH = frozenset({Role.CDC_EPIDEMIOLOGIST, Role.CLINICIAN})
COMMUNITY = frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF})

SECTIONS = [
    Section(
        _("疫情报送与统计"),
        _("每日报表填报、上报情况、审核锁定、本辖区实时统计"),
        "epidemic:home",
        OFFICERS | HEALTH | frozenset({Role.ADMINISTRATOR}),
    ),
    Section(
        _("病例、密接与传播链"),
        _("按身份证号录入病例和密切接触者，订正分类，查看传播链与个案统计"),
        "epidemic:case_list",
        OFFICERS | HEALTH,
    ),
    Section(
        _("医学观察随访清单"),
        _("今日待测体温、发热、漏检和到期解除的观察对象"),
        "epidemic:worklist",
        OFFICERS | HEALTH | COMMUNITY,
    ),
    Section(
        _("人口台账与入户摸排"),
        _("网格内住户、重点人员、上门排查记录"),
        "population_grid:household_list",
        COMMUNITY | OFFICERS,
    ),
    Section(
        _("居民登记核实"),
        _("核实居民自主登记的住户，跟进防疫调查中需关注的答卷"),
        "population_self:review",
        COMMUNITY | OFFICERS,
    ),
    Section(
        _("导出人口台账"),
        _("按管辖范围导出为 Excel，默认隐藏号码"),
        "population_exports:start",
        COMMUNITY | OFFICERS,
    ),
    Section(
        _("防疫知识发布"),
        _("撰写、发布、撤回本辖区的防疫知识文章与测验"),
        "learning:manage",
        OFFICERS | frozenset({Role.CDC_EPIDEMIOLOGIST}),
    ),
    Section(
        _("防疫知识测验完成率"),
        _("各社区居民通过知识测验的比例，图表与 Excel"),
        "learning:completion",
        OFFICERS | COMMUNITY | frozenset({Role.CDC_EPIDEMIOLOGIST}),
    ),
    Section(
        _("社区卡口与健康打卡"),
        _("卡口二维码、出入记录、家庭健康与消毒、预警核实"),
        "community:dashboard",
        COMMUNITY | OFFICERS,
    ),
    Section(
        _("代购认领"),
        _("本社区待认领的代购需求，认领、购买、送达"),
        "errands:errand_list",
        frozenset({Role.VOLUNTEER}),
    ),
    Section(
        _("代居民发布代购需求"),
        _("为独居老人、隔离居民或来电求助的居民登记代购需求"),
        "errands:errand_create",
        COMMUNITY,
    ),
    Section(
        _("志愿服务看板"),
        _("待认领、进行中、超时的需求，志愿者接单与垫付情况，导出 Excel"),
        "errands:board",
        OFFICERS | frozenset({Role.COMMUNITY_STAFF, Role.ADMINISTRATOR}),
    ),
    Section(
        _("办件队列"),
        _("受理、审查、补正材料、办结发证，按剩余工作日排序"),
        "applications:clerk_queue",
        frozenset({Role.DEPARTMENT_CLERK}),
    ),
    Section(
        _("好差评报表"),
        _("各部门满意度、评价率和差评整改进度"),
        "applications:department_report",
        OFFICERS | frozenset({Role.DEPARTMENT_CLERK}),
    ),
    Section(
        _("电子证照签发与撤销"),
        _("本部门签发的电子证照、手工签发、撤销并通知持证人"),
        "certificates:issued_list",
        frozenset({Role.DEPARTMENT_CLERK}),
    ),
    Section(
        _("远程窗口"),
        _("在线答复企业和群众的远程咨询"),
        None,
        frozenset({Role.DEPARTMENT_CLERK}),
    ),
    Section(
        _("我的办件"),
        _("投资项目审批、复工复产申报、发票增量：在线申请、补正材料、查进度、评价"),
        "applications:my_applications",
        frozenset({Role.ENTERPRISE_AGENT}),
    ),
    Section(
        _("企业电子证照"),
        _("本企业的电子证照：出示、下载、限时分享，核验与调用记录"),
        "certificates:wallet_list",
        frozenset({Role.ENTERPRISE_AGENT}),
    ),
    Section(_("政务服务事项"), _("查找事项、办事指南、网上可办率"), "catalog:home"),
    Section(
        _("导入服务事项"),
        _("从 Excel 表格新增或更新本部门的服务事项"),
        "catalog:import",
        frozenset({Role.ADMINISTRATOR, Role.DEPARTMENT_CLERK}),
    ),
    Section(
        _("办事预约管理"),
        _("今日预约与签到、各大厅负荷、爽约与申诉"),
        "appointments:office_list",
        frozenset({Role.DEPARTMENT_CLERK, Role.ADMINISTRATOR}),
    ),
    Section(
        _("办事预约"),
        _("预约到窗口办事、出示签到码"),
        "appointments:booking_list",
        frozenset({Role.ENTERPRISE_AGENT}),
    ),
    Section(_("行政区划"), _("区划代码与网格"), "regions:division_browser"),
    Section(
        _("工作人员通讯录"),
        _("本辖区各机构的工作人员与联系方式"),
        "accounts:staff_directory",
        STAFF_ROLES,
    ),
    Section(
        _("接口令牌"),
        _("为其他系统签发、吊销接口令牌"),
        "accounts:api_tokens",
        frozenset({Role.ADMINISTRATOR}),
    ),
    Section(
        _("动态口令"),
        _("绑定手机上的身份验证器，作为第二重登录验证"),
        "accounts:totp_enrol",
        OFFICERS | HEALTH | COMMUNITY | frozenset({Role.ADMINISTRATOR, Role.DEPARTMENT_CLERK}),
    ),
    Section(
        _("我的家庭"),
        _("住户登记、防疫调查、谁查看了我的数据"),
        "population_self:home",
        residents=True,
    ),
    Section(
        _("防疫知识"),
        _("防疫知识文章、知识测验和我的学习记录"),
        "learning:home",
        residents=True,
    ),
    Section(
        _("代购求助"),
        _("居家隔离时请志愿者代买菜、买药、买日用品，查看账目"),
        "errands:errand_list",
        residents=True,
    ),
    Section(
        _("社区通行与健康"),
        _("我的出入记录、家庭健康日报、消毒记录"),
        "community:me",
        residents=True,
    ),
    Section(_("政务服务"), _("查找事项、办事指南，在线办理"), "catalog:home", residents=True),
    Section(
        _("我的办件"),
        _("在线申请、补正材料、查进度、评价"),
        "applications:my_applications",
        residents=True,
    ),
    Section(
        _("我的电子证照"),
        _("出示证照二维码、下载 PDF、限时分享，查看谁核验和调用过"),
        "certificates:wallet_list",
        residents=True,
    ),
    Section(
        _("办事预约"), _("预约到窗口办事、出示签到码"), "appointments:booking_list", residents=True
    ),
]


def sections_for(user: User) -> list[Section]:
    if user.is_resident:
        return [s for s in SECTIONS if s.residents]
    if user.is_superuser:
        return [s for s in SECTIONS if not s.residents]
    roles = user.roles()
    return [s for s in SECTIONS if not s.residents and (not s.roles or s.roles & roles)]
