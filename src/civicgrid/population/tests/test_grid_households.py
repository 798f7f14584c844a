"""The grid worker's household list: only my grid, one search box, tags, pages, fixed queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicgrid.core.audit.models import AuditRecord
from civicgrid.population.actions import do_record_visit
from civicgrid.population.choices import PersonTag, Relationship
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/population/grid/"


@pytest.fixture
def homes(personas):
    """Grid A (grid_worker_a1's) with two households, grid B and county B with one each."""
    a1 = f.household(grid_index=0, room="101")
    a2 = f.household(grid_index=0, room="202")
    b1 = f.household(grid_index=1, room="303")
    other_county = f.household(f.COMMUNITY_B1, room="404")
    f.person(a1, "张伟", relationship=Relationship.HEAD, mobile="13800001234")
    f.person(a1, "李秀英", relationship=Relationship.SPOUSE, tags=[PersonTag.ELDERLY_ALONE])
    f.person(a2, "王芳", relationship=Relationship.HEAD, mobile="13911115678")
    f.person(b1, "赵强", relationship=Relationship.HEAD, mobile="13700001234")
    f.person(other_county, "孙丽", relationship=Relationship.HEAD)
    f.assign(personas.grid_worker_a1, grid_index=0)
    return {"a1": a1, "a2": a2, "b1": b1, "other_county": other_county}


def _body(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_grid_worker_sees_the_households_of_their_own_grid_only(client, personas, homes):
    client.force_login(personas.grid_worker_a1)
    body = _body(client)
    assert "张伟" in body and "王芳" in body
    assert "赵强" not in body and "孙丽" not in body
    assert "共 2 户" in body


def test_a_county_officer_sees_every_grid_of_the_county_but_not_the_sibling_county(
    client, personas, homes
):
    client.force_login(personas.county_a_officer)
    body = _body(client)
    assert "张伟" in body and "赵强" in body and "孙丽" not in body


def test_mobiles_on_the_list_are_masked(client, personas, homes):
    client.force_login(personas.grid_worker_a1)
    body = _body(client)
    assert "138****1234" in body and "13800001234" not in body


@pytest.mark.parametrize(
    ("query", "found", "not_found"),
    [
        ("张伟", "张伟", "王芳"),  # a name
        ("秀英", "李秀英", "王芳"),  # a name fragment
        ("wf", "王芳", "张伟"),  # pinyin initials
        ("WF", "王芳", "张伟"),  # in capitals
        ("202", "王芳", "张伟"),  # an address fragment (room)
        ("1234", "张伟", "王芳"),  # the last four digits of a mobile
        ("１２３４", "张伟", "王芳"),  # typed with full-width digits
        ("13911115678", "王芳", "张伟"),  # a whole mobile number
    ],
)
def test_one_box_finds_a_household_by_each_kind_of_key(
    client, personas, homes, query, found, not_found
):
    client.force_login(personas.grid_worker_a1)
    body = _body(client, q=query)
    assert found in body and not_found not in body


def test_the_search_never_reaches_into_another_grid(client, personas, homes):
    client.force_login(personas.grid_worker_a1)
    # 赵强 in grid B has a mobile ending in 1234 too.
    body = _body(client, q="1234")
    assert "张伟" in body and "赵强" not in body
    assert "找到 1 户" in body


def test_the_member_who_matched_is_highlighted_within_their_household(client, personas, homes):
    client.force_login(personas.grid_worker_a1)
    body = _body(client, q="lxy")
    assert '<li class="matched">' in body
    assert "张伟" in body  # the rest of the household is still listed


def test_a_search_that_finds_nothing_says_what_to_try(client, personas, homes):
    client.force_login(personas.grid_worker_a1)
    assert "没有找到符合条件的住户" in _body(client, q="不存在的人")


def test_the_tag_filter_keeps_households_with_a_member_so_tagged(client, personas, homes):
    client.force_login(personas.grid_worker_a1)
    body = _body(client, tag=PersonTag.ELDERLY_ALONE)
    assert "李秀英" in body and "王芳" not in body


def test_an_htmx_search_returns_only_the_results(client, personas, homes):
    client.force_login(personas.grid_worker_a1)
    response = client.get(URL, {"q": "wf"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "王芳" in body and "<html" not in body and 'id="q"' not in body


def test_the_list_shows_member_count_and_the_last_visit(client, personas, homes):
    do_record_visit(None, household=homes["a1"], visited_on=timezone.localdate(), method="door")
    client.force_login(personas.grid_worker_a1)
    body = _body(client, q="101")
    assert "2 人" in body and "0 天前走访" in body


def test_the_list_is_paginated(client, personas, homes):
    for n in range(25):
        f.household(grid_index=0, room=f"9{n:02d}")
    client.force_login(personas.grid_worker_a1)
    first = _body(client)
    assert "1 / 2" in first and "共 27 户" in first
    assert "2 / 2" in _body(client, page=2)


def test_the_list_takes_the_same_number_of_queries_for_2_or_22_households(client, personas, homes):
    client.force_login(personas.grid_worker_a1)
    client.get(URL)  # warm the session and any per-process caches

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"q": "1"}).status_code == 200
        return len(queries)

    few = count()
    for n in range(20):
        home = f.household(grid_index=0, room=f"8{n:02d}")
        f.person(home, f"住户{n}", mobile=f"1350000{n:04d}", tags=[PersonTag.CHILD])
        do_record_visit(None, household=home, visited_on=timezone.localdate(), method="phone")
    assert count() == few
    # session with its user, memberships, grid assignments, grids, the search's matched households
    # (read first: selectors._matched), count, page, members, tags, and the grid worker's own
    # numbers (households and visits, persons)
    assert few == 11


def test_other_roles_are_refused_and_anonymous_visitors_sign_in(client, personas, homes):
    assert client.get(URL).status_code == 302
    client.force_login(personas.volunteer_a)
    assert client.get(URL).status_code == 403
    client.force_login(personas.resident_a)
    assert client.get(URL).status_code == 403
    assert not AuditRecord.objects.filter(action="view_unmasked").exists()
