"""`AnyOf`: a column equal to one of many integers, sent as one parameter.

`filter(pk__in=ids)` writes one placeholder per value; with thousands of ids Django spends
milliseconds building the SQL again for every query that carries the filter (a page, its count,
its rows). `AnyOf` sends the list whole — an array on PostgreSQL (`= ANY(%s)`), JSON on SQLite
(`IN (SELECT value FROM json_each(%s))`) — so the statement stays short and the planner still
reads the rows by index:

    households.filter(AnyOf(F("pk"), [3, 17, 42]))
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db.models import Lookup


def any_of_sql(column: str, vendor: str) -> str:
    """`column` among the integers of one parameter (`any_of_param`), for hand-written SQL."""
    if vendor == "postgresql":
        return f"{column} = ANY(%s)"
    return f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608 - a column name


def any_of_param(values: list[int], vendor: str) -> Any:
    """The one parameter of `any_of_sql`: an array on PostgreSQL, JSON on SQLite."""
    return values if vendor == "postgresql" else json.dumps(values)


class AnyOf(Lookup):  # type: ignore[type-arg]
    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs: Any, values: Iterable[int]) -> None:
        super().__init__(lhs, [int(value) for value in values])

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        vendor = connection.vendor
        return any_of_sql(lhs, vendor), [*lhs_params, any_of_param(self.rhs, vendor)]
