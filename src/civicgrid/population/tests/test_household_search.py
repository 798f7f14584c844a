"""The API's household search (`household_rows.household_search_page`) answers exactly what
`households_for` and the documented schema make of the same filters, whichever way it finds
the page (matches sorted, or the list's index walked), and plans its statements for their
values on PostgreSQL even where the connection prepares repeated statements."""

import json

import pytest
from django.db import connection
from ninja.responses import NinjaJSONEncoder

from civicgrid.accounts.actions import do_issue_api_token
from civicgrid.core.paging import Paging, page_of
from civicgrid.core.sql_rows import PREPARE_AFTER
from civicgrid.population import household_rows, selectors
from civicgrid.population.actions import do_change_person_status, do_move_person
from civicgrid.population.api import HouseholdPage
from civicgrid.population.choices import PersonStatus, PersonTag, Relationship
from civicgrid.population.household_rows import household_search_page
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/population/households"


@pytest.fixture
def register(personas):
    """Households in grid A (some sharing initials), grid B, and county B."""
    for n in range(6):
        home = f.household(grid_index=0, room=f"{n + 1}01")
        f.person(home, f"张伟{n}", relationship=Relationship.HEAD, mobile=f"1380000{n:04d}")
        f.person(home, "李秀英", relationship=Relationship.SPOUSE, tags=[PersonTag.KEY_PERSON])
    lone = f.household(grid_index=0, room="701")
    late = f.person(lone, "张建国", relationship=Relationship.HEAD)
    do_change_person_status(None, person=late, status=PersonStatus.DECEASED, reason="病故")
    f.household(grid_index=0, room="801")  # nobody at all
    other_grid = f.household(grid_index=1, room="303")
    f.person(other_grid, "张伟", relationship=Relationship.HEAD, mobile="13700000001")
    county_b = f.household(f.COMMUNITY_B1, room="404")
    f.person(county_b, "张伟", relationship=Relationship.HEAD, mobile="13700000001")
    f.assign(personas.grid_worker_a1, grid_index=0)
    return personas


def _expected(principal, paging, **filters):
    """What the schema makes of `households_for` and its members, page by page."""
    households = selectors.households_for(principal, **filters)
    rows = households.prefetch_related(selectors.members_prefetch(principal))
    page = HouseholdPage.model_validate(page_of(rows, paging, ids_first=True))
    return json.loads(json.dumps(page.model_dump(), cls=NinjaJSONEncoder))


QUERIES = ["张伟", "张", "zw", "lxy", "z", "0001", "1234", "101", "阜城", "zzz", "张伟0"]


@pytest.mark.parametrize("who", ["grid_worker_a1", "county_a_officer", "county_b_officer"])
@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("dense_past", [household_rows.MATCHES_DENSE, 0])
def test_the_search_answers_what_households_for_and_the_schema_answer(
    register, who, query, dense_past, monkeypatch
):
    monkeypatch.setattr(household_rows, "MATCHES_DENSE", dense_past)
    principal = register.users[who]
    for limit, offset in [(20, 0), (2, 0), (2, 3), (3, 12), (1, 40)]:
        paging = Paging(limit=limit, offset=offset)
        answer = household_search_page(principal, paging, query=query)
        assert answer == _expected(principal, paging, query=query), (limit, offset)


@pytest.mark.parametrize(
    "filters",
    [{"tag": PersonTag.KEY_PERSON}, {"query": "zw", "tag": PersonTag.KEY_PERSON}, {}],
)
def test_filters_by_tag_or_none_answer_the_same_too(register, filters):
    principal = register.county_a_officer
    paging = Paging(limit=4, offset=1)
    assert household_search_page(principal, paging, **filters) == _expected(
        principal, paging, **filters
    )


def test_a_grid_filter_with_a_search_keeps_to_that_grid(register):
    principal = register.county_a_officer
    grid_b = f.grids_of(f.COMMUNITY_A1)[1]
    answer = household_search_page(principal, Paging(), query="张伟", grid_id=grid_b.pk)
    assert answer["count"] == 1 and answer["items"][0]["room"] == "303"


def test_a_search_finds_nothing_of_a_sibling_county_or_another_grid(register):
    worker = household_search_page(register.grid_worker_a1, Paging(limit=100), query="张伟")
    assert worker["count"] == 6 and {h["room"] for h in worker["items"]} == {
        f"{n + 1}01" for n in range(6)
    }
    county_b = household_search_page(register.county_b_officer, Paging(), query="zw")
    assert [h["room"] for h in county_b["items"]] == ["404"]


def test_a_person_moved_away_is_found_in_the_new_household_only(register):
    worker = register.grid_worker_a1
    first = f.household(grid_index=0, room="901")
    mover = f.person(first, "欧阳娜娜", relationship=Relationship.HEAD)
    do_move_person(None, person=mover, household=f.household(grid_index=1, room="902"))
    assert household_search_page(worker, Paging(), query="oyn")["count"] == 0
    county = household_search_page(register.county_a_officer, Paging(), query="oyn")
    assert [h["room"] for h in county["items"]] == ["902"]


def test_the_search_takes_four_statements_and_one_when_it_finds_nothing(
    client, register, django_assert_num_queries
):
    token = do_issue_api_token(
        created_by=None, organisation=register.organisations["county_a"], name="t"
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token.plaintext}"}
    client.get(API, {"q": "zw"}, **auth)
    # the token (with its organisation), then the count, the page's ids, the page, the
    # members with their tags
    with django_assert_num_queries(5):
        body = client.get(API, {"q": "zw"}, **auth).json()
    assert body["count"] == 7
    with django_assert_num_queries(2):  # the token, the count
        assert client.get(API, {"q": "qqq"}, **auth).json() == {"count": 0, "items": []}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's prepared statements")
def test_a_county_search_is_planned_for_its_values_however_often_it_runs(register):
    before = _prepared()
    for _ in range(PREPARE_AFTER * 2):
        household_search_page(register.county_a_officer, Paging(), query="zw")
    assert not any("population_household" in text for text in _prepared() - before)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's prepared statements")
def test_a_grid_workers_search_is_prepared(register):
    """A grid worker reads their own grids whatever the plan: no need to plan anew."""
    before = _prepared()
    for _ in range(PREPARE_AFTER + 1):
        household_search_page(register.grid_worker_a1, Paging(), query="zw")
    assert any("population_household" in text for text in _prepared() - before)


def _prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}
