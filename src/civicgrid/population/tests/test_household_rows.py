"""The API's household and person lists are built from plain rows (household_rows); they must
answer exactly what the documented schemas make of the model instances, for every kind of row."""

import json

import pytest
from django.db import connection
from ninja.responses import NinjaJSONEncoder

from civicgrid.core.paging import Paging, page_of
from civicgrid.population import selectors
from civicgrid.population.actions import do_change_person_status
from civicgrid.population.api import HouseholdPage, PersonPage
from civicgrid.population.choices import PersonStatus, PersonTag, Relationship
from civicgrid.population.household_rows import household_page, person_page
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db


def _as_json(page):
    return json.loads(json.dumps(page.model_dump(), cls=NinjaJSONEncoder))


def _through_the_schema(principal, households, paging):
    rows = households.prefetch_related(selectors.members_prefetch(principal))
    return _as_json(HouseholdPage.model_validate(page_of(rows, paging, ids_first=True)))


@pytest.fixture
def register(personas):
    full = f.household(grid_index=0, room="101")
    f.person(full, "张伟", relationship=Relationship.HEAD, mobile="13800001234")
    f.person(full, "李秀英", relationship=Relationship.SPOUSE, tags=[PersonTag.KEY_PERSON])
    f.person(full, "张小明", relationship=Relationship.CHILD, tags=[PersonTag.CHILD])
    late = f.person(full, "张建国", relationship=Relationship.PARENT)
    do_change_person_status(None, person=late, status=PersonStatus.DECEASED, reason="病故")
    f.household(grid_index=0, room="102")  # nobody living there, no head, no mobile
    headless = f.household(grid_index=0, room="103")
    f.person(headless, "王芳", relationship=Relationship.OTHER)
    f.household(grid_index=1, room="201")  # another grid: the grid worker must not see it
    f.assign(personas.grid_worker_a1, grid_index=0)
    return personas


@pytest.mark.parametrize("who", ["grid_worker_a1", "county_a_officer"])
@pytest.mark.parametrize(("limit", "offset"), [(20, 0), (1, 0), (1, 1), (2, 5)])
def test_the_rows_equal_the_schemas_answer(register, who, limit, offset):
    principal = register.users[who]
    households = selectors.households_for(principal)
    paging = Paging(limit=limit, offset=offset)
    assert household_page(principal, households, paging) == _through_the_schema(
        principal, households, paging
    )


def test_the_numbers_stay_masked_and_the_dead_are_left_out(register):
    principal = register.grid_worker_a1
    page = household_page(principal, selectors.households_for(principal), Paging())
    assert page["count"] == 3
    full = next(h for h in page["items"] if h["room"] == "101")
    assert full["members"][0]["name"] == "张伟"  # the head first
    assert "张建国" not in {m["name"] for m in full["members"]}
    assert full["member_count"] == 3
    assert full["members"][0]["mobile"].endswith("1234")
    assert "0000" not in full["members"][0]["mobile"]
    assert "*" in full["members"][0]["id_number"]


@pytest.mark.parametrize("who", ["grid_worker_a1", "county_a_officer"])
def test_a_member_the_reader_does_not_see_is_left_out_as_the_schema_leaves_them(register, who):
    """A person kept in a household of grid 1 but filed under grid 2 (say, half-way through a
    move): the members are read without scoping and filtered by `sees_person`."""
    from civicgrid.population.models import Household, Person

    home = Household.objects.get(room="101")
    elsewhere = Household.objects.get(room="201")
    moving = f.person(
        home, "赵迁出", relationship=Relationship.OTHER, tags=[PersonTag.ELDERLY_ALONE]
    )
    Person.objects.filter(pk=moving.pk).update(grid=elsewhere.grid)
    principal = register.users[who]
    households = selectors.households_for(principal)
    page = household_page(principal, households, Paging())
    assert page == _through_the_schema(principal, households, Paging())
    members = {m["name"] for h in page["items"] for m in h["members"]}
    assert ("赵迁出" in members) == (who == "county_a_officer")


@pytest.mark.parametrize("who", ["grid_worker_a1", "county_a_officer"])
@pytest.mark.parametrize("query", ["", "张", "zw", "1234"])
@pytest.mark.parametrize(("limit", "offset"), [(20, 0), (2, 1), (2, 9)])
def test_person_rows_equal_the_schemas_answer(register, who, query, limit, offset):
    persons = selectors.matching_persons(register.users[who], query)
    paging = Paging(limit=limit, offset=offset)
    expected = page_of(persons.prefetch_related("taggings"), paging)
    assert person_page(register.users[who], persons, paging) == _as_json(
        PersonPage.model_validate(expected)
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan asked for is SQLite's")
def test_an_initials_page_across_a_county_is_ordered_from_the_initials_index_alone(register):
    """SQLite has no INCLUDE: unless the initials index holds the name, each match of a
    county's initials search is read from the table to be sorted (20 ms for 10,000)."""
    persons = selectors.matching_persons(register.users["county_a_officer"], "zw")
    plan = persons.values_list("pk", flat=True)[:20].explain()
    assert "COVERING INDEX population_person_initials" in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan asked for is SQLite's")
def test_a_jurisdictions_household_list_is_read_from_its_range_of_the_list_index(register):
    """A county's list page by page, each grid's households sorted as they come: not the
    whole county sorted (224 ms for 180,000 on SQLite), nor other counties walked past."""
    households = selectors.households_for(register.users["county_a_officer"])
    plan = households.values_list("pk", flat=True)[:20].explain()
    assert "population_household_list (division_code>? AND division_code<?)" in plan
    assert "RIGHT PART OF ORDER BY" in plan
