"""The household and person lists of the API as plain rows, the register's busiest reads.

`selectors.households_for` + `members_prefetch` build model instances for a page of households,
their living members and each member's tags; the API schema then walks them attribute by
attribute. For a page of 20 households (≈ 60 members) that was ≈ 20 ms of CPU per request,
most of it Django building instances and cloning a queryset per prefetched row. Here the same
page is three `values()` queries and a few dict comprehensions — the same JSON, a third of the
work (bench/bench_search.py measures it; test_household_rows pins the output to the schema's).
The ID and mobile numbers are read as stored and masked through the per-process cache of
`core.protected_fields.masked_from_token`: a list shows only masks, so it need not decrypt.
"""

from collections import defaultdict
from typing import Any

from django.db.models import Case, QuerySet, Value, When

from civicgrid.core.paging import Paging, total_of
from civicgrid.core.protected_fields import masked_from_token, stored_token
from civicgrid.core.scoping import Principal
from civicgrid.population.choices import Relationship
from civicgrid.population.models import Household, Person, PersonTagging

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
_HOUSEHOLD_FIELDS = (
    "id",
    "division_code",
    "grid_id",
    "grid__name",
    "address",
    "building",
    "unit",
    "room",
    "head_id",
    "head__name",
    "contact_mobile_token",
    "member_count",
    "last_visit_on",
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
        taggings = PersonTagging.objects.filter(person_id__in=[row["id"] for row in rows])
        for person_id, tag in taggings.order_by("tag").values_list("person_id", "tag"):
            tags[person_id].append(tag)
    for row in rows:
        row["birth_date"] = row["birth_date"].isoformat()
        row["id_number"] = _masked("id_number", row.pop("id_number_token"))
        row["mobile"] = _masked("mobile", row.pop("mobile_token"))
        row["tags"] = tags.get(row["id"], [])
    return rows


def person_page(persons: QuerySet[Person], paging: Paging) -> dict[str, Any]:
    """`{"count", "items"}` for one page of `persons`, shaped as the API's `PersonPage`."""
    items = person_rows(persons[paging.offset : paging.offset + paging.limit])
    return {"count": total_of(persons, paging, len(items)), "items": items}


def _members_by_household(principal: Principal, household_ids: list[int]) -> dict[int, list]:
    members = (
        Person.objects.visible_to(principal)
        .living()
        .filter(household_id__in=household_ids)
        .order_by(
            Case(When(relationship=Relationship.HEAD, then=Value(0)), default=Value(1)),
            "birth_date",
            "pk",
        )
    )
    grouped: dict[int, list] = defaultdict(list)
    for row in person_rows(members):
        grouped[row["household_id"]].append(row)
    return grouped


def household_page(
    principal: Principal, households: QuerySet[Household], paging: Paging
) -> dict[str, Any]:
    """`{"count", "items"}` for one page of `households` (from `selectors.households_for`),
    shaped exactly as the API's `HouseholdPage`, ready for JSON."""
    window = slice(paging.offset, paging.offset + paging.limit)
    ids = list(households.values_list("pk", flat=True)[window])
    by_id = {}
    if ids:
        page = households.filter(pk__in=ids).annotate(
            contact_mobile_token=stored_token("contact_mobile")
        )
        for values in page.values_list(*_HOUSEHOLD_FIELDS):
            row = dict(zip(_HOUSEHOLD_FIELDS, values, strict=True))
            row["grid_name"] = row.pop("grid__name") or ""
            row["head_name"] = row.pop("head__name") or ""
            row["contact_mobile"] = _masked("mobile", row.pop("contact_mobile_token"))
            visited = row["last_visit_on"]
            row["last_visit_on"] = visited.isoformat() if visited else None
            by_id[row["id"]] = row
    members = _members_by_household(principal, ids)
    items = []
    for pk in ids:  # the ids' order is the list's order
        row = by_id[pk]
        row["members"] = members.get(pk, [])
        items.append(row)
    return {"count": total_of(households, paging, len(items)), "items": items}
