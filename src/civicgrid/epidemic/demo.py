"""Demo daily reporting (development only): two forms and 60 days of reports in 阜城县.

The forms are designed by the demo superuser, the reporting units are the health centres of
阜城县's townships (plus the county hospital and CDC, and two units of sibling 景县), and every
report goes through `do_save_report` — submitted by the unit's clinician where the demo has one,
otherwise by the county prevention office ("a county submits"). The city has confirmed all but
the last two days, the province has locked all but the last week, and a few units have not yet
reported today, so every page has something to show. Figures are generated from a fixed seed.
"""

import datetime
import random
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from civicgrid.accounts.actions import do_create_organisation
from civicgrid.accounts.choices import OrganisationType as T
from civicgrid.accounts.models import Organisation
from civicgrid.epidemic.actions import do_confirm_reports, do_lock_day, do_save_report
from civicgrid.epidemic.choices import ElementKind as K
from civicgrid.epidemic.choices import ElementType, RuleKind, RuleSeverity
from civicgrid.epidemic.form_actions import (
    do_add_data_element,
    do_add_validation_rule,
    do_create_report_form,
)
from civicgrid.epidemic.models import ReportForm
from civicgrid.epidemic.remit import form_units
from civicgrid.regions.models import Division

PROVINCE, CITY, COUNTY, SIBLING = "130000000000", "131100000000", "131128000000", "131127000000"
DAYS = 60
LATE_TODAY = 3  # units that have not reported today yet, for the completeness page

DAILY = (
    ("new_confirmed", "新增确诊病例", K.NEW, "例"),
    ("new_suspected", "新增疑似病例", K.NEW, "例"),
    ("new_asymptomatic", "新增无症状感染者", K.NEW, "例"),
    ("new_cured", "新增治愈出院", K.NEW, "例"),
    ("new_deaths", "新增死亡", K.NEW, "例"),
    ("cum_confirmed", "累计确诊病例", K.CUMULATIVE, "例"),
    ("cum_cured", "累计治愈出院", K.CUMULATIVE, "例"),
    ("in_hospital", "现有住院病例", K.CUMULATIVE, "例"),
    ("new_contacts", "新增密切接触者", K.NEW, "人"),
    ("under_observation", "在观察密切接触者", K.CUMULATIVE, "人"),
    ("fever_visits", "发热门诊就诊人次", K.NEW, "人次"),
    ("disinfectant_kg", "消毒剂用量", K.NEW, "千克"),
)
FEVER = (
    ("visits", "门诊就诊人次", K.NEW, "人次"),
    ("fever_patients", "发热患者", K.NEW, "人"),
    ("tested", "核酸检测人数", K.NEW, "人"),
    ("referred", "转诊定点医院", K.NEW, "人"),
    ("beds_free", "空余留观床位", K.CUMULATIVE, "张"),
)
# (kind, left, right, severity)
DAILY_RULES = (
    (RuleKind.NON_NEGATIVE, None, None, RuleSeverity.BLOCK),
    (RuleKind.LESS_OR_EQUAL, "new_confirmed", "cum_confirmed", RuleSeverity.BLOCK),
    (RuleKind.LESS_OR_EQUAL, "cum_cured", "cum_confirmed", RuleSeverity.BLOCK),
    (RuleKind.LESS_OR_EQUAL, "in_hospital", "cum_confirmed", RuleSeverity.BLOCK),
    (RuleKind.NOT_BELOW_PREVIOUS, "cum_confirmed", None, RuleSeverity.BLOCK),
    (RuleKind.NOT_BELOW_PREVIOUS, "cum_cured", None, RuleSeverity.BLOCK),
    (RuleKind.LESS_OR_EQUAL, "new_confirmed", "fever_visits", RuleSeverity.WARN),
)
FEVER_RULES = (
    (RuleKind.NON_NEGATIVE, None, None, RuleSeverity.BLOCK),
    (RuleKind.LESS_OR_EQUAL, "fever_patients", "visits", RuleSeverity.BLOCK),
    (RuleKind.LESS_OR_EQUAL, "referred", "fever_patients", RuleSeverity.BLOCK),
    (RuleKind.LESS_OR_EQUAL, "tested", "visits", RuleSeverity.WARN),
)


@dataclass
class DemoEpidemic:
    reports: int = 0
    seconds: float = 0.0


def build_form(admin, code, name, types, hour, elements, rules) -> ReportForm:  # type: ignore[no-untyped-def]
    """A province-wide form with `elements` (code, name, kind, unit; 千克 is a decimal) and
    `rules` (kind, left code, right code, severity), through the designer's actions."""
    form = do_create_report_form(
        admin, code=code, name=name, division=Division.objects.get(code=PROVINCE),
        organisation_types=types, deadline_hour=hour,
    )  # fmt: skip
    made = {}
    for order, (element, label, kind, unit) in enumerate(elements, start=1):
        made[element] = do_add_data_element(
            admin, form=form, code=element, name=label, kind=kind, unit=unit, order=order,
            type=ElementType.DECIMAL if unit == "千克" else ElementType.INTEGER,
        )  # fmt: skip
    for kind, left, right, severity in rules:
        do_add_validation_rule(
            admin, form=form, kind=kind, left=made.get(left), right=made.get(right),
            severity=severity,
        )  # fmt: skip
    return form


def _units() -> None:
    """A health centre per township of 阜城县, the county hospital, two units of 景县."""
    wanted = [(f"{t.name}卫生院", t) for t in Division.objects.filter(parent_id=COUNTY)]
    wanted.append(("阜城县人民医院", Division.objects.get(code=COUNTY)))
    for township in Division.objects.filter(parent_id=SIBLING).order_by("code")[:2]:
        wanted.append((f"{township.name}卫生院", township))
    for name, division in wanted:
        if not Organisation.objects.filter(name=name, division=division).exists():
            do_create_organisation(name=name, type=T.MEDICAL, division=division)


def _prefill_from_line_lists(form: ReportForm) -> None:
    """The daily form's case figures are pre-filled from each unit's line lists."""
    from civicgrid.epidemic.choices import LineListSource as S
    from civicgrid.epidemic.definitions import mark_changed
    from civicgrid.epidemic.models import DataElement

    sources = {
        "new_confirmed": S.NEW_CONFIRMED, "new_suspected": S.NEW_SUSPECTED,
        "new_asymptomatic": S.NEW_ASYMPTOMATIC, "new_cured": S.NEW_RECOVERED,
        "new_deaths": S.NEW_DIED, "cum_confirmed": S.CUM_CONFIRMED,
        "new_contacts": S.NEW_CONTACTS, "under_observation": S.UNDER_OBSERVATION,
    }  # fmt: skip
    for code, source in sources.items():
        DataElement.objects.filter(form=form, code=code).update(line_list_source=source)
    mark_changed(form.pk)  # a queryset update sends no signal


def _curve(day: int) -> float:
    """Expected new cases per unit and day: a wave peaking three weeks in, then ebbing."""
    return 1.6 * 2.718 ** (-(((day - 20) / 9) ** 2)) + 0.05


def do_load_demo_epidemic(on_start=None, days: int = DAYS) -> DemoEpidemic:  # type: ignore[no-untyped-def]
    """Forms, units and `days` days of reports; does nothing when the demo form exists."""
    from civicgrid.epidemic.demo_line_lists import do_load_demo_line_lists

    if ReportForm.objects.filter(code="daily-epidemic").exists():
        do_load_demo_line_lists()  # a demo database from before the line lists gets them now
        return DemoEpidemic()
    if on_start:
        on_start()
    started = time.monotonic()
    User = get_user_model()
    admin = User.objects.get(username="admin")
    daily = build_form(
        admin, "daily-epidemic", "每日疫情报告", [T.MEDICAL, T.CDC], 10, DAILY, DAILY_RULES
    )
    fever = build_form(admin, "fever-clinic", "发热门诊日报", [T.MEDICAL], 12, FEVER, FEVER_RULES)
    _units()
    _prefill_from_line_lists(daily)
    officers = {
        COUNTY: User.objects.get(username="fucheng_officer"),
        SIBLING: User.objects.get(username="jingxian_officer"),
    }
    clinician = User.objects.get(username="fucheng_clinician")
    rng = random.Random(2020)  # noqa: S311 - demo figures, not secrets
    today = timezone.localdate()
    units = list(form_units(daily).filter(division_code__startswith="1311").order_by("pk"))
    fucheng = [u for u in units if u.division_code.startswith("131128")]
    late = {u.pk for u in fucheng[-LATE_TODAY:]}
    state = {u.pk: {"cum_confirmed": 0, "cum_cured": 0, "in_hospital": 0, "obs": 0} for u in units}
    count = 0
    for day in range(days):
        date = today - datetime.timedelta(days=days - 1 - day)
        for unit in units:
            if date == today and unit.pk in late:
                continue
            actor = clinician if clinician.active_memberships[0].organisation_id == unit.pk else (
                officers[COUNTY if unit.division_code.startswith("131128") else SIBLING]
            )  # fmt: skip
            # Most units report in the morning; one in eight after the deadline.
            hour = rng.choice([8, 8, 9, 9, 9, 9, 9, 14])
            moment = timezone.make_aware(
                datetime.datetime.combine(date, datetime.time(hour, rng.randrange(60)))
            )
            moment = min(moment, timezone.now())
            do_save_report(
                actor, form=daily, unit=unit, date=date, values=_daily_figures(rng, state[unit.pk], day),
                submit=True, expected_version=0, now=moment,
            )  # fmt: skip
            count += 1
            if unit.type == T.MEDICAL:
                do_save_report(
                    actor, form=fever, unit=unit, date=date, values=_fever_figures(rng, day),
                    submit=True, expected_version=0, now=moment,
                )  # fmt: skip
                count += 1
    city_officer = User.objects.get(username="hengshui_officer")
    province_officer = User.objects.get(username="hebei_officer")
    for day in range(days - 2):
        date = today - datetime.timedelta(days=days - 1 - day)
        for form in (daily, fever):
            for county in (COUNTY, SIBLING):
                do_confirm_reports(
                    city_officer, form=form, county=Division.objects.get(code=county), date=date
                )
            if day < days - 7:
                do_lock_day(province_officer, form=form, date=date)
    do_load_demo_line_lists()
    return DemoEpidemic(reports=count, seconds=time.monotonic() - started)


def _daily_figures(rng: random.Random, s: dict[str, int], day: int) -> dict[str, str]:
    new = sum(1 for _ in range(4) if rng.random() < _curve(day) / 4)
    cured = sum(1 for _ in range(s["in_hospital"]) if rng.random() < 0.08)
    s["in_hospital"] += new - cured
    s["cum_confirmed"] += new
    s["cum_cured"] += cured
    contacts = new * rng.randint(3, 9) + rng.randint(0, 2)
    s["obs"] = max(0, s["obs"] + contacts - rng.randint(0, max(1, s["obs"] // 7 + 1)))
    fever_visits = rng.randint(8, 40) + 4 * new
    return {
        "new_confirmed": str(new),
        "new_suspected": str(sum(1 for _ in range(3) if rng.random() < _curve(day) / 3)),
        "new_asymptomatic": str(int(rng.random() < _curve(day) / 5)),
        "new_cured": str(cured),
        "new_deaths": "0",
        "cum_confirmed": str(s["cum_confirmed"]),
        "cum_cured": str(s["cum_cured"]),
        "in_hospital": str(s["in_hospital"]),
        "new_contacts": str(contacts),
        "under_observation": str(s["obs"]),
        "fever_visits": str(fever_visits),
        "disinfectant_kg": f"{rng.uniform(2, 12):.2f}",
    }


def _fever_figures(rng: random.Random, day: int) -> dict[str, str]:
    visits = rng.randint(40, 160)
    fever = rng.randint(3, 12) + int(8 * _curve(day))
    return {
        "visits": str(visits),
        "fever_patients": str(fever),
        "tested": str(rng.randint(fever, fever * 3)),
        "referred": str(rng.randint(0, min(fever, 2 + int(3 * _curve(day))))),
        "beds_free": str(rng.randint(2, 10)),
    }
