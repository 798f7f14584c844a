"""Test data for the epidemic app, made through the actions like real data."""

import datetime
import itertools
from typing import Any

from civicgrid.accounts.actions import do_create_organisation, do_grant_role
from civicgrid.accounts.choices import OrganisationType as T
from civicgrid.accounts.choices import Role as R
from civicgrid.accounts.models import Organisation, User
from civicgrid.core.testing import TEST_PASSWORD, TOWNSHIP_A
from civicgrid.epidemic.choices import ElementKind, RuleKind, RuleSeverity
from civicgrid.epidemic.demo import build_form
from civicgrid.epidemic.models import ReportForm
from civicgrid.regions.models import Division

TOWNSHIP_B = "131127100000"  # a township of 景县 (county B)
ELEMENTS = (
    ("new_confirmed", "新增确诊", ElementKind.NEW, "例"),
    ("cum_confirmed", "累计确诊", ElementKind.CUMULATIVE, "例"),
    ("new_cured", "新增治愈", ElementKind.NEW, "例"),
    ("fever_visits", "发热门诊就诊", ElementKind.NEW, "人次"),
)
RULES = (
    (RuleKind.NON_NEGATIVE, None, None, RuleSeverity.BLOCK),
    (RuleKind.LESS_OR_EQUAL, "new_cured", "cum_confirmed", RuleSeverity.BLOCK),
    (RuleKind.NOT_BELOW_PREVIOUS, "cum_confirmed", None, RuleSeverity.BLOCK),
    (RuleKind.LESS_OR_EQUAL, "new_confirmed", "fever_visits", RuleSeverity.WARN),
)


def daily_form(personas: Any, *, deadline_hour: int = 10, code: str = "daily") -> ReportForm:
    """每日疫情报告 (test version): four elements, for medical units and CDCs province-wide.

    Rules: no negatives (blocking), 新增治愈 ≤ 累计确诊 (blocking), 累计确诊 never below the
    previous report (blocking), 新增确诊 ≤ 发热门诊就诊 (warning only).
    """
    types = [T.MEDICAL, T.CDC]
    return build_form(personas.admin, code, "每日疫情报告", types, deadline_hour, ELEMENTS, RULES)


def unit(name: str, code: str = TOWNSHIP_A, type: str = T.MEDICAL) -> Organisation:
    return do_create_organisation(name=name, type=type, division=Division.objects.get(code=code))


def staff(username: str, organisation: Organisation, role: str = R.CLINICIAN) -> User:
    user = User.objects.create_user(username, password=TEST_PASSWORD, full_name=username)
    do_grant_role(user=user, organisation=organisation, role=role)
    return user


def health_centre() -> tuple[Organisation, User]:
    """阜城镇卫生院 in county A with its clinician."""
    centre = unit("阜城镇卫生院")
    return centre, staff("clinician_a", centre)


def sibling_centre() -> tuple[Organisation, User]:
    """A township health centre of 景县 (county B) with its clinician."""
    centre = unit("景州镇卫生院", TOWNSHIP_B)
    return centre, staff("clinician_b", centre)


def figures(new=1, cum=10, cured=0, fever=5) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "new_confirmed": str(new),
        "cum_confirmed": str(cum),
        "new_cured": str(cured),
        "fever_visits": str(fever),
    }


def days_ago(n: int) -> datetime.date:
    from django.utils import timezone

    return timezone.localdate() - datetime.timedelta(days=n)


def submit(actor: Any, form: ReportForm, unit: Organisation, *, day: int = 0, **figures_: Any):  # type: ignore[no-untyped-def]
    """A first report of `unit`, submitted `day` days ago with `figures(**figures_)`."""
    from civicgrid.epidemic.actions import do_save_report

    return do_save_report(
        actor,
        form=form,
        unit=unit,
        date=days_ago(day),
        values=figures(**figures_),
        submit=True,
        expected_version=0,
    )


# --- line lists --------------------------------------------------------------------------------

COMMUNITY_B1 = "131127100005"  # 新城社区 of 景县 (county B)
# Wraps round: a number need only be unique within one test, and one worker makes thousands.
_sequence = itertools.cycle(range(1, 1000))


def id_number(region: str = "131128", year: int = 1985) -> str:
    """A fresh valid citizen ID number (never a real person's)."""
    from civicgrid.core.idcard import make_id_number

    return make_id_number(region, datetime.date(year, 3, 4), next(_sequence))


def new_person(**overrides: Any):  # type: ignore[no-untyped-def]
    """A PersonInput for someone not yet in the register, living in community A1."""
    from civicgrid.core.testing import COMMUNITY_A1
    from civicgrid.epidemic.line_lists import PersonInput

    fields = {"id_number": id_number(), "name": "张测试", "community": COMMUNITY_A1}
    fields.update(overrides)
    return PersonInput(**fields)


def case(personas: Any, *, status: str = "confirmed", person=None, **kwargs: Any):  # type: ignore[no-untyped-def]
    """A case entered by county A's CDC epidemiologist."""
    from civicgrid.epidemic.line_lists import do_enter_case

    return do_enter_case(personas.cdc_a, person=person or new_person(), status=status, **kwargs)


def observed_contact(personas: Any, source, *, exposed: int = 0):  # type: ignore[no-untyped-def]
    """A close contact of `source` under home observation, followed by community A1's committee."""
    from civicgrid.epidemic.line_lists import do_register_contact

    contact = do_register_contact(
        personas.cdc_a,
        person=new_person(name="李密接"),
        case=source,
        contact_type="household",
        last_exposure_date=days_ago(exposed),
        observe_at_home_with=personas.organisations["community_a1"],
    )
    return contact, contact.observations.get()
