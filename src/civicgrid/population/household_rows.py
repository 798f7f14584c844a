"""The household and person lists of the API as plain rows, the register's busiest reads.

`selectors.households_for` + `members_prefetch` build model instances for a page of households,
their living members and each member's tags; the API schema then walks them attribute by
attribute. For a page of 20 households (≈ 60 members) that was ≈ 20 ms of CPU per request,
most of it Django building instances and cloning a queryset per prefetched row. Here the same
page is plain rows: the households' fields in one fixed statement, the members with their tags
in another (filtered by `querysets.sees_person`), and a few dict comprehensions — the same
JSON (test_household_rows and test_household_search pin it to the schema's;
bench/bench_search.py measures it). A search by text finds its page as `household_search_page`
says. The ID and mobile numbers are read as stored and masked through the per-process cache of
`core.protected_fields.masked_from_token`: a list shows only masks, so it need not decrypt.
Only a grid worker's statements are prepared on PostgreSQL; anyone else's are planned for their
values (`plans.prepared_for_grid_workers`).
"""

import functools
from collections import defaultdict
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import F, Field, Lookup, Model, Q, QuerySet

from civicgrid.core.lookups import AnyOf, any_of_param, any_of_sql
from civicgrid.core.paging import Paging, total_of
from civicgrid.core.protected_fields import masked_from_token, stored_token
from civicgrid.core.scoping import Principal
from civicgrid.core.sql_rows import database
from civicgrid.population import selectors
from civicgrid.population.choices import PersonStatus, Relationship
from civicgrid.population.models import Household, Person, PersonTagging, ScreeningVisit
from civicgrid.population.plans import prepared_for_grid_workers
from civicgrid.population.querysets import sees_person
from civicgrid.regions.models import Grid

_MEMBER_FIELDS = (
    "id",
    "name",
    "sex",
    "birth_date",
    "id_number_token",
    "mobile_token",
    "household_id",
    "relationship",
    "residence_type",
    "status",
    "division_code",
    "grid_id",
)


def _masked(kind: str, token: str | None) -> str:
    """The masked text of a stored number (from the per-process cache); "" when absent."""
    return "" if token is None else masked_from_token(kind, token)


def person_rows(persons: QuerySet[Person]) -> list[dict[str, Any]]:
    """`persons` (already filtered, ordered and sliced) as the API's PersonSchema rows."""
    tokens = persons.annotate(
        id_number_token=stored_token("id_number"), mobile_token=stored_token("mobile")
    )
    rows = [
        dict(zip(_MEMBER_FIELDS, values, strict=True))
        for values in tokens.values_list(*_MEMBER_FIELDS)
    ]
    tags: dict[int, list[str]] = defaultdict(list)
    if rows:
        taggings = PersonTagging.objects.filter(AnyOf(F("person_id"), [row["id"] for row in rows]))
        for person_id, tag in taggings.order_by("tag").values_list("person_id", "tag"):
            tags[person_id].append(tag)
    for row in rows:
        _person_row(row)["tags"] = tags.get(row["id"], [])
    return rows


def _person_row(row: dict[str, Any]) -> dict[str, Any]:
    """A row of `_MEMBER_FIELDS` made a PersonSchema row (its `tags` still to fill)."""
    born = row["birth_date"]  # a date; text from a fixed statement on SQLite
    row["birth_date"] = born if isinstance(born, str) else born.isoformat()
    row["id_number"] = _masked("id_number", row.pop("id_number_token"))
    row["mobile"] = _masked("mobile", row.pop("mobile_token"))
    row["tags"] = []
    return row


def person_page(principal: Principal, persons: QuerySet[Person], paging: Paging) -> dict[str, Any]:
    """`{"count", "items"}` for one page of `persons` (what `principal` may see), shaped as the
    API's `PersonPage`."""
    with prepared_for_grid_workers(principal):
        page = persons[paging.offset : paging.offset + paging.limit]
        if not selectors.searches_fragments(principal):
            # Across a jurisdiction the page's ids come first, from the name index alone (it
            # carries the initials and the id). Asked for whole rows, PostgreSQL walks the
            # names reading each row from the table until 20 have the initials: 40 ms for
            # "ld" in a county of 500,000, against 6 here.
            ids = list(page.values_list("pk", flat=True))
            page = persons.filter(AnyOf(F("pk"), ids)) if ids else persons.none()
        items = person_rows(page)
        return {"count": total_of(persons, paging, len(items)), "items": items}


def _members_by_household(principal: Principal, household_ids: list[int]) -> dict[int, list]:
    """The living members of each household, head first, each with their tags: one fixed
    statement (the tags joined, a row per tag), however many households and members. The
    households are the principal's already; each member is kept only if the principal sees
    them too (`querysets.sees_person`, the register's scoping for rows already read), so the
    statement is the same for everyone and is built once per process: the ORM spent a fifth of
    a household page's CPU compiling it."""
    if not household_ids:
        return {}
    db = database()
    with db.cursor() as cursor:
        cursor.execute(
            _members_sql(db.vendor),
            [
                any_of_param(list(household_ids), db.vendor),
                PersonStatus.LIVING_HERE.value,
                Relationship.HEAD.value,
            ],
        )
        fetched = cursor.fetchall()
    grouped: dict[int, list] = defaultdict(list)
    person_id, row = None, None
    for *values, tag in fetched:
        if values[0] != person_id:
            person_id, row = values[0], dict(zip(_MEMBER_FIELDS, values, strict=True))
            if sees_person(principal, row["division_code"], row["grid_id"]):
                grouped[row["household_id"]].append(_person_row(row))
            else:
                row = None
        if row is not None and tag is not None:
            row["tags"].append(tag)
    return grouped


@functools.cache
def _members_sql(vendor: str) -> str:
    """The statement of `_members_by_household`, its columns `_MEMBER_FIELDS` and the tag;
    its parameters: the household ids (`core.lookups.any_of_param`), the living status, the
    head's relationship."""
    quote = database().ops.quote_name
    columns = {"id_number_token": "id_number", "mobile_token": "mobile"}
    select = [_column("p", Person, columns.get(name, name)) for name in _MEMBER_FIELDS]
    tagging = quote(PersonTagging._meta.db_table)
    tag = _column("t", PersonTagging, "tag")
    head_first = f"CASE WHEN {_column('p', Person, 'relationship')} = %s THEN 0 ELSE 1 END"
    return (
        f"SELECT {', '.join(select)}, {tag} FROM {quote(Person._meta.db_table)} p "  # noqa: S608 - model names
        f"LEFT JOIN {tagging} t ON {_column('t', PersonTagging, 'person')} = "
        f"{_column('p', Person, 'id')} "
        f"WHERE {any_of_sql(_column('p', Person, 'household'), vendor)} "
        f"AND {_column('p', Person, 'status')} = %s "
        f"ORDER BY {head_first}, {_column('p', Person, 'birth_date')}, "
        f"{_column('p', Person, 'id')}, {tag}"
    )


def _column(alias: str, model: type[Model], name: str) -> str:
    """`alias.column` of the field `name` of `model`, quoted."""
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column  # noqa: S101 - a concrete column
    return f"{alias}.{database().ops.quote_name(field.column)}"


def _household_rows(ids: list[int]) -> dict[int, dict[str, Any]]:
    """The list's fields of the households `ids` (already scoped), by id: one fixed statement
    (built once per process: the ORM spent ≈ 2 ms of CPU compiling it for every page) whose
    per-row subqueries (living members, last visit) run for these rows only."""
    if not ids:
        return {}
    db = database()
    sql = _rows_sql(db.vendor)
    with db.cursor() as cursor:
        cursor.execute(sql, [PersonStatus.LIVING_HERE.value, any_of_param(list(ids), db.vendor)])
        fetched = cursor.fetchall()
    by_id = {}
    for values in fetched:
        row = dict(zip(_HOUSEHOLD_ROW, values, strict=True))
        row["grid_name"] = row["grid_name"] or ""
        row["head_name"] = row["head_name"] or ""
        row["contact_mobile"] = _masked("mobile", row["contact_mobile"])
        visited = row["last_visit_on"]  # a date; text on SQLite, which has no date type
        row["last_visit_on"] = (
            visited if visited is None or isinstance(visited, str) else visited.isoformat()
        )
        by_id[row["id"]] = row
    return by_id


_HOUSEHOLD_ROW = (
    "id",
    "division_code",
    "grid_id",
    "grid_name",
    "address",
    "building",
    "unit",
    "room",
    "head_id",
    "head_name",
    "contact_mobile",
    "member_count",
    "last_visit_on",
)


@functools.cache
def _rows_sql(vendor: str) -> str:
    """The statement of `_household_rows`, its columns those of `_HOUSEHOLD_ROW`; its
    parameters: the living status, then the ids (`core.lookups.any_of_param`)."""
    quote = database().ops.quote_name

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    h_id = _column("h", Household, "id")
    # Only the models' table and column names go into the text (S608: no input ever does).
    of_household = f"{_column('m', Person, 'household')} = {h_id}"
    living = f"(SELECT COUNT(*) FROM {table(Person)} m WHERE {of_household} AND {_column('m', Person, 'status')} = %s)"  # noqa: S608
    visited_on, visits = _column("v", ScreeningVisit, "visited_on"), table(ScreeningVisit)
    last_visit = f"(SELECT MAX({visited_on}) FROM {visits} v WHERE {_column('v', ScreeningVisit, 'household')} = {h_id})"  # noqa: S608
    select = [
        *(_column("h", Household, name) for name in ("id", "division_code", "grid")),
        _column("g", Grid, "name"),
        *(
            _column("h", Household, name)
            for name in ("address", "building", "unit", "room", "head")
        ),
        _column("p", Person, "name"),
        _column("h", Household, "contact_mobile"),
        living,
        last_visit,
    ]
    return (
        f"SELECT {', '.join(select)} FROM {table(Household)} h"  # noqa: S608 - no input in it
        f" LEFT JOIN {table(Grid)} g ON {_column('g', Grid, 'id')} = {_column('h', Household, 'grid')}"
        f" LEFT JOIN {table(Person)} p ON {_column('p', Person, 'id')} = {_column('h', Household, 'head')}"
        f" WHERE {any_of_sql(h_id, vendor)}"
    )


def _answer(principal: Principal, ids: list[int], total: int) -> dict[str, Any]:
    """`{"count", "items"}` for the households `ids`, in that order (the list's)."""
    by_id = _household_rows(ids)
    members = _members_by_household(principal, ids)
    items = []
    for pk in ids:
        row = by_id[pk]
        row["members"] = members.get(pk, [])
        items.append(row)
    return {"count": total, "items": items}


def household_page(
    principal: Principal, households: QuerySet[Household], paging: Paging
) -> dict[str, Any]:
    """`{"count", "items"}` for one page of `households` (from `selectors.households_for`),
    shaped exactly as the API's `HouseholdPage`, ready for JSON."""
    window = slice(paging.offset, paging.offset + paging.limit)
    with prepared_for_grid_workers(principal):
        ids = list(households.values_list("pk", flat=True)[window])
        total = total_of(households, paging, len(ids))
        return _answer(principal, ids, total)


# Past this many matched households the page is found by walking the list's index.
MATCHES_DENSE = 5000


def household_search_page(
    principal: Principal,
    paging: Paging,
    *,
    query: str = "",
    tag: str = "",
    grid_id: int | None = None,
) -> dict[str, Any]:
    """The API's household list (`HouseholdPage`): `households_for` with the same filters, in
    the same order, counted the same; a search by text alone costs 4 statements (1 when it
    finds nothing).

    The matches are counted first, from the members' and addresses' indexes alone
    (`selectors.matched_household_ids`: no household row read), and the count chooses how
    the page is found. Up to a few thousand matches are each read by id and sorted: on
    PostgreSQL the ids go in as one array (`= ANY(ARRAY(subquery))`), so that the planner
    cannot trade a few thousand look-ups for a parallel scan of the whole county's households
    (60–90 ms); their order (`selectors.SORTED_LIST_ORDER`) is not one an index gives. More
    matches than that are dense in the list: walking the jurisdiction's range of the list's
    index meets a page of them within a few hundred households (2–4 ms for initials that
    12,000 people share), where sorting them all would read every one. A filter by tag or grid
    goes through `households_for` instead.
    """
    text = selectors.normalize_query(query)
    if not text or tag or grid_id is not None:
        households = selectors.households_for(principal, query=query, tag=tag, grid_id=grid_id)
        return household_page(principal, households, paging)
    with prepared_for_grid_workers(principal):
        matched = selectors.matched_household_ids(principal, text, each_once=False)
        # A union holds each id once already; the members' ids alone may repeat.
        total = (matched if matched.query.combinator else matched.distinct()).count()
        ids: list[int] = []
        if total > paging.offset:
            households = Household.objects.visible_to(principal)
            if total > MATCHES_DENSE:
                page = households.filter(pk__in=matched).order_by(*selectors.LIST_ORDER)
            else:
                page = households.filter(_among(matched)).order_by(*selectors.SORTED_LIST_ORDER)
            window = slice(paging.offset, paging.offset + paging.limit)
            ids = list(page.values_list("pk", flat=True)[window])
        return _answer(principal, ids, total)


class _AmongArray(Lookup):  # type: ignore[type-arg]
    """`lhs = ANY(ARRAY(subquery))` (PostgreSQL): the subquery runs once, first, and each of
    its ids is then looked up by key; an `IN (subquery)` leaves the planner free to scan."""

    lookup_name = "among_array"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def _among(ids: QuerySet[Any]) -> Q | Lookup:  # type: ignore[type-arg]
    """The primary key among `ids` (a one-column queryset), each looked up by key."""
    if connection.vendor == "postgresql":
        return _AmongArray(F("pk"), ArraySubquery(ids))
    return Q(pk__in=ids)
