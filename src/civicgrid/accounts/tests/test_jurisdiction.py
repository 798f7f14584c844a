"""Jurisdiction: roles, the subtree each one sees, and the one scoping method."""

import pytest
from django.core.exceptions import ValidationError

from civicgrid.accounts.actions import do_create_organisation, do_grant_role
from civicgrid.accounts.models import Membership, Organisation
from civicgrid.core.scoping import covers
from civicgrid.regions.models import Division

pytestmark = pytest.mark.django_db


def _visible_names(user):
    return set(Organisation.objects.visible_to(user).values_list("name", flat=True))


def test_each_level_sees_its_subtree_and_nothing_beside_it(personas):
    assert "景县疫情防控办公室" in _visible_names(personas.province_officer)
    assert _visible_names(personas.city_officer) >= {"阜城县疫情防控办公室", "景县疫情防控办公室"}
    assert "河北省疫情防控办公室" not in _visible_names(personas.city_officer)
    county_a = _visible_names(personas.county_a_officer)
    assert "阜城县疫情防控办公室" in county_a and "示例社区居委会" in county_a
    assert "景县疫情防控办公室" not in county_a
    assert not any("阜城" in name for name in _visible_names(personas.county_b_officer))


def test_residents_and_anonymous_visitors_see_no_scoped_rows(personas):
    from django.contrib.auth.models import AnonymousUser

    assert _visible_names(personas.resident_a) == set()
    assert _visible_names(AnonymousUser()) == set()
    assert len(_visible_names(personas.admin)) == Organisation.objects.count()


def test_covers_answers_for_single_codes(personas):
    assert covers(personas.county_a_officer, "131128100001")
    assert not covers(personas.county_a_officer, "131127100001")
    assert covers(personas.admin, "131127100001")
    assert not covers(personas.resident_a, "131128100001")


def test_a_role_must_suit_the_organisation_type(personas):
    with pytest.raises(ValidationError, match="不能设置"):
        do_grant_role(
            user=personas.resident_a,
            organisation=personas.organisations["cdc_a"],
            role="grid_worker",
        )


def test_a_jurisdiction_cannot_reach_outside_the_organisation(personas):
    with pytest.raises(ValidationError, match="不在机构所在区划"):
        do_grant_role(
            user=personas.resident_a,
            organisation=personas.organisations["county_a"],
            role="county_officer",
            jurisdiction=Division.objects.get(code="131127000000"),
        )


def test_a_narrower_jurisdiction_inside_the_organisation_is_allowed(personas):
    membership = do_grant_role(
        user=personas.resident_b,
        organisation=personas.organisations["county_a"],
        role="county_officer",
        jurisdiction=Division.objects.get(code="131128100000"),
    )
    assert membership.division_code == "131128100000"


def test_inactive_memberships_and_organisations_grant_nothing(personas):
    Membership.objects.filter(user=personas.county_a_officer).update(is_active=False)
    personas.county_a_officer.__dict__.pop("active_memberships", None)
    assert personas.county_a_officer.jurisdiction_codes() == []
    assert _visible_names(personas.county_a_officer) == set()


def test_organisation_names_are_unique_per_division(personas):
    from django.core.exceptions import ValidationError as VE

    with pytest.raises(VE):
        do_create_organisation(
            name="阜城县疫情防控办公室",
            type="prevention_office",
            division=personas.organisations["county_a"].division,
        )
