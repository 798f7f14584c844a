"""Demo accounts for every role in the demo region (development only).

Names come from Faker (zh_CN) with a fixed seed, ID numbers from `core.idcard.make_id_number`
and mobiles from the 199 0000 xxxx block: no real person's data. `civicgrid demo` loads them
and `civicgrid serve` lists them; production refuses to start while any of them exists.
"""

import datetime
import os
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from faker import Faker

from civicgrid.accounts.actions import do_create_organisation, do_grant_role
from civicgrid.accounts.choices import OrganisationType as T
from civicgrid.accounts.choices import Role as R
from civicgrid.accounts.models import Organisation, User
from civicgrid.core.credit_code import make_credit_code
from civicgrid.core.idcard import make_id_number
from civicgrid.regions.models import Division

PASSWORD_ENV = "CIVICGRID_DEMO_PASSWORD"  # noqa: S105 - the variable's name
DEFAULT_PASSWORD = "civicgrid-demo"  # noqa: S105 - development only, refused in production

COMMUNITY = "131128100001"  # 东南关居民委员会, 阜城镇


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    type: str
    division: str
    credit_code: str = ""


@dataclass(frozen=True)
class DemoStaff:
    username: str
    organisation: str
    role: str
    jurisdiction: str | None = None  # default: the organisation's division


ORGANISATIONS = [
    DemoOrganisation("province", "河北省疫情防控办公室", T.PREVENTION_OFFICE, "130000000000"),
    DemoOrganisation("city", "衡水市疫情防控办公室", T.PREVENTION_OFFICE, "131100000000"),
    DemoOrganisation("fucheng", "阜城县疫情防控办公室", T.PREVENTION_OFFICE, "131128000000"),
    DemoOrganisation("jingxian", "景县疫情防控办公室", T.PREVENTION_OFFICE, "131127000000"),
    DemoOrganisation(
        "qhd_zone", "秦皇岛经济技术开发区疫情防控办公室", T.PREVENTION_OFFICE, "130371000000"
    ),
    DemoOrganisation("cdc", "阜城县疾病预防控制中心", T.CDC, "131128000000"),
    DemoOrganisation("clinic", "阜城镇卫生院", T.MEDICAL, "131128100000"),
    DemoOrganisation("community", "东南关居民委员会", T.COMMUNITY_COMMITTEE, COMMUNITY),
    DemoOrganisation("volunteers", "东南关社区志愿者服务队", T.VOLUNTEER_TEAM, COMMUNITY),
    DemoOrganisation("tax", "国家税务总局阜城县税务局", T.TAX_OFFICE, "131128000000"),
    DemoOrganisation("development", "阜城县发展和改革局", T.DEPARTMENT, "131128000000"),
    DemoOrganisation(
        "enterprise",
        "阜城县示范农机制造有限公司",
        T.ENTERPRISE,
        "131128000000",
        make_credit_code("9", "1", "131128", "MA0C1234"),
    ),
]

STAFF = [
    DemoStaff("hebei_officer", "province", R.PROVINCE_OFFICER),
    DemoStaff("hengshui_officer", "city", R.CITY_OFFICER),
    DemoStaff("fucheng_officer", "fucheng", R.COUNTY_OFFICER),
    DemoStaff("fucheng_admin", "fucheng", R.ADMINISTRATOR),
    DemoStaff("jingxian_officer", "jingxian", R.COUNTY_OFFICER),
    DemoStaff("qhd_officer", "qhd_zone", R.COUNTY_OFFICER),
    DemoStaff("fucheng_cdc", "cdc", R.CDC_EPIDEMIOLOGIST),
    DemoStaff("fucheng_clinician", "clinic", R.CLINICIAN),
    DemoStaff("community_staff", "community", R.COMMUNITY_STAFF),
    DemoStaff("grid_worker_1", "community", R.GRID_WORKER),
    DemoStaff("grid_worker_2", "community", R.GRID_WORKER),
    DemoStaff("volunteer_1", "volunteers", R.VOLUNTEER),
    DemoStaff("volunteer_2", "volunteers", R.VOLUNTEER),
    DemoStaff("tax_clerk", "tax", R.DEPARTMENT_CLERK),
    DemoStaff("development_clerk", "development", R.DEPARTMENT_CLERK),
    DemoStaff("enterprise_agent", "enterprise", R.ENTERPRISE_AGENT),
]
RESIDENTS = 3
USERNAMES = ["admin", *(s.username for s in STAFF)]


def demo_password() -> str:
    return os.environ.get(PASSWORD_ENV, DEFAULT_PASSWORD)


def demo_mobile(index: int) -> str:
    return f"1990000{index:04d}"


def do_load_demo_accounts() -> int:
    """Create the demo organisations and accounts that do not exist yet; returns how many users."""
    fake = Faker("zh_CN")
    fake.seed_instance(2020)
    created = 0
    with transaction.atomic():
        organisations = {}
        for spec in ORGANISATIONS:
            found = Organisation.objects.filter(name=spec.name, division_id=spec.division).first()
            organisations[spec.key] = found or do_create_organisation(
                name=spec.name,
                type=spec.type,
                division=Division.objects.get(code=spec.division),
                credit_code=spec.credit_code,
            )
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", password=demo_password(), full_name=fake.name())
            created += 1
        for index, spec in enumerate(STAFF, start=1):
            name = fake.name()
            if User.objects.filter(username=spec.username).exists():
                continue
            user = User(username=spec.username, full_name=name)
            user.set_password(demo_password())
            user.mobile = demo_mobile(index)
            user.save()
            jurisdiction = (
                Division.objects.get(code=spec.jurisdiction) if spec.jurisdiction else None
            )
            do_grant_role(
                user=user,
                organisation=organisations[spec.organisation],
                role=spec.role,
                jurisdiction=jurisdiction,
            )
            created += 1
        for number in range(1, RESIDENTS + 1):
            name = fake.name()
            mobile = demo_mobile(100 + number)
            if User.objects.filter(mobile=mobile).exists():
                continue
            born = datetime.date(1960 + 10 * number, number, 10 + number)
            user = User(username=f"resident_{number}", full_name=name, is_resident=True)
            user.set_unusable_password()
            user.mobile = mobile
            user.id_number = make_id_number(COMMUNITY, born, 100 + number)
            user.save()
            created += 1
    return created


def demo_account_lines() -> list[str]:
    """What `civicgrid serve` prints: who to sign in as, and how."""
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
    lines = [f"  工作人员（用户名 / 密码 {demo_password()}，登录页 /accounts/login/）："]
    if "admin" in users:
        lines.append(f"    {'admin':<18} 系统管理员（超级用户）")
    for spec in STAFF:
        user = users.get(spec.username)
        if user is None:
            continue
        membership = user.active_memberships[0] if user.active_memberships else None
        where = f"{membership.organisation} · {membership.get_role_display()}" if membership else ""
        lines.append(f"    {spec.username:<18} {user.full_name:<4} {where}")
    lines.append(
        f"  居民（手机号验证码登录 /accounts/login/code/，验证码打印在终端并写入 {settings.SMS_FILE_PATH}）："
    )
    for number in range(1, RESIDENTS + 1):
        lines.append(f"    {demo_mobile(100 + number)}")
    return lines


def demo_accounts_present() -> bool:
    return User.objects.filter(username__in=USERNAMES).exists()
