"""Test personas and the access matrix every scoped page and endpoint is checked against.

Personas (names say what they may do):
- `province_officer`: Hebei prevention office; sees the whole province.
- `city_officer`: Hengshui prevention office; sees Hengshui (1311) only.
- `county_a_officer`: 阜城县 (131128) prevention office; sees 阜城县 only.
- `county_a_admin`: administrator of 阜城县's prevention office (API tokens, ...).
- `county_b_officer`: 景县 (131127), Fucheng's sibling: must see nothing of county A.
- `cdc_a`: epidemiologist at 阜城县 CDC.
- `grid_worker_a1`: grid worker of one community in 阜城镇.
- `volunteer_a`: volunteer in the same community; no jurisdiction over people's records.
- `clerk_a`: clerk of 阜城县's development and reform bureau (works that department's cases).
- `clerk_b`: clerk of 景县's development and reform bureau: must see nothing of county A.
- `enterprise_agent_a`: agent of an enterprise registered in 阜城县 (applies on its behalf).
- `resident_a`, `resident_b`: residents; no jurisdiction, only their own data.
- `admin`: superuser.

This module imports `accounts` lazily: `core` sits below `accounts` in the dependency order,
and only tests need personas.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps
from django.db import connection, models

PROVINCE = "130000000000"
CITY = "131100000000"
COUNTY_A = "131128000000"  # 阜城县
COUNTY_B = "131127000000"  # 景县
TOWNSHIP_A = "131128100000"  # 阜城镇
COMMUNITY_A1 = "131128100001"
# A made-up but valid unified social credit code (GB 32100) for the test enterprise.
ENTERPRISE_A_CREDIT_CODE = "91131128MA0EXAMP1W"
TEST_PASSWORD = "Correct-Horse-9"  # noqa: S105 - a fixed test password

PERSONAS = (
    "province_officer",
    "city_officer",
    "county_a_officer",
    "county_a_admin",
    "county_b_officer",
    "cdc_a",
    "grid_worker_a1",
    "volunteer_a",
    "clerk_a",
    "clerk_b",
    "enterprise_agent_a",
    "resident_a",
    "resident_b",
    "admin",
)


@dataclass
class Personas:
    users: dict[str, Any]
    organisations: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.users[name]
        except KeyError:
            raise AttributeError(name) from None


def create_personas() -> Personas:
    from civicgrid.accounts.actions import do_create_organisation, do_grant_role
    from civicgrid.accounts.choices import OrganisationType as T
    from civicgrid.accounts.choices import Role as R
    from civicgrid.accounts.models import User
    from civicgrid.regions.models import Division

    def division(code: str) -> Any:
        return Division.objects.get(code=code)

    orgs = {
        "province": do_create_organisation(
            name="河北省疫情防控办公室", type=T.PREVENTION_OFFICE, division=division(PROVINCE)
        ),
        "city": do_create_organisation(
            name="衡水市疫情防控办公室", type=T.PREVENTION_OFFICE, division=division(CITY)
        ),
        "county_a": do_create_organisation(
            name="阜城县疫情防控办公室", type=T.PREVENTION_OFFICE, division=division(COUNTY_A)
        ),
        "county_b": do_create_organisation(
            name="景县疫情防控办公室", type=T.PREVENTION_OFFICE, division=division(COUNTY_B)
        ),
        "cdc_a": do_create_organisation(
            name="阜城县疾病预防控制中心", type=T.CDC, division=division(COUNTY_A)
        ),
        "community_a1": do_create_organisation(
            name="示例社区居委会", type=T.COMMUNITY_COMMITTEE, division=division(COMMUNITY_A1)
        ),
        "volunteers_a1": do_create_organisation(
            name="示例社区志愿者队", type=T.VOLUNTEER_TEAM, division=division(COMMUNITY_A1)
        ),
        "department_a": do_create_organisation(
            name="阜城县发展和改革局", type=T.DEPARTMENT, division=division(COUNTY_A)
        ),
        "department_b": do_create_organisation(
            name="景县发展和改革局", type=T.DEPARTMENT, division=division(COUNTY_B)
        ),
        "enterprise_a": do_create_organisation(
            name="阜城县示例机械制造有限公司",
            type=T.ENTERPRISE,
            division=division(COUNTY_A),
            credit_code=ENTERPRISE_A_CREDIT_CODE,
        ),
    }
    roles = {
        "province_officer": ("province", R.PROVINCE_OFFICER),
        "city_officer": ("city", R.CITY_OFFICER),
        "county_a_officer": ("county_a", R.COUNTY_OFFICER),
        "county_a_admin": ("county_a", R.ADMINISTRATOR),
        "county_b_officer": ("county_b", R.COUNTY_OFFICER),
        "cdc_a": ("cdc_a", R.CDC_EPIDEMIOLOGIST),
        "grid_worker_a1": ("community_a1", R.GRID_WORKER),
        "volunteer_a": ("volunteers_a1", R.VOLUNTEER),
        "clerk_a": ("department_a", R.DEPARTMENT_CLERK),
        "clerk_b": ("department_b", R.DEPARTMENT_CLERK),
        "enterprise_agent_a": ("enterprise_a", R.ENTERPRISE_AGENT),
    }
    users = {}
    for name, (org, role) in roles.items():
        user = User.objects.create_user(name, password=TEST_PASSWORD, full_name=name)
        do_grant_role(user=user, organisation=orgs[org], role=role)
        users[name] = user
    for name in ("resident_a", "resident_b"):
        users[name] = User.objects.create_user(name, is_resident=True, full_name=name)
    users["admin"] = User.objects.create_superuser("admin", password=TEST_PASSWORD)
    return Personas(users, orgs)


LOGIN = "login"  # anonymous visitors of pages are redirected to the sign-in page
UNAUTHORIZED = 401  # anonymous API callers get 401


@dataclass(frozen=True)
class AccessCase:
    """One URL and who may reach it; every scoped page and endpoint has at least one.

    `allowed` personas expect one of `ok_status`; `denied` personas expect 403 or 404 (404
    where the object lies outside their jurisdiction, so existence is not revealed);
    anonymous visitors expect `anonymous`.
    """

    url_name: str
    allowed: tuple[str, ...]
    denied: tuple[str, ...] = ()
    args: Callable[[Personas], tuple[Any, ...]] = field(default=lambda p: ())
    method: str = "get"
    data: Callable[[Personas], dict[str, Any]] = field(default=lambda p: {})
    ok_status: tuple[int, ...] = (200,)
    anonymous: str | int = LOGIN

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.url_name}"


def access_case_modules() -> Iterator[Any]:
    """`<app>.tests.access_cases` of every CivicGrid app that has one."""
    for config in apps.get_app_configs():
        if not config.name.startswith("civicgrid."):
            continue
        try:
            yield import_module(f"{config.name}.tests.access_cases")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.tests.access_cases" and not (
                exc.name and f"{config.name}.tests".startswith(exc.name)
            ):
                raise


def all_access_cases() -> list[AccessCase]:
    return [case for module in access_case_modules() for case in getattr(module, "CASES", [])]


def all_public_urls() -> dict[str, str]:
    """URL names any visitor may open, each with the reason, declared by the app owning it."""
    public: dict[str, str] = {}
    for module in access_case_modules():
        public.update(getattr(module, "PUBLIC", {}))
    return public


@contextmanager
def throwaway_tables(*test_models: type[models.Model]) -> Iterator[None]:
    """The tables of test-only models (declared under `isolate_apps`) while the block runs;
    dropped afterwards in reverse order. For module-scoped fixtures, inside
    `django_db_blocker.unblock()`."""
    with connection.schema_editor() as editor:
        for model in test_models:
            editor.create_model(model)
    try:
        yield
    finally:
        with connection.schema_editor() as editor:
            for model in reversed(test_models):
                editor.delete_model(model)
