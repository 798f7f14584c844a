"""The grid worker's daily worklist in the API, as the phone page has it: households not visited
in N days (never-visited first, then the oldest visit) and key persons not reached in N days.

Mounted at /api/v1/population/worklist; scoped as the register is (a grid worker: their grids).
The survey answers to follow up are `/survey-follow-ups`, the other modules' tasks their own
endpoints (the community brain's open alerts: `/api/v1/community/alerts`).
"""

import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from civicgrid.core.api_auth import SCOPED_AUTH
from civicgrid.core.paging import Paging, page_of
from civicgrid.population import selectors
from civicgrid.population.api_fields import register_reader
from civicgrid.population.choices import PersonTag
from civicgrid.population.household_schemas import HouseholdBriefSchema
from civicgrid.population.models import Household, Person

router = Router(tags=["population: worklist"], auth=SCOPED_AUTH)


class WorklistFilters(Paging):
    days: int | None = Field(
        None, ge=1, le=365,
        description="多少天内没有走访（或没有联系到）的算超期；默认与工作清单页面相同："
        f"住户 {selectors.DEFAULT_OVERDUE_DAYS} 天，重点人员 {selectors.DEFAULT_KEY_PERSON_DAYS} 天",
    )  # fmt: skip


def _days_since(day: datetime.date | None) -> int | None:
    return selectors.days_since(day, timezone.localdate())


class OverdueHouseholdSchema(HouseholdBriefSchema):
    days_since_visit: int | None

    @staticmethod
    def resolve_days_since_visit(obj: Household) -> int | None:
        return _days_since(obj.last_visit_on)  # type: ignore[attr-defined]


class KeyPersonDueSchema(Schema):
    id: int
    name: str
    household_id: int | None
    household_address: str
    tags: list[PersonTag]
    last_reached_on: datetime.date | None = Field(
        description="上次走访联系到本人的日期，从未联系则为空"
    )
    days_since_reached: int | None

    @staticmethod
    def resolve_household_address(obj: Person) -> str:
        return obj.household.address if obj.household else ""

    @staticmethod
    def resolve_tags(obj: Person) -> list[str]:
        return sorted(t.tag for t in obj.taggings.all())

    @staticmethod
    def resolve_days_since_reached(obj: Person) -> int | None:
        return _days_since(obj.last_reached_on)  # type: ignore[attr-defined]


class OverdueHouseholdPage(Schema):
    count: int
    items: list[OverdueHouseholdSchema]


class KeyPersonDuePage(Schema):
    count: int
    items: list[KeyPersonDueSchema]


@router.get(
    "/households",
    response=OverdueHouseholdPage,
    summary="超期未走访的住户（从未走访的在前，其次上次走访最早的）",
    url_name="population_worklist_households",
)
def overdue_households(request: HttpRequest, filters: Query[WorklistFilters]) -> dict:  # type: ignore[type-arg]
    principal = register_reader(request)
    days = filters.days or selectors.DEFAULT_OVERDUE_DAYS
    rows = selectors.overdue_households(principal, days=days, today=timezone.localdate())
    return page_of(rows, filters)


@router.get(
    "/key-persons",
    response=KeyPersonDuePage,
    summary="待随访的重点人员（从未联系的在前，其次上次联系最早的）",
    url_name="population_worklist_key_persons",
)
def key_persons_due(request: HttpRequest, filters: Query[WorklistFilters]) -> dict:  # type: ignore[type-arg]
    principal = register_reader(request)
    days = filters.days or selectors.DEFAULT_KEY_PERSON_DAYS
    rows = selectors.key_persons_due(principal, days=days, today=timezone.localdate())
    return page_of(rows, filters)
