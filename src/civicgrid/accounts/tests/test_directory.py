"""The staff directory: masked mobiles, an audited reveal with a reason, and the subject sees it."""

import pytest

from civicgrid.core.audit.models import AuditRecord

pytestmark = pytest.mark.django_db
MOBILE = "13700001111"


@pytest.fixture
def colleague(personas):
    officer = personas.county_a_officer
    officer.mobile = MOBILE
    officer.save()
    return officer


def _reveal(client, colleague, reason="核对疫情报送"):
    membership = colleague.active_memberships[0]
    return client.post(f"/accounts/directory/{membership.pk}/reveal/", {"reason": reason})


def test_the_directory_lists_my_jurisdiction_with_masked_mobiles(client, personas, colleague):
    client.force_login(personas.city_officer)
    body = client.get("/accounts/directory/").content.decode()
    assert "阜城县疫情防控办公室" in body and "景县疫情防控办公室" in body
    assert "137****1111" in body and MOBILE not in body
    assert "河北省疫情防控办公室" not in body


def test_a_sibling_county_does_not_appear(client, personas, colleague):
    client.force_login(personas.county_b_officer)
    body = client.get("/accounts/directory/").content.decode()
    assert "阜城县" not in body


def test_a_reveal_with_a_reason_shows_the_number_and_is_audited(client, personas, colleague):
    client.force_login(personas.city_officer)
    response = _reveal(client, colleague)
    assert MOBILE in response.content.decode()
    record = AuditRecord.objects.get(action="view_unmasked")
    assert record.actor == personas.city_officer
    assert record.subject_key == f"user:{colleague.pk}"
    assert record.reason == "核对疫情报送"


def test_a_reveal_without_a_reason_shows_nothing_and_writes_nothing(client, personas, colleague):
    client.force_login(personas.city_officer)
    body = _reveal(client, colleague, reason=" ").content.decode()
    assert MOBILE not in body and "理由" in body
    assert not AuditRecord.objects.filter(action="view_unmasked").exists()


def test_a_volunteer_may_not_reveal(client, personas, colleague):
    from civicgrid.accounts.actions import do_grant_role

    # Give the volunteer sight of the county, so only the role stands in the way.
    do_grant_role(
        user=personas.volunteer_a,
        organisation=personas.organisations["volunteers_a1"],
        role="volunteer",
    )
    client.force_login(personas.volunteer_a)
    assert _reveal(client, colleague).status_code in (403, 404)
    assert not AuditRecord.objects.filter(action="view_unmasked").exists()


def test_the_other_county_gets_404_and_the_attempt_is_audited(client, personas, colleague):
    client.force_login(personas.county_b_officer)
    assert _reveal(client, colleague).status_code == 404
    denied = AuditRecord.objects.get(action="access_denied")
    assert denied.actor == personas.county_b_officer


def test_the_colleague_sees_who_read_their_number_but_not_their_name(client, personas, colleague):
    client.force_login(personas.city_officer)
    _reveal(client, colleague)
    client.force_login(colleague)
    body = client.get("/audit/my-data/").content.decode()
    assert "衡水市疫情防控办公室" in body and "核对疫情报送" in body
    assert "city_officer" not in body
