"""One page of a list: the total is counted only when the page is full."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.core.paging import Paging, page_of
from civicgrid.regions.models import Division

pytestmark = pytest.mark.django_db


def _page(limit, offset=0, **options):
    rows = Division.objects.filter(code__startswith="131128100").order_by("code")
    with CaptureQueriesContext(connection) as queries:
        page = page_of(rows, Paging(limit=limit, offset=offset), **options)
    return page, len(queries.captured_queries), rows.count()


def test_a_short_page_knows_its_total_without_counting():
    page, queries, total = _page(limit=100, offset=0)
    assert total < 100 and page["count"] == total == len(page["items"])
    assert queries == 1


def test_a_full_page_counts_the_rest():
    page, queries, total = _page(limit=3)
    assert len(page["items"]) == 3 and page["count"] == total > 3
    assert queries == 2


def test_a_page_past_the_end_still_says_how_many_there_are():
    page, _queries, total = _page(limit=5, offset=10_000)
    assert page == {"count": total, "items": []}


def test_ids_first_gives_the_same_page():
    plain, _q, _t = _page(limit=4, offset=2)
    by_ids, queries, _t = _page(limit=4, offset=2, ids_first=True)
    assert [d.code for d in by_ids["items"]] == [d.code for d in plain["items"]]
    assert queries == 3  # the ids, the rows, the count
