from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    PREVENTION_OFFICE = "prevention_office", _("疫情防控办公室")
    CDC = "cdc", _("疾病预防控制中心")
    MEDICAL = "medical", _("医疗机构")
    DEPARTMENT = "department", _("政府部门")
    TAX_OFFICE = "tax_office", _("税务机关")
    COMMUNITY_COMMITTEE = "community_committee", _("社区（村）委员会")
    ENTERPRISE = "enterprise", _("企业")
    VOLUNTEER_TEAM = "volunteer_team", _("志愿者队伍")


class Role(models.TextChoices):
    PROVINCE_OFFICER = "province_officer", _("省级工作人员")
    CITY_OFFICER = "city_officer", _("市级工作人员")
    COUNTY_OFFICER = "county_officer", _("县级工作人员")
    CDC_EPIDEMIOLOGIST = "cdc_epidemiologist", _("疾控流调人员")
    CLINICIAN = "clinician", _("临床医生")
    GRID_WORKER = "grid_worker", _("网格员")
    COMMUNITY_STAFF = "community_staff", _("社区工作人员")
    DEPARTMENT_CLERK = "department_clerk", _("部门办事人员")
    VOLUNTEER = "volunteer", _("志愿者")
    ENTERPRISE_AGENT = "enterprise_agent", _("企业经办人")
    ADMINISTRATOR = "administrator", _("系统管理员")


# Which organisation types may hold which roles; the onboarding sheet and the admin obey it.
ROLES_BY_ORGANISATION_TYPE: dict[str, frozenset[str]] = {
    OrganisationType.PREVENTION_OFFICE: frozenset(
        {Role.PROVINCE_OFFICER, Role.CITY_OFFICER, Role.COUNTY_OFFICER, Role.ADMINISTRATOR}
    ),
    OrganisationType.CDC: frozenset({Role.CDC_EPIDEMIOLOGIST, Role.ADMINISTRATOR}),
    OrganisationType.MEDICAL: frozenset({Role.CLINICIAN}),
    OrganisationType.DEPARTMENT: frozenset({Role.DEPARTMENT_CLERK, Role.ADMINISTRATOR}),
    OrganisationType.TAX_OFFICE: frozenset({Role.DEPARTMENT_CLERK}),
    OrganisationType.COMMUNITY_COMMITTEE: frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF}),
    OrganisationType.ENTERPRISE: frozenset({Role.ENTERPRISE_AGENT}),
    OrganisationType.VOLUNTEER_TEAM: frozenset({Role.VOLUNTEER}),
}

# Roles whose jurisdiction is their organisation's whole subtree and who work at a desk.
STAFF_ROLES = frozenset(Role) - {Role.VOLUNTEER, Role.ENTERPRISE_AGENT}

# Roles that may ask to see a colleague's or resident's full mobile or ID number (audited).
REVEAL_ROLES = frozenset(
    {
        Role.PROVINCE_OFFICER,
        Role.CITY_OFFICER,
        Role.COUNTY_OFFICER,
        Role.CDC_EPIDEMIOLOGIST,
        Role.COMMUNITY_STAFF,
        Role.GRID_WORKER,
        Role.ADMINISTRATOR,
    }
)
