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


def test_sees_person_answers_as_the_queryset_does_for_everyone(personas, homes):
    """`sees_person` filters rows a fixed statement read without scoping (a household's
    members): for every persona, an organisation's API token, a grid worker of one grid and
    then of two, and an anonymous visitor, it must pick exactly the persons `visible_to`
    gives, among them one with no grid and one whose grid is not their household's."""
    from django.contrib.auth.models import AnonymousUser

    from civicgrid.accounts.actions import do_issue_api_token
    from civicgrid.population.querysets import sees_person

    Person.objects.filter(pk=f.person(homes["a"], name="无网格").pk).update(grid=None)
    moved = f.person(homes["a"], name="另一网格")
    Person.objects.filter(pk=moved.pk).update(grid=homes["b"].grid)
    token = do_issue_api_token(
        created_by=None, organisation=personas.organisations["county_a"], name="县系统"
    ).token
    persons = list(Person.objects.all())
    assert len(persons) == 5

    def check(principal) -> None:
        expected = set(Person.objects.visible_to(principal).values_list("pk", flat=True))
        seen = {p.pk for p in persons if sees_person(principal, p.division_code, p.grid_id)}
        assert seen == expected, principal

    for principal in [*personas.users.values(), token, AnonymousUser()]:
        check(principal)
    worker = personas.grid_worker_a1
    f.assign(worker, grid_index=1)
    worker.__dict__.pop("_assigned_grid_ids", None)
    check(worker)
    assert sees_person(worker, moved.division_code, homes["b"].grid_id)
