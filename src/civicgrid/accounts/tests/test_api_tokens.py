"""API tokens: shown once, stored hashed, scoped to their organisation's jurisdiction, revocable."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from civicgrid.accounts.actions import do_issue_api_token, do_revoke_api_token
from civicgrid.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _issue(personas, org="county_a", **kwargs):
    return do_issue_api_token(
        created_by=personas.county_a_admin,
        organisation=personas.organisations[org],
        name="对接系统",
        **kwargs,
    )


def _get(client, url, token):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_only_a_hash_of_the_secret_is_stored(personas):
    issued = _issue(personas)
    secret = issued.plaintext.rsplit("_", 1)[1]
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert secret not in stored.secret_hash and len(stored.secret_hash) == 64
    assert issued.plaintext.startswith(f"cg_{stored.key_id}_")


def test_a_token_sees_its_own_jurisdiction_and_records_its_use(client, personas):
    issued = _issue(personas)
    me = _get(client, "/api/v1/accounts/me", issued.plaintext)
    assert me.status_code == 200
    assert me.json()["kind"] == "api_token"
    assert me.json()["jurisdiction_codes"] == ["131128000000"]
    names = {
        o["name"] for o in _get(client, "/api/v1/accounts/organisations", issued.plaintext).json()
    }
    assert "阜城县疫情防控办公室" in names and "景县疫情防控办公室" not in names
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at is not None


def test_a_token_of_another_county_cannot_read_county_a(client, personas):
    issued = _issue(personas, org="county_b")
    county_a = personas.organisations["county_a"]
    response = _get(client, f"/api/v1/accounts/organisations/{county_a.pk}", issued.plaintext)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "bad",
    ["", "garbage", "cg_", "cg_nokey", "xx_abc_def", "cg_000000000000_wrongsecret"],
)
def test_malformed_or_unknown_tokens_are_401(client, personas, bad):
    assert _get(client, "/api/v1/accounts/me", bad).status_code == 401


def test_a_right_key_id_with_a_wrong_secret_is_401(client, personas):
    issued = _issue(personas)
    forged = issued.plaintext[:-4] + "AAAA"
    assert _get(client, "/api/v1/accounts/me", forged).status_code == 401


def test_revoked_and_expired_tokens_stop_working(client, personas):
    revoked = _issue(personas)
    do_revoke_api_token(revoked.token)
    assert _get(client, "/api/v1/accounts/me", revoked.plaintext).status_code == 401
    expiring = _issue(personas, expires_at=timezone.now() + timedelta(days=1))
    assert _get(client, "/api/v1/accounts/me", expiring.plaintext).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert _get(client, "/api/v1/accounts/me", expiring.plaintext).status_code == 401


def test_a_token_cannot_be_scoped_beyond_its_organisation(personas):
    from django.core.exceptions import ValidationError

    from civicgrid.regions.models import Division

    with pytest.raises(ValidationError):
        _issue(personas, jurisdiction=Division.objects.get(code="131100000000"))


def test_the_token_page_shows_the_secret_once_and_revokes(client, personas):
    client.force_login(personas.county_a_admin)
    created = client.post("/accounts/tokens/", {"name": "疾控数据交换"}).content.decode()
    token = ApiToken.objects.get(name="疾控数据交换")
    assert f"cg_{token.key_id}_" in created
    listing = client.get("/accounts/tokens/").content.decode()
    assert token.key_id in listing and f"cg_{token.key_id}_" not in listing
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_an_administrator_of_another_county_cannot_revoke(client, personas):
    from civicgrid.accounts.actions import do_grant_role

    issued = _issue(personas)
    do_grant_role(
        user=personas.county_b_officer,
        organisation=personas.organisations["county_b"],
        role="administrator",
    )
    client.force_login(personas.county_b_officer)
    assert client.post(f"/accounts/tokens/{issued.token.pk}/revoke/").status_code == 404
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None


def test_reaching_for_another_countys_record_is_audited(client, personas):
    from civicgrid.core.audit.models import AuditRecord

    issued = _issue(personas, org="county_b")
    county_a = personas.organisations["county_a"]
    _get(client, f"/api/v1/accounts/organisations/{county_a.pk}", issued.plaintext)
    denied = AuditRecord.objects.get(action="access_denied")
    assert denied.actor_organisation == "景县疫情防控办公室"
    assert denied.division_code == "131128000000"
