"""Who a signed-in resident is in the register, and what their household reported today."""

import datetime
from typing import Any

from django.db.models import CharField, Count, Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from civicgrid.community.choices import Direction
from civicgrid.community.models import HealthReport, PassRecord
from civicgrid.population.choices import PersonStatus
from civicgrid.population.models import Household, Person


def person_of_user(user: Any, people: QuerySet[Person] | None = None) -> Person | None:
    """The register's record of a resident account: by its verified ID number, else by its
    mobile when exactly one living person in the register has that number (a family sharing
    one phone is ambiguous, and then the resident is asked to declare their household).
    `people` may add to the query (see `scanning_resident`)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if people is None:
        people = Person.objects.select_related("household")
    if user.id_number_hash:
        found = people.filter(id_number_hash=user.id_number_hash).first()
        if found is not None:
            return found
    if user.mobile_hash:
        matches = list(
            people.filter(mobile_hash=user.mobile_hash, status=PersonStatus.LIVING_HERE)[:2]
        )
        if len(matches) == 1:
            return matches[0]
    return None


# Two taps of the same button within this many seconds are one pass.
DOUBLE_TAP_SECONDS = 10


def recent_taps(
    subject_key: Any, direction: str, moment: datetime.datetime
) -> QuerySet[PassRecord]:
    """Passes of `subject_key` (a value or an expression) in `direction` within
    DOUBLE_TAP_SECONDS before `moment`, latest first: a tap among them makes no new pass."""
    return PassRecord.objects.filter(
        subject_key=subject_key,
        direction=direction,
        scanned_at__gte=moment - datetime.timedelta(seconds=DOUBLE_TAP_SECONDS),
        scanned_at__lte=moment,
    ).order_by("-scanned_at")


def exits_on(person: Any, day: datetime.date) -> QuerySet[PassRecord]:
    """A person's (a pk or an expression) exits of `day`, not voided."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return PassRecord.objects.filter(
        person_id=person,
        direction=Direction.OUT,
        scanned_at__gte=start,
        scanned_at__lt=start + datetime.timedelta(days=1),
        voided_at__isnull=True,
    )


def scanning_resident(user: Any, direction: str, moment: datetime.datetime) -> Person | None:
    """`person_of_user` for a scan at the gate, with what the scan needs to know in the same
    query: `recent_tap_id` (a pass a double tap repeats), `exits_before` (today's exits so
    far), `health_today` (the household's report today: None, True for a fever, False) and
    `is_observed` (tagged for home observation). One query instead of five on the busiest
    write of the platform; the unique tap window still settles two taps racing."""
    from civicgrid.community.rules import OBSERVATION_TAG
    from civicgrid.population.models import PersonTagging

    day = timezone.localdate(moment)
    subject_key = Concat(Value("p:"), Cast(OuterRef("pk"), CharField()))
    report = HealthReport.objects.filter(household_id=OuterRef("household_id"), report_date=day)
    exits = exits_on(OuterRef("pk"), day).order_by().values("person_id")
    people = Person.objects.select_related("household").annotate(
        recent_tap_id=Subquery(recent_taps(subject_key, direction, moment).values("pk")[:1]),
        exits_before=Coalesce(Subquery(exits.annotate(n=Count("pk")).values("n")), 0),
        health_today=Subquery(report.values("has_fever")[:1]),
        is_observed=Exists(
            PersonTagging.objects.filter(person_id=OuterRef("pk"), tag=OBSERVATION_TAG)
        ),
    )
    return person_of_user(user, people)


def household_of_user(user: Any) -> Household | None:
    person = person_of_user(user)
    return person.household if person is not None else None


def users_of_household(household: Household) -> list[Any]:
    """Resident accounts of a household's living members (by ID number, else mobile)."""
    from civicgrid.accounts.models import User

    members = list(
        Person.objects.filter(household=household, status=PersonStatus.LIVING_HERE).values_list(
            "id_number_hash", "mobile_hash"
        )
    )
    id_hashes = [i for i, _m in members if i]
    mobile_hashes = [m for _i, m in members if m]
    by_id = User.objects.filter(is_active=True, is_resident=True, id_number_hash__in=id_hashes)
    by_mobile = User.objects.filter(is_active=True, is_resident=True, mobile_hash__in=mobile_hashes)
    return list((by_id | by_mobile).distinct())


def with_living_members(households: QuerySet[Household]) -> QuerySet[Household]:
    """Households where someone still lives (empty ones report nothing and need no reminder)."""
    living = Person.objects.filter(household=OuterRef("pk"), status=PersonStatus.LIVING_HERE)
    return households.filter(Exists(living))


def local_today() -> datetime.date:
    return timezone.localdate()


def health_status(household_id: int | None, day: datetime.date | None = None) -> str:
    """ "fever", "ok" or "missing" for a household's report of `day` (today by default)."""
    if household_id is None:
        return "missing"
    has_fever = (
        HealthReport.objects.filter(household_id=household_id, report_date=day or local_today())
        .values_list("has_fever", flat=True)
        .first()
    )
    return health_word(has_fever)


def health_word(has_fever: bool | None) -> str:
    """A report's `has_fever` (None: no report) as "fever", "ok" or "missing"."""
    if has_fever is None:
        return "missing"
    return "fever" if has_fever else "ok"
