"""One page of a list endpoint: `limit`/`offset` query parameters and `{count, items}` answers.

Counting costs a query only when the page is full: a shorter page is the last one, so its
total is known without counting (most searches find less than a page, and a COUNT over a
county's register is what would cost).
"""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema


class Paging(Schema):
    limit: int = Field(20, ge=1, le=100, description="每页条数")
    offset: int = Field(0, ge=0, description="跳过的条数")


def page_of(rows: QuerySet[Any], paging: Paging, *, ids_first: bool = False) -> dict[str, Any]:
    """`{"count": total, "items": [...]}` for one page of `rows`.

    `ids_first`: the page's ids are found on their own first, so that the joins and per-row
    subqueries of `rows` are computed for one page, not for each of the hundreds of rows a
    broad search matched (SQLite computes them before it sorts)."""
    window = slice(paging.offset, paging.offset + paging.limit)
    if ids_first:
        ids = list(rows.prefetch_related(None).values_list("pk", flat=True)[window])
        items = list(rows.filter(pk__in=ids)) if ids else []
    else:
        items = list(rows[window])
    return {"count": total_of(rows, paging, len(items)), "items": items}


def total_of(rows: QuerySet[Any], paging: Paging, found: int) -> int:
    """The number of `rows`, given that the page at `paging` held `found` of them."""
    if found < paging.limit and (found or paging.offset == 0):
        return paging.offset + found
    return rows.count()
