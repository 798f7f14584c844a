"""The figures of the dashboards: a resident's own, every resident's for the staff, a
community's, and an area's side by side.

Every query starts from `visible_to(principal)` (a grid worker's community dashboard shows
their grids only) and stays within today's or this week's rows through the
(division_code, scanned_at) and (person, scanned_at) indexes, so 30 days of passes in the
table cost nothing extra.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, ExtractHour, Substr
from django.utils import timezone

from civicgrid.community.choices import AlertStatus, Direction, PassKind
from civicgrid.community.models import Alert, DisinfectionLog, HealthEntry, HealthReport, PassRecord
from civicgrid.community.residents import health_status, with_living_members
from civicgrid.core import division_codes
from civicgrid.core.scoping import Principal, jurisdiction_q
from civicgrid.epidemic.observation import under_observation
from civicgrid.population.declarations import person_of
from civicgrid.population.models import Household, Person
from civicgrid.regions.models import Division

# "Out now": residents whose latest pass of the last day was an exit.
OUT_WINDOW = datetime.timedelta(hours=24)
FEVER_LOOKBACK_DAYS = 14


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


# --- a resident's own -----------------------------------------------------------------------


@dataclass
class ResidentSummary:
    person: Any
    outings_this_week: int
    disinfections_this_week: int
    disinfections_total: int
    health_today: str
    fever_days: int  # days with a fever reported in the last FEVER_LOOKBACK_DAYS


def resident_summary(user: Any, *, today: datetime.date | None = None) -> ResidentSummary | None:
    person = person_of(user)
    if person is None or person.household_id is None:
        return None
    today = today or timezone.localdate()
    monday, _end = day_bounds(week_start(today))
    disinfections = DisinfectionLog.objects.filter(household_id=person.household_id)
    return ResidentSummary(
        person=person,
        outings_this_week=PassRecord.objects.filter(
            person=person, direction=Direction.OUT, scanned_at__gte=monday, voided_at__isnull=True
        ).count(),
        disinfections_this_week=disinfections.filter(done_at__gte=monday).count(),
        disinfections_total=disinfections.count(),
        health_today=health_status(person.household_id, today),
        fever_days=HealthReport.objects.filter(
            household_id=person.household_id,
            has_fever=True,
            report_date__gt=today - datetime.timedelta(days=FEVER_LOOKBACK_DAYS),
        ).count(),
    )


# --- every resident of a community, for its staff -------------------------------------------

RESIDENT_ROW_FIELDS = (
    "name",
    *(f"household__{n}" for n in ("building", "unit", "room", "address")),
)


def _count_of(rows: QuerySet, key: str) -> Coalesce:
    """How many of `rows` (already narrowed to one outer row through `key`): an annotation."""
    counted = rows.order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# The resident list's filters, each the figure of the community's dashboard it explains.
RESIDENT_FILTERS = ("out", "unreported", "fever", "observed")


def resident_rows(
    principal: Principal, code: str, *, today: datetime.date, busiest_first: bool = True,
    show: str = "",
) -> QuerySet[Person]:  # fmt: skip
    """The living residents of `code` the principal sees, each with the three figures the
    source's back office showed per resident: exits this week, their household's disinfections
    this week and its fever reports of the last FEVER_LOOKBACK_DAYS, and today's report
    (`fever_today`: None without one), and whether they are under medical observation. Most
    exits first, else by address. `show` (one of RESIDENT_FILTERS) keeps those out now, those
    whose household has not reported today, those reported with a fever today, or those under
    observation."""
    monday, _end = day_bounds(week_start(today))
    exits = PassRecord.objects.filter(
        person=OuterRef("pk"), direction=Direction.OUT, scanned_at__gte=monday,
        voided_at__isnull=True,
    )  # fmt: skip
    disinfections = DisinfectionLog.objects.filter(
        household=OuterRef("household_id"), done_at__gte=monday
    )
    fevers = HealthReport.objects.filter(
        household=OuterRef("household_id"),
        has_fever=True,
        report_date__gt=today - datetime.timedelta(days=FEVER_LOOKBACK_DAYS),
    )
    reported = HealthReport.objects.filter(household=OuterRef("household_id"), report_date=today)
    rows = (
        Person.objects.visible_to(principal)
        .living()
        .filter(jurisdiction_q([code]))
        .select_related("household")
        # What the list shows: no ID or mobile number to decrypt for it.
        .only(*RESIDENT_ROW_FIELDS)
        .annotate(
            exits_this_week=_count_of(exits, "person"),
            disinfections_this_week=_count_of(disinfections, "household"),
            fever_days=_count_of(fevers, "household"),
            fever_today=Subquery(reported.values("has_fever")[:1]),
            # The line list's observation: an observed resident's exits stand out.
            under_observation=under_observation("pk"),
        )
    )
    if show == "out":
        rows = rows.filter(pk__in=out_now_ids(principal, code, timezone.now()))
    elif show == "unreported":
        rows = rows.filter(fever_today__isnull=True)
    elif show == "fever":
        fevers_today = HealthEntry.objects.filter(
            person=OuterRef("pk"), has_fever=True, report__report_date=today
        )
        rows = rows.filter(Exists(fevers_today))
    elif show == "observed":
        rows = rows.filter(under_observation=True)
    if busiest_first:
        return rows.order_by("-exits_this_week", "household__address", "pk")
    return rows.order_by("household__address", "pk")


def passes_about(user: Any) -> QuerySet[PassRecord]:
    """Every pass recorded about a resident: as the scanning account or as the person."""
    person = person_of(user)
    condition = Q(user=user)
    if person is not None:
        condition |= Q(person=person)
    return (
        PassRecord.objects.filter(condition)
        .select_related("checkpoint", "recorded_by")
        .prefetch_related("corrections")
        .order_by("-scanned_at")
    )


# --- a community's --------------------------------------------------------------------------


@dataclass
class CommunityDashboard:
    community: Division
    day: datetime.date
    hours: list[int]
    out_by_hour: list[int]
    in_by_hour: list[int]
    out_today: int = 0
    in_today: int = 0
    visitors_today: int = 0
    out_now: int = 0
    households: int = 0
    not_reported: int = 0
    open_alerts: int = 0
    fever_cases: int = 0
    not_proven: int = 0


def living_households(principal: Principal, code: str) -> QuerySet[Household]:
    return with_living_members(
        Household.objects.visible_to(principal).filter(jurisdiction_q([code]))
    )


def unreported_households(
    principal: Principal, code: str, day: datetime.date
) -> QuerySet[Household]:
    reported = HealthReport.objects.filter(household=OuterRef("pk"), report_date=day)
    return living_households(principal, code).filter(~Exists(reported))


def out_now(principal: Principal, code: str, now: datetime.datetime) -> int:
    """How many residents are out: `out_now_ids`, counted."""
    return out_now_ids(principal, code, now).count()


def out_now_ids(principal: Principal, code: str, now: datetime.datetime) -> QuerySet:
    """The ids of the residents whose latest pass of the last OUT_WINDOW was an exit. One pass
    over the window's passes grouped by person (their latest pass, and their latest exit), not
    a look-up of later passes for every exit: 30 days of a large community stay a few
    milliseconds."""
    return (
        PassRecord.objects.visible_to(principal)
        .filter(
            jurisdiction_q([code]),
            voided_at__isnull=True,
            scanned_at__gte=now - OUT_WINDOW,
            person__isnull=False,
        )
        .values("person_id")
        .annotate(
            latest=Max("scanned_at"),
            latest_exit=Max(
                "scanned_at", filter=Q(kind=PassKind.RESIDENT, direction=Direction.OUT)
            ),
        )
        .filter(latest=F("latest_exit"))
        .order_by()
        .values("person_id")
    )


def fever_entries(principal: Principal, code: str, day: datetime.date) -> QuerySet[HealthEntry]:
    reports = HealthReport.objects.visible_to(principal).filter(
        jurisdiction_q([code]), report_date=day
    )
    return HealthEntry.objects.filter(report__in=reports, has_fever=True).select_related(
        "person", "report__household"
    )


def community_dashboard(
    principal: Principal, community: Division, *, now: datetime.datetime | None = None
) -> CommunityDashboard:
    moment = now or timezone.now()
    day = timezone.localdate(moment)
    start, end = day_bounds(day)
    code = community.code
    passes = PassRecord.objects.visible_to(principal).filter(
        jurisdiction_q([code]), scanned_at__gte=start, scanned_at__lt=end, voided_at__isnull=True
    )
    hours = list(range(24))
    out_by_hour, in_by_hour = [0] * 24, [0] * 24
    visitors = not_proven = 0
    # One pass over today's passes gives the hourly histogram and the day's other counts.
    rows = (
        passes.annotate(hour=ExtractHour("scanned_at", tzinfo=timezone.get_current_timezone()))
        .values("hour", "direction")
        .annotate(
            n=Count("pk"),
            visitors=Count("pk", filter=Q(kind=PassKind.VISITOR)),
            stale=Count("pk", filter=Q(proof="stale")),
        )
        .order_by()
    )
    for row in rows:
        (out_by_hour if row["direction"] == Direction.OUT else in_by_hour)[row["hour"]] = row["n"]
        visitors += row["visitors"]
        not_proven += row["stale"]
    board = CommunityDashboard(community, day, hours, out_by_hour, in_by_hour)
    board.out_today, board.in_today = sum(out_by_hour), sum(in_by_hour)
    board.visitors_today, board.not_proven = visitors, not_proven
    board.out_now = out_now(principal, code, moment)
    reported = HealthReport.objects.filter(household=OuterRef("pk"), report_date=day)
    households = living_households(principal, code).aggregate(
        total=Count("pk"), not_reported=Count("pk", filter=~Exists(reported))
    )
    board.households, board.not_reported = households["total"], households["not_reported"]
    board.open_alerts = (
        Alert.objects.visible_to(principal)
        .filter(jurisdiction_q([code]), status=AlertStatus.OPEN)
        .count()
    )
    board.fever_cases = fever_entries(principal, code, day).count()
    return board


# --- an area's communities side by side -----------------------------------------------------


@dataclass
class AreaRow:
    label: str
    code: str
    drill: bool
    figures: dict[str, int] = field(default_factory=dict)


FIGURES = ("out_today", "in_today", "households", "reported", "fever", "open_alerts")


def _grouped(queryset: QuerySet, digits: int, **aggregate: Any) -> dict[str, dict[str, int]]:
    rows = (
        queryset.annotate(bucket=Substr("division_code", 1, digits))
        .values("bucket")
        .annotate(**aggregate)
        .order_by()
    )
    return {row.pop("bucket"): row for row in rows}


def area_overview(
    principal: Principal, within: Division, *, now: datetime.datetime | None = None
) -> list[AreaRow]:
    """One row per child division (communities under a township; townships under a county):
    today's exits and entries, households, households reported, fever cases, open alerts."""
    day = timezone.localdate(now or timezone.now())
    start, end = day_bounds(day)
    digits = division_codes.LEVEL_DIGITS[min(within.level + 1, 5)]
    scope = jurisdiction_q([within.code])
    passes = _grouped(
        PassRecord.objects.visible_to(principal).filter(
            scope, scanned_at__gte=start, scanned_at__lt=end, voided_at__isnull=True
        ),
        digits,
        out_today=Count("pk", filter=Q(direction=Direction.OUT)),
        in_today=Count("pk", filter=Q(direction=Direction.IN)),
    )
    households = _grouped(living_households(principal, within.code), digits, households=Count("pk"))
    reports = _grouped(
        HealthReport.objects.visible_to(principal).filter(scope, report_date=day),
        digits,
        reported=Count("pk"),
        fever=Count("pk", filter=Q(has_fever=True)),
    )
    alerts = _grouped(
        Alert.objects.visible_to(principal).filter(scope, status=AlertStatus.OPEN),
        digits,
        open_alerts=Count("pk"),
    )
    rows = []
    for child in Division.objects.filter(parent=within).order_by("code"):
        prefix = child.code[:digits]
        figures = {name: 0 for name in FIGURES}
        for source in (passes, households, reports, alerts):
            figures.update(source.get(prefix, {}))
        rows.append(AreaRow(child.name, child.short_code, child.level < 5, figures))
    return rows
