"""Who sees whom in the register: jurisdiction, register roles, and a grid worker's own grids."""

import pytest

from civicgrid.population.models import Household, Person
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(personas):
    grid_a = f.household(grid_index=0, room="A-101")
    grid_b = f.household(grid_index=1, room="B-101")
    county_b = f.household(f.COMMUNITY_B1, room="J-101")
    for home in (grid_a, grid_b, county_b):
        f.person(home, name=f"住户{home.room}")
    f.assign(personas.grid_worker_a1, grid_index=0)
    return {"a": grid_a, "b": grid_b, "county_b": county_b}


def _rooms(user):
    return {h.room for h in Household.objects.visible_to(user)}


def test_a_grid_worker_of_grid_a_cannot_see_grid_b(personas, homes):
    assert _rooms(personas.grid_worker_a1) == {"A-101"}
    names = set(Person.objects.visible_to(personas.grid_worker_a1).values_list("name", flat=True))
    assert names == {"住户A-101"}


def test_an_unassigned_grid_worker_sees_no_one(personas, homes):
    from civicgrid.population.models import GridAssignment

    GridAssignment.objects.all().delete()
    personas.grid_worker_a1.__dict__.pop("_assigned_grid_ids", None)
    assert _rooms(personas.grid_worker_a1) == set()


def test_county_officers_see_their_county_only(personas, homes):
    assert _rooms(personas.county_a_officer) == {"A-101", "B-101"}
    assert _rooms(personas.county_b_officer) == {"J-101"}
    assert _rooms(personas.city_officer) == {"A-101", "B-101", "J-101"}


def test_volunteers_and_residents_see_no_one_in_the_register(personas, homes):
    assert _rooms(personas.volunteer_a) == set()
    assert _rooms(personas.resident_a) == set()
