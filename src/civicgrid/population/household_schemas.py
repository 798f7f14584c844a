"""A household in the API at a glance: what a list of households to visit shows of each, and
the start of the full household (`api.HouseholdSchema`)."""

import datetime

from ninja import Field, Schema

from civicgrid.population.models import Household


class HouseholdBriefSchema(Schema):
    id: int
    grid_id: int | None
    grid_name: str
    address: str
    head_name: str
    member_count: int = Field(description="在住人数")
    last_visit_on: datetime.date | None = Field(description="上次走访日期，从未走访则为空")

    @staticmethod
    def resolve_grid_name(obj: Household) -> str:
        return obj.grid.name if obj.grid else ""

    @staticmethod
    def resolve_head_name(obj: Household) -> str:
        return obj.head.name if obj.head else ""
