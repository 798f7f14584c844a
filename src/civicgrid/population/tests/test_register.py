"""The register's rules: one person per citizen ID, derived fields, moves and status history."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from civicgrid.population.actions import (
    do_change_person_status,
    do_move_person,
    do_record_visit,
    do_register_person,
)
from civicgrid.population.choices import PersonStatus, Relationship
from civicgrid.population.models import Person
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db


def test_birth_date_sex_and_initials_come_from_the_id_number_and_name():
    home = f.household()
    p = f.person(home, "王秀英", born=datetime.date(1950, 3, 8))
    assert p.birth_date == datetime.date(1950, 3, 8)
    assert p.sex in ("M", "F")
    assert p.name_initials == "wxy"
    assert (p.division_code, p.grid_id) == (home.division_code, home.grid_id)


def test_the_same_citizen_id_is_never_entered_twice():
    home = f.household()
    p = f.person(home)
    with pytest.raises(ValidationError, match="已在台账中登记"):
        do_register_person(None, id_number=p.id_number.reveal(), name="另一个人", household=home)
    assert Person.objects.count() == 1


def test_a_bad_check_digit_is_refused_with_the_expected_character():
    home = f.household()
    good = f.person(home).id_number.reveal()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError):
        do_register_person(None, id_number=bad, name="李四", household=home)


def test_the_head_is_recorded_on_the_household():
    home = f.household()
    head = f.person(home, relationship=Relationship.HEAD)
    home.refresh_from_db()
    assert home.head == head


def test_a_move_changes_grid_and_keeps_history():
    old = f.household(grid_index=0)
    new = f.household(grid_index=1, room="202")
    p = f.person(old, relationship=Relationship.HEAD)
    do_move_person(None, person=p, household=new, reason="搬家")
    p.refresh_from_db()
    old.refresh_from_db()
    assert (p.household, p.grid) == (new, new.grid)
    assert old.head is None
    change = p.changes.get()
    assert (change.field, change.reason) == ("household", "搬家")


def test_status_changes_are_kept_in_order():
    p = f.person(f.household())
    do_change_person_status(None, person=p, status=PersonStatus.MOVED_OUT, reason="外出务工")
    do_change_person_status(None, person=p, status=PersonStatus.LIVING_HERE, reason="返乡")
    assert [c.new_value for c in p.changes.all()] == ["moved_out", "living_here"]


def test_a_visit_cannot_be_dated_in_the_future_or_reach_strangers():
    home, other = f.household(), f.household(room="999")
    stranger = f.person(other)
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        do_record_visit(None, household=home, visited_on=tomorrow, method="door")
    with pytest.raises(ValidationError, match="该户成员"):
        do_record_visit(
            None,
            household=home,
            visited_on=datetime.date.today(),
            method="door",
            reached=[stranger],
        )
