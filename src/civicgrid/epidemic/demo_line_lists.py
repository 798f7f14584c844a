"""Demo line lists (development only): a few transmission chains of about forty cases in
阜城县, their close contacts under home observation, arrivals from high-risk areas at one
named site, and a week of twice-daily checks with some flags (fever, missed checks, release
due today).

Cases, contacts, key persons, sites, observations, releases and today's checks go through the
actions, so the live figures, clusters and audit trail are what real use leaves behind. The
week of earlier checks (some 3,000 rows) is written in bulk with the observations' last-check
columns set as `do_record_check` would have left them: one action per row would make the
first run of the demo half a minute slower.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.choices import OrganisationType as T
from civicgrid.accounts.models import Organisation
from civicgrid.core.idcard import make_id_number
from civicgrid.epidemic.choices import CaseStatus, CheckSlot, ContactType, KeyPersonCategory
from civicgrid.epidemic.line_lists import (
    PersonInput,
    do_enter_case,
    do_record_outcome,
    do_register_contact,
    do_register_key_person,
    find_person,
)
from civicgrid.epidemic.models import Case, MonitoringEntry, Observation
from civicgrid.epidemic.models.line_lists import slot_key
from civicgrid.epidemic.observation import (
    ObservationInput,
    do_create_site,
    do_record_check,
    do_release_observation,
    do_start_observation,
)
from civicgrid.regions.models import Division

COUNTY = "131128000000"
HOME_COMMUNITY = "131128100001"  # 东南关居民委员会: the demo's community committee
SEED = 2020
CHAINS = (9, 8, 8, 7, 6)  # cases per chain (about forty)
CONTACTS_PER_CASE = 6
ARRIVALS = 50


@dataclass
class DemoLineLists:
    cases: int = 0
    observations: int = 0
    checks: int = 0


class _People:
    """Fresh demo persons (Faker names, made-up valid IDs born in the 1930s–2000s)."""

    def __init__(self, rng: random.Random, communities: list[Division]) -> None:
        from faker import Faker

        self.rng, self.communities, self.n = rng, communities, 0
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(SEED)

    def next(self, community: str | None = None) -> PersonInput:
        while True:
            self.n += 1
            born = datetime.date(1935, 1, 1) + datetime.timedelta(days=self.rng.randrange(25000))
            number = make_id_number(COUNTY, born, 700 + self.n % 290)
            if find_person(number) is None:
                break
        place = community or self.rng.choice(self.communities).code
        return PersonInput(id_number=number, name=self.fake.name(), community=place,
                           address=f"{self.rng.randrange(1, 30)}号")  # fmt: skip


def do_load_demo_line_lists() -> DemoLineLists:
    """Load the demo line lists once (nothing when demo cases exist)."""
    if Case.objects.filter(division_code__startswith="131128").exists():
        return DemoLineLists()
    User = get_user_model()
    cdc = User.objects.get(username="fucheng_cdc")
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    today = timezone.localdate()
    communities = list(
        Division.objects.filter(code__startswith="131128", level=5).order_by("code")[:40]
    )
    people = _People(rng, communities)
    committee = Organisation.objects.get(name="东南关居民委员会")
    hospital = Organisation.objects.filter(name="阜城县人民医院").first() or committee
    centres = {
        o.division_code[:9]: o
        for o in Organisation.objects.filter(type=T.MEDICAL, division_code__startswith="131128")
    }

    def team_for(code: str) -> Organisation:
        return committee if code == HOME_COMMUNITY else centres.get(code[:9], hospital)

    result = DemoLineLists()
    with transaction.atomic():
        cases: list[Case] = []
        for number, size in enumerate(CHAINS):
            start = today - datetime.timedelta(days=14 - number)
            root = do_enter_case(cdc, person=people.next(HOME_COMMUNITY), status=CaseStatus.CONFIRMED,
                                 report_date=start, onset_date=start - datetime.timedelta(days=2),
                                 diagnosis_date=start, hospital=hospital if hospital.type == T.MEDICAL else None,
                                 severity="moderate")  # fmt: skip
            chain = [root]
            for k in range(1, size):
                day = min(start + datetime.timedelta(days=1 + k), today)
                status = rng.choice(
                    [CaseStatus.CONFIRMED] * 4 + [CaseStatus.SUSPECTED, CaseStatus.ASYMPTOMATIC]
                )
                source = chain[rng.randrange(max(1, len(chain) - 2), len(chain))] if k > 2 else root
                chain.append(do_enter_case(cdc, person=people.next(), status=status, report_date=day,
                                           source_cases=[source], contact_type=ContactType.HOUSEHOLD,
                                           last_exposure_date=day - datetime.timedelta(days=2)))  # fmt: skip
            cases.extend(chain)
        for case in cases[::4]:
            if (
                case.status == CaseStatus.CONFIRMED
                and case.report_date <= today - datetime.timedelta(days=8)
            ):
                do_record_outcome(
                    cdc, case=case, outcome="recovered", on_date=today - datetime.timedelta(days=1)
                )
        observations = []
        for case in cases:
            for _ in range(CONTACTS_PER_CASE + rng.randrange(-1, 2)):
                exposure = max(case.report_date - datetime.timedelta(days=rng.randrange(0, 3)),
                               today - datetime.timedelta(days=13))  # fmt: skip
                given = people.next(HOME_COMMUNITY if rng.random() < 0.5 else None)
                contact = do_register_contact(cdc, person=given, case=case, last_exposure_date=exposure,
                                              contact_type=rng.choice(ContactType.values))  # fmt: skip
                person = find_person(given.id_number)
                observations.append(do_start_observation(cdc, ObservationInput(
                    person=person, place="home", team=team_for(person.division_code),
                    start_date=min(exposure + datetime.timedelta(days=1), today),
                    last_exposure_date=exposure, contact=contact)))  # fmt: skip
        site = do_create_site(cdc, name="阜城县集中隔离医学观察点（示例宾馆）", division_code="131128100000",
                              capacity=80, address="阜城镇示例路 1 号")  # fmt: skip
        for _ in range(ARRIVALS):
            arrival = today - datetime.timedelta(days=rng.randrange(0, 9))
            given = people.next()
            key = do_register_key_person(cdc, person=given, category=KeyPersonCategory.HIGH_RISK_ARRIVAL,
                                         arrival_date=arrival, origin=rng.choice(["某市某区", "某省某市"]),
                                         transport=rng.choice(["G1234 次列车", "自驾", "长途客车"]))  # fmt: skip
            observations.append(do_start_observation(cdc, ObservationInput(
                person=find_person(given.id_number), place="site", site=site, team=hospital,
                start_date=arrival, key_person=key)))  # fmt: skip
        result.checks = _history(rng, observations, today)
        result.checks += _today(cdc, rng, observations, today)
        due = [o for o in observations if o.planned_end_date < today][:5]
        for observation in due:
            do_release_observation(cdc, observation=observation, on_date=today)
    result.cases = len(cases)
    result.observations = len(observations)
    return result


def _history(rng: random.Random, observations: list[Observation], today: datetime.date) -> int:
    """Checks from each observation's start to yesterday: most slots, a few missed, a few fevers."""
    entries, moment = [], timezone.now()
    last: dict[int, tuple[int, object, bool, int]] = {}
    for obs in observations:
        day, checks = obs.start_date, 0
        while day < today:
            for slot in (CheckSlot.MORNING, CheckSlot.EVENING):
                if rng.random() < 0.04:  # missed
                    continue
                temperature = round(rng.uniform(36.0, 37.0), 1) if rng.random() > 0.02 else 37.6
                entries.append(MonitoringEntry(
                    observation=obs, division_code=obs.division_code, date=day, slot=slot,
                    temperature=temperature, recorded_at=moment,
                ))  # fmt: skip
                checks += 1
                last[obs.pk] = (slot_key(day, slot), temperature, temperature >= 37.3, checks)
            day += datetime.timedelta(days=1)
    MonitoringEntry.objects.bulk_create(entries, batch_size=1000)
    updates = []
    for obs in observations:
        if obs.pk in last:
            key, temperature, fever, checks = last[obs.pk]
            obs.last_slot, obs.last_temperature, obs.fever, obs.checks = (
                key,
                temperature,
                fever,
                checks,
            )
            obs.last_check_at = moment
            updates.append(obs)
    Observation.objects.bulk_update(
        updates,
        ["last_slot", "last_temperature", "fever", "checks", "last_check_at"],
        batch_size=500,
    )
    return len(entries)


def _today(actor, rng: random.Random, observations: list[Observation], today: datetime.date) -> int:  # type: ignore[no-untyped-def]
    """Most people have had this morning's check (a few with fever); the rest are still due."""
    now = timezone.now()
    morning = datetime.datetime.combine(
        today, datetime.time(8, 30), timezone.get_default_timezone()
    )
    if now < morning:
        return 0
    done = 0
    for obs in observations[::2]:
        fever = rng.random() < 0.05
        do_record_check(actor, observation=obs, date=today, slot=CheckSlot.MORNING,
                        temperature="37.8" if fever else f"{rng.uniform(36.1, 36.9):.1f}",
                        symptoms=["咳嗽"] if fever else [], now=morning)  # fmt: skip
        done += 1
    return done
