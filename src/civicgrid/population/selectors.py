"""Read queries over the register for the grid worker's pages, the coverage page and the API.

Every query starts from `visible_to(principal)`, so a grid worker only ever reads their own
grids and staff their jurisdiction. Lists are built in a fixed number of queries whatever the
number of rows (the tests pin the counts): counts and the last visit come from correlated
subqueries, members and their tags from two prefetches.
"""

import datetime
import functools
import operator
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Concat, Substr
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import REVEAL_ROLES, Role
from civicgrid.core import division_codes
from civicgrid.core.lookups import AnyOf
from civicgrid.core.protected_fields import NORMALIZERS
from civicgrid.core.scoping import Principal, covers, jurisdiction_q
from civicgrid.population.choices import DeclarationStatus, PersonStatus, PersonTag
from civicgrid.population.models import (
    GridAssignment,
    Household,
    HouseholdDeclaration,
    Person,
    ScreeningVisit,
    SurveyResponse,
)
from civicgrid.population.querysets import grid_restriction, may_use_register
from civicgrid.regions.models import Division, Grid

MAX_QUERY_LENGTH = 50
DEFAULT_OVERDUE_DAYS = 7
DEFAULT_KEY_PERSON_DAYS = 1  # key persons were followed up daily during the 14-day watch

# Who may do what with the register, beyond seeing it (`querysets.may_use_register`).
EDIT_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.COUNTY_OFFICER,
        Role.CITY_OFFICER,
        Role.PROVINCE_OFFICER,
        Role.ADMINISTRATOR,
    }
)
COVERAGE_ROLES = frozenset(
    {
        Role.COMMUNITY_STAFF,
        Role.COUNTY_OFFICER,
        Role.CITY_OFFICER,
        Role.PROVINCE_OFFICER,
        Role.ADMINISTRATOR,
    }
)


def _roles(principal: Principal) -> set[str] | None:
    """The principal's roles, or None for principals without roles (API tokens)."""
    return principal.roles() if hasattr(principal, "roles") else None  # type: ignore[attr-defined]


def may_edit_register(principal: Principal) -> bool:
    """Record visits, register, move and update people. API tokens act for their organisation."""
    if not principal.is_authenticated:
        return False
    roles = _roles(principal)
    return principal.is_superuser or roles is None or bool(roles & EDIT_ROLES)


def may_change_grids(principal: Principal) -> bool:
    """Put a household in another grid of its community: register editors who see the whole
    community, never a grid worker (who would hand it to a grid they cannot see)."""
    return may_edit_register(principal) and grid_restriction(principal) is None


def may_reveal_numbers(principal: Principal) -> bool:
    """Ask for a resident's full mobile (with a reason, audited); API callers never may."""
    roles = _roles(principal)
    return principal.is_superuser or (roles is not None and bool(roles & REVEAL_ROLES))


def may_see_coverage(principal: Principal) -> bool:
    roles = _roles(principal)
    return principal.is_superuser or (roles is not None and bool(roles & COVERAGE_ROLES))


# --- search ----------------------------------------------------------------------------------


def normalize_query(raw: str | None) -> str:
    """Full-width digits and letters folded, spaces trimmed, at most 50 characters."""
    return unicodedata.normalize("NFKC", raw or "").strip()[:MAX_QUERY_LENGTH]


def _whole_number(text: str) -> tuple[str, str] | None:
    """("mobile" | "id_number", the digits) when `text` is a whole mobile or ID number."""
    compact = text.replace(" ", "").replace("-", "")
    if compact.isdigit() and len(compact) == 11:
        return "mobile", compact
    if len(compact) == 18 and compact[:17].isdigit():
        return "id_number", compact
    return None


def person_condition(text: str, *, fragments: bool = True) -> Q:
    """Persons matching the one search box: the last 4 digits of a mobile, pinyin initials,
    a name, or a whole mobile or ID number (found by its look-up hash).

    A name is found by any fragment of it (秀英 finds 李秀英) when `fragments`, else from its
    start (a full name, or the surname and the first characters): see `matching_persons`.
    Each kind of text is one indexed condition, never OR-ed with a name fragment that a
    number cannot be (a name has no digits): an OR with `name LIKE '%…%'` would read every
    row of a county's register for an ID number that the hash finds in one index probe.
    """
    if not text:
        return Q()
    if text.isdigit() and len(text) == 4:
        return Q(mobile_last4=text)
    if text.isascii() and text.isalpha():
        return _starts_with("name_initials", text.lower())
    number = _whole_number(text)
    if number is not None:
        return _by_number(*number)
    if any(char.isdigit() for char in text):
        return Q(pk__in=[])  # digits, but no whole number: no name has any
    return Q(name__contains=text) if fragments else _starts_with("name", text)


def _starts_with(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, as a range rather than LIKE 'prefix%': a plain b-tree
    index serves it on SQLite and PostgreSQL alike (both compare text byte by byte here, and
    U+10FFFF sorts after every character a name, an address or initials hold)."""
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})


def searches_fragments(principal: Principal) -> bool:
    """Whether the search box finds names and addresses by any fragment, or from their start.

    A grid worker searches their own grids (about 330 households): reading each of their
    names and addresses is cheap, and 秀英 finding 李秀英 is what they need. Across a
    jurisdiction (a county's 500,000 persons) a fragment would read every row of it and find
    hundreds; there a name or an address is matched from its start, on an index.
    """
    return grid_restriction(principal) is not None


def matching_persons(principal: Principal, text: str) -> QuerySet[Person]:
    """Persons the principal may see that the search box `text` (normalised) finds, in name
    order (the index a name is searched on serves the order too); without a text, everyone
    in reach, by place and name."""
    persons = Person.objects.visible_to(principal)
    if not text:
        return persons.order_by("division_code", "name", "pk")
    condition = person_condition(text, fragments=searches_fragments(principal))
    return persons.filter(condition).order_by("name", "division_code", "pk")


def _may_be_in_an_address(text: str) -> bool:
    """Whether the search box may mean an address fragment (`3号楼`, `202`): not pinyin
    initials (letters only) nor a whole mobile or ID number. Matching those against addresses
    too would scan every address in reach, for nothing."""
    return not (text.isascii() and text.isalpha()) and _whole_number(text) is None


def _by_number(kind: str, value: str) -> Q:
    try:
        return Q(**{kind: NORMALIZERS[kind](value)})
    except ValidationError:
        return Q(pk__in=[])


def is_person_match(person: Person, text: str) -> bool:
    """Whether `person` is one the search box found (to highlight them within their household)."""
    if not text:
        return False
    if text.isdigit() and len(text) == 4:
        return person.mobile_last4 == text
    if text.isascii() and text.isalpha():
        return person.name_initials.startswith(text.lower())
    return text in person.name


# --- households ------------------------------------------------------------------------------


def last_visit_on() -> Subquery:
    """A household's latest screening visit day (an annotation)."""
    return Subquery(
        ScreeningVisit.objects.filter(household=OuterRef("pk"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )


def living_member_count() -> Coalesce:
    """How many of a household's members live there (an annotation)."""
    counted = (
        Person.objects.filter(household=OuterRef("pk"), status=PersonStatus.LIVING_HERE)
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def visible_grids(principal: Principal) -> QuerySet[Grid]:
    """The grids a principal works in: a grid worker's own, or every grid in a jurisdiction."""
    grids = Grid.objects.select_related("division").order_by("division_code", "number")
    if not may_use_register(principal):
        return grids.none()
    restricted = grid_restriction(principal)
    if restricted is not None:
        return grids.filter(pk__in=restricted)
    if principal.is_superuser:
        return grids
    return grids.filter(jurisdiction_q(principal.jurisdiction_codes()))


# Up to this many matched households are listed by id; more stay a subquery (see below).
MATCHES_READ_FIRST = 5000


def _matched(ids: QuerySet[Any]) -> Q | AnyOf:
    """Households whose id is among `ids`: read first as a list when there are not many.

    Given `id IN (subquery)` with the list's ORDER BY … LIMIT 20, PostgreSQL may walk every
    household in the jurisdiction in list order, probing each for a matching member, hoping to
    fill the page early: 0.4–0.5 s for pinyin initials in a county of 500,000 (1,300 matches),
    against a few milliseconds when the ids come first. A search rarely finds thousands."""
    found = [next(iter(row.values())) for row in ids[: MATCHES_READ_FIRST + 1]]
    if len(found) > MATCHES_READ_FIRST:
        return Q(pk__in=ids)
    return AnyOf(F("pk"), found)


def matched_household_ids(
    principal: Principal, text: str, *, each_once: bool = True
) -> QuerySet[Any]:
    """The ids (one column) of the households the search box `text` (normalised, not empty)
    finds: those of the members it finds, and those whose address it matches. Each id once,
    unless `each_once` is False (for `IN (…)`, where the matching members' index alone then
    serves, without a step that removes duplicates).

    One list of ids, the union of the members' and the addresses' matches, rather than
    `address … OR id IN (…)`: each side uses its own index, and the households are then read
    by id (with an OR both databases read the whole jurisdiction's households). Both sides are
    scoped (`visible_to`), and a person's place is its household's (actions keep them equal),
    so these are the households of `households_for` for the same text, neither more nor fewer.
    """
    ids = (
        matching_persons(principal, text)
        .filter(household__isnull=False)
        .order_by()
        .values("household_id")
    )
    if not _may_be_in_an_address(text):
        return ids.distinct() if each_once else ids
    address = (
        Q(address__contains=text)
        if searches_fragments(principal)
        else _starts_with("address", text)
    )
    return ids.union(
        Household.objects.visible_to(principal).filter(address).order_by().values("pk")
    )


# Lists show the head's name only: decrypting their numbers would be work for nothing.
HEAD_NUMBERS = ("head__id_number", "head__mobile")


# The household list's order: community, grid, address. A jurisdiction (a range of codes) is
# one range of the `population_household_list` index (code, grid), so a page comes from the
# start of that range, the households of each grid sorted by address as they come: never the
# whole county sorted, nor other counties' households walked past.
LIST_ORDER: tuple[Any, ...] = ("division_code", "grid_id", "address", "pk")
# The same order, but not one an index gives: for the few households a search matched, which
# are read by id and sorted. Walking the index, PostgreSQL would test every household in reach
# against the matches (0.2 s for 2,700 ids in a county).
SORTED_LIST_ORDER: tuple[Any, ...] = (
    Concat("division_code", Value("")),
    "grid_id",
    "address",
    "pk",
)


def households_for(
    principal: Principal, *, query: str = "", tag: str = "", grid_id: int | None = None
) -> QuerySet[Household]:
    """Households the principal may see, filtered by the search box, a tag and a grid.

    Each carries `member_count` (living members) and `last_visit_on`; in LIST_ORDER.
    """
    households = Household.objects.visible_to(principal)
    ordering = LIST_ORDER
    text = normalize_query(query)
    if text:
        matched = _matched(matched_household_ids(principal, text))
        households = households.filter(matched)
        if isinstance(matched, AnyOf):
            ordering = SORTED_LIST_ORDER
    if tag in PersonTag.values:
        tagged = Person.objects.visible_to(principal).living().filter(taggings__tag=tag)
        households = households.filter(pk__in=tagged.values("household_id"))
    if grid_id is not None:
        households = households.filter(grid_id=grid_id)
    return (
        households.select_related("head", "grid")
        .defer(*HEAD_NUMBERS)
        .annotate(member_count=living_member_count(), last_visit_on=last_visit_on())
        .order_by(*ordering)
    )


def members_prefetch(principal: Principal, *, living_only: bool = True) -> Prefetch:
    """Members of each household, head first, with their tags: two queries for any page."""
    members = Person.objects.visible_to(principal)
    if living_only:
        members = members.living()
    return Prefetch("members", queryset=members.prefetch_related("taggings").family_order())


def mark_matches(households: list[Household], query: str) -> None:
    """Set `matched` on each prefetched member the search box found."""
    text = normalize_query(query)
    for household in households:
        for member in household.members.all():
            member.matched = is_person_match(member, text)


def recent_visits(household: Household, *, limit: int = 5) -> list[ScreeningVisit]:
    return list(
        household.visits.select_related("recorded_by")
        .prefetch_related("reached")
        .order_by("-visited_on", "-pk")[:limit]
    )


# --- worklist --------------------------------------------------------------------------------


def overdue_households(
    principal: Principal, *, days: int, today: datetime.date
) -> QuerySet[Household]:
    """Households not visited in the last `days` days, never-visited first, then oldest visit."""
    cutoff = today - datetime.timedelta(days=days)
    return (
        Household.objects.visible_to(principal)
        .select_related("head", "grid")
        .annotate(member_count=living_member_count(), last_visit_on=last_visit_on())
        .filter(Q(last_visit_on__isnull=True) | Q(last_visit_on__lte=cutoff))
        .order_by(F("last_visit_on").asc(nulls_first=True), "address", "pk")
    )


def key_persons_due(principal: Principal, *, days: int, today: datetime.date) -> QuerySet[Person]:
    """Living key persons not reached by a visit in the last `days` days, most overdue first."""
    cutoff = today - datetime.timedelta(days=days)
    last_reached = Subquery(
        ScreeningVisit.objects.filter(reached=OuterRef("pk"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    return (
        Person.objects.visible_to(principal)
        .living()
        .filter(taggings__tag=PersonTag.KEY_PERSON)
        .select_related("household")
        .prefetch_related("taggings")
        .annotate(last_reached_on=last_reached)
        .filter(Q(last_reached_on__isnull=True) | Q(last_reached_on__lte=cutoff))
        .order_by(F("last_reached_on").asc(nulls_first=True), "name", "pk")
    )


# --- residents' declarations ------------------------------------------------------------------

Address = tuple[str, str, str, str]  # (community code, building, unit, room)


def _address(division_code: str, building: str, unit: str, room: str) -> Address:
    return (division_code, (building or "").strip(), (unit or "").strip(), (room or "").strip())


def households_at(addresses: Iterable[Address]) -> dict[Address, Household]:
    """The register's household at each address, where there is one (the first registered),
    with its head: one query for a whole list of addresses."""
    keys = {_address(*a) for a in addresses}
    if not keys:
        return {}
    where = functools.reduce(
        operator.or_, (Q(division_code=c, building=b, unit=u, room=r) for c, b, u, r in keys)
    )
    found: dict[Address, Household] = {}
    for h in Household.objects.filter(where).select_related("head").order_by("pk"):
        found.setdefault((h.division_code, h.building, h.unit, h.room), h)
    return found


def household_at(division_code: str, building: str, unit: str, room: str) -> Household | None:
    """The register's household at this address of the community, if there is one."""
    key = _address(division_code, building, unit, room)
    return households_at([key]).get(key)


def declarations_waiting(
    principal: Principal, *, status: str = DeclarationStatus.PENDING
) -> QuerySet[HouseholdDeclaration]:
    """The residents' declarations in `status` that the principal reviews, first declared
    first: those of the communities their grids or jurisdiction cover."""
    return (
        HouseholdDeclaration.objects.visible_to(principal)
        .filter(status=status)
        .prefetch_related("members")
        .order_by("created_at", "pk")
    )


def survey_follow_ups(
    principal: Principal, *, with_unregistered: bool = False
) -> QuerySet[SurveyResponse]:
    """Flagged survey answers of living people the principal sees, not yet followed up by a
    visit that reached them, oldest first. Scoped through the person, so after a move the
    new grid's worker has them and the old one no longer does. `with_unregistered` adds the
    answers of residents the register does not know, in the communities the principal sees
    (no grid worker has them yet: their household declaration is still to be checked)."""
    whose = Q(person__in=Person.objects.visible_to(principal).living())
    if with_unregistered:
        unknown = SurveyResponse.objects.visible_to(principal).filter(person__isnull=True)
        whose |= Q(pk__in=unknown.values("pk"))
    return (
        SurveyResponse.objects.filter(whose, flagged=True, followed_up_at__isnull=True)
        .select_related("survey", "person__household")
        .prefetch_related("survey__questions")
        .order_by("created_at", "pk")
    )


def survey_answers(**filters: object) -> QuerySet[SurveyResponse]:
    """Survey answers matching `filters`, newest first, with what a page shows of them."""
    return (
        SurveyResponse.objects.filter(**filters)
        .select_related("survey", "followed_up_by")
        .prefetch_related("survey__questions")
        .order_by("-created_at", "-pk")
    )


def survey_answers_of(persons: list[Person]) -> dict[int, list[SurveyResponse]]:
    """Each person's survey answers, newest first, for their record."""
    by_person: dict[int, list[SurveyResponse]] = {p.pk: [] for p in persons}
    for answer in survey_answers(person__in=persons):
        by_person[answer.person_id].append(answer)  # type: ignore[index]
    return by_person


def days_since(day: datetime.date | None, today: datetime.date) -> int | None:
    return None if day is None else (today - day).days


def age_on(birth_date: datetime.date, today: datetime.date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


# --- coverage and workload -------------------------------------------------------------------


@dataclass
class CoverageRow:
    """One bar of the coverage chart: a grid, or a child division rolled up by code prefix."""

    label: str
    households: int = 0
    visited: int = 0
    grids: int = 0
    context: str = ""  # the community of a grid
    drill_code: str = ""  # a child division to open, when rows are divisions

    @property
    def share(self) -> float | None:
        return self.visited / self.households if self.households else None

    @property
    def percent(self) -> float | None:
        share = self.share
        return None if share is None else round(share * 100, 1)


@dataclass
class WorkloadRow:
    """A grid worker's workload: households, living persons, households visited since a date."""

    worker: object
    grids: list[str] = field(default_factory=list)
    households: int = 0
    persons: int = 0
    visited: int = 0

    @property
    def percent(self) -> float | None:
        return round(self.visited / self.households * 100, 1) if self.households else None


@dataclass
class Coverage:
    within: Division
    since: datetime.date
    by_grid: bool
    rows: list[CoverageRow]
    total: CoverageRow


def default_area(principal: Principal) -> Division | None:
    """Where the coverage page opens: the principal's (first) jurisdiction; Hebei for superusers."""
    codes = principal.jurisdiction_codes() if not principal.is_superuser else []
    code = codes[0] if codes else ("130000000000" if principal.is_superuser else None)
    return Division.objects.filter(code=code).first() if code else None


def area_for(principal: Principal, code: str) -> Division | None:
    """The division `code` if it lies inside the principal's jurisdiction, else None."""
    try:
        normalized = division_codes.normalize_code(code)
    except division_codes.InvalidDivisionCode:
        return None
    if not covers(principal, normalized):
        return None
    return Division.objects.filter(code=normalized).first()


def _visited_since(since: datetime.date) -> Exists:
    return Exists(ScreeningVisit.objects.filter(household=OuterRef("pk"), visited_on__gte=since))


def _household_counts(households: QuerySet[Household], key: object, since: datetime.date) -> dict:
    rows = (
        households.annotate(seen=_visited_since(since), bucket=key)
        .order_by()
        .values("bucket")
        .annotate(total=Count("pk"), visited=Count("pk", filter=Q(seen=True)))
    )
    return {row["bucket"]: (row["total"], row["visited"]) for row in rows}


def coverage(principal: Principal, *, within: Division, since: datetime.date) -> Coverage:
    """Share of households visited since `since`, per grid in a township or community, and per
    child division above that (drill down by code prefix), inside the principal's jurisdiction.
    """
    scope = jurisdiction_q([within.code])
    households = Household.objects.visible_to(principal).filter(scope)
    by_grid = within.level >= 4
    rows: list[CoverageRow] = []
    if by_grid:
        counts = _household_counts(households, F("grid_id"), since)
        for grid in visible_grids(principal).filter(scope):
            total, visited = counts.pop(grid.pk, (0, 0))
            rows.append(CoverageRow(grid.name, total, visited, grids=1, context=grid.division.name))
        if None in counts:
            total, visited = counts.pop(None)
            rows.append(CoverageRow(_("未划分网格"), total, visited))
    else:
        digits = division_codes.LEVEL_DIGITS[within.level + 1]
        counts = _household_counts(households, Substr("division_code", 1, digits), since)
        grid_counts = dict(
            visible_grids(principal)
            .filter(scope)
            .annotate(bucket=Substr("division_code", 1, digits))
            .order_by()
            .values("bucket")
            .annotate(n=Count("pk"))
            .values_list("bucket", "n")
        )
        for child in Division.objects.filter(parent=within).order_by("code"):
            prefix = child.code[:digits]
            total, visited = counts.get(prefix, (0, 0))
            rows.append(
                CoverageRow(
                    child.name,
                    total,
                    visited,
                    grids=grid_counts.get(prefix, 0),
                    drill_code=child.short_code,
                )
            )
    # Lagging areas first: that is what the page is read for. Areas with nobody registered last.
    rows.sort(key=lambda row: (row.share is None, row.share or 0.0))
    total = CoverageRow(
        within.name,
        sum(r.households for r in rows),
        sum(r.visited for r in rows),
        grids=sum(r.grids for r in rows),
    )
    return Coverage(within=within, since=since, by_grid=by_grid, rows=rows, total=total)


def grid_stats(
    principal: Principal, grid_ids: list[int], *, since: datetime.date
) -> dict[int, tuple[int, int, int]]:
    """Per grid: (households, living persons, households visited since `since`)."""
    households = Household.objects.visible_to(principal).filter(grid_id__in=grid_ids)
    counts = _household_counts(households, F("grid_id"), since)
    persons = dict(
        Person.objects.visible_to(principal)
        .living()
        .filter(grid_id__in=grid_ids)
        .order_by()
        .values("grid_id")
        .annotate(n=Count("pk"))
        .values_list("grid_id", "n")
    )
    stats = {}
    for grid_id in grid_ids:
        total, visited = counts.get(grid_id, (0, 0))
        stats[grid_id] = (total, persons.get(grid_id, 0), visited)
    return stats


def workload(principal: Principal, *, within: Division, since: datetime.date) -> list[WorkloadRow]:
    """Each grid worker assigned inside `within`: their grids and what they cover."""
    assignments = list(
        GridAssignment.objects.filter(jurisdiction_q([within.code]))
        .filter(grid__in=visible_grids(principal))
        .select_related("user", "grid")
        .order_by("grid__division_code", "grid__number", "user__full_name", "pk")
    )
    stats = grid_stats(principal, sorted({a.grid_id for a in assignments}), since=since)
    rows: dict[int, WorkloadRow] = {}
    for assignment in assignments:
        row = rows.setdefault(assignment.user_id, WorkloadRow(worker=assignment.user))
        households, persons, visited = stats[assignment.grid_id]
        row.grids.append(assignment.grid.name)
        row.households += households
        row.persons += persons
        row.visited += visited
    return list(rows.values())
