"""A user's active memberships read with one fixed SELECT (accounts.membership_rows): the
same memberships, organisations and jurisdictions as the ORM query they replace."""

import pytest

from civicgrid.accounts.membership_rows import active_memberships
from civicgrid.accounts.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db


def orm_memberships(user: User) -> list[Membership]:
    return list(
        user.memberships.filter(is_active=True, organisation__is_active=True)
        .select_related("organisation", "jurisdiction")
        .order_by("id")
    )


def values(instance) -> dict:  # type: ignore[no-untyped-def]
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_every_persona_gets_what_the_orm_gave(personas, django_assert_num_queries):
    for user in User.objects.order_by("pk"):
        expected = orm_memberships(user)
        with django_assert_num_queries(1):  # organisations and jurisdictions come with them
            found = active_memberships(user.pk)
            seen = [(m.organisation.name, m.jurisdiction.name) for m in found]
        assert [values(m) for m in found] == [values(m) for m in expected], user.username
        assert [values(m.organisation) for m in found] == [values(m.organisation) for m in expected]
        assert seen == [(m.organisation.name, m.jurisdiction.name) for m in expected]


def test_inactive_memberships_and_organisations_are_left_out(personas):
    officer = personas.county_a_officer
    before = active_memberships(officer.pk)
    assert before
    Membership.objects.filter(pk=before[0].pk).update(is_active=False)
    assert before[0].pk not in [m.pk for m in active_memberships(officer.pk)]
    Membership.objects.filter(pk=before[0].pk).update(is_active=True)
    Organisation.objects.filter(pk=before[0].organisation_id).update(is_active=False)
    assert before[0].pk not in [m.pk for m in active_memberships(officer.pk)]


def test_a_resident_and_an_unknown_user_have_none(personas):
    assert active_memberships(personas.resident_a.pk) == []
    assert active_memberships(10**9) == []
    assert User(username="unsaved").active_memberships == []
