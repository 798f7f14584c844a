"""Demo gates, alert rules, passes and household reports in 东南关 (阜城镇), through the real
actions, so that the community's dashboards and the residents' pages have something to show.

The community's staff (`community_staff`) set up three gates and the four alert rules with
their default thresholds, "no report for 2 days" switched off: the generated register's
~990 households never report, and the worker's sweep would raise an alert for each of them
(staff switch it on at /community/rules/). The demo residents (who have households in the
community once `errands.demo` has run) pass the gates a few times today, two households report
their health (one with a fever, which raises an alert for the grid worker) and one logs a
disinfection. resident_2, back from a risk area (their survey answer, `population.survey_demo`),
is placed under home observation by the county CDC first, so their exit today raises the
observation rule's alert.
Idempotent: does nothing once the community has any gate.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.choices import OrganisationType
from civicgrid.accounts.demo import COMMUNITY
from civicgrid.accounts.models import Organisation, User
from civicgrid.community import actions, tokens
from civicgrid.community.choices import RuleKind
from civicgrid.community.models import Checkpoint
from civicgrid.community.rules import DEFAULT_THRESHOLDS
from civicgrid.epidemic.choices import ObservationPlace
from civicgrid.epidemic.observation import ObservationInput, do_start_observation
from civicgrid.population.declarations import person_of
from civicgrid.population.models import Person

GATES = (
    ("东门", "主出入口，6:00–22:00 有人值守"),
    ("南门", "临街，早晚高峰开放"),
    ("西侧门", "非机动车通道"),
)
# (resident, direction, hours ago) for today's passes: resident_2 is still out.
PASSES = (
    ("resident_1", "out", 5.0), ("resident_1", "in", 4.2), ("resident_1", "out", 1.5),
    ("resident_1", "in", 0.8), ("resident_2", "out", 3.0), ("resident_3", "out", 6.0),
    ("resident_3", "in", 5.5),
)  # fmt: skip
# (resident, temperature of the resident) of today's household reports: resident_2 has none.
REPORTS = (("resident_1", "36.5"), ("resident_3", "37.9"))
OBSERVED = "resident_2"  # under home observation since two days ago


def _observe_at_home(person: Person | None) -> None:
    """Home observation of `person`, followed by the community's committee, as the county
    CDC places it (`epidemic.observation`); nothing without the demo's CDC or committee."""
    cdc = User.objects.filter(username="fucheng_cdc").first()
    committee = Organisation.objects.filter(
        type=OrganisationType.COMMUNITY_COMMITTEE, division_code=COMMUNITY
    ).first()
    if person is None or cdc is None or committee is None:
        return
    start = timezone.localdate() - datetime.timedelta(days=2)
    do_start_observation(
        cdc,
        ObservationInput(person=person, place=ObservationPlace.HOME, team=committee,
                         start_date=start),
    )  # fmt: skip


def do_load_demo_community() -> int:
    """The demo gates, rules, passes and reports; returns how many gates were created (0 when
    the community already has gates, or the demo accounts are missing)."""
    if Checkpoint.objects.filter(division_code=COMMUNITY).exists():
        return 0
    staff = User.objects.filter(username="community_staff").first()
    if staff is None:
        return 0
    residents = {u.username: u for u in User.objects.filter(username__startswith="resident_")}
    now = timezone.now()
    with transaction.atomic():
        gates = [
            actions.do_create_checkpoint(staff, division_code=COMMUNITY, name=name, note=note)
            for name, note in GATES
        ]
        for kind in RuleKind:
            actions.do_save_alert_rule(
                staff, division_code=COMMUNITY, kind=kind,
                threshold=DEFAULT_THRESHOLDS.get(kind), is_active=kind != RuleKind.NO_REPORT,
            )  # fmt: skip
        if OBSERVED in residents:
            _observe_at_home(person_of(residents[OBSERVED]))
        for index, (name, direction, hours) in enumerate(PASSES):
            user = residents.get(name)
            if user is None or person_of(user) is None:
                continue
            actions.do_scan_as_resident(
                user,
                token=tokens.poster_token(gates[index % len(gates)]),
                direction=direction,
                now=now - datetime.timedelta(hours=hours),
            )
        for name, temperature in REPORTS:
            person = person_of(residents[name]) if name in residents else None
            if person is None or person.household_id is None:
                continue
            actions.do_report_household_health(
                residents[name],
                household=person.household,
                entries=[actions.EntryInput(person.pk, temperature)],
            )
            if name == "resident_1":
                actions.do_log_disinfection(
                    residents[name],
                    household=person.household,
                    done_at=now - datetime.timedelta(hours=2),
                    area="whole_home",
                    method="chlorine",
                )
    return len(gates)
