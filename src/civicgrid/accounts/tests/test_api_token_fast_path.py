"""`authenticate_api_token` reads the token and its organisation in one plain SELECT: every check
the ORM query made still holds (revoked, expired, wrong secret, malformed strings, another
token's key id), the answer is the same model instances, and last use is written at most once a
minute."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicgrid.accounts.actions import (
    authenticate_api_token,
    do_issue_api_token,
    do_revoke_api_token,
)
from civicgrid.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _issue(personas, org="county_a", **kwargs):
    organisation = personas.organisations[org]
    return do_issue_api_token(created_by=None, organisation=organisation, name="对接系统", **kwargs)


def test_the_token_and_its_organisation_come_from_one_statement(personas):
    issued = _issue(personas)
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        token = authenticate_api_token(issued.plaintext)
        assert token is not None
        name = token.organisation.name  # already loaded: no second query
    assert len(queries) == 1
    stored = ApiToken.objects.select_related("organisation").get(pk=issued.token.pk)
    assert name == stored.organisation.name == "阜城县疫情防控办公室"
    for field in ApiToken._meta.concrete_fields:
        assert getattr(token, field.attname) == getattr(stored, field.attname), field.name
    assert token.organisation == stored.organisation
    assert token.organisation.division_code == stored.organisation.division_code
    assert token.jurisdiction_codes() == ["131128000000"]
    assert token.audit_identity() == {"organisation": name, "role": "API:对接系统"}
    assert token._state.adding is False and token._state.db == "default"


def test_a_revoked_token_is_refused(personas):
    issued = _issue(personas)
    assert authenticate_api_token(issued.plaintext) is not None
    do_revoke_api_token(issued.token)
    assert authenticate_api_token(issued.plaintext) is None


def test_an_expired_token_is_refused_from_its_expiry_on(personas):
    expires = timezone.now() + timedelta(hours=1)
    issued = _issue(personas, expires_at=expires)
    assert authenticate_api_token(issued.plaintext) is not None
    with time_machine.travel(expires - timedelta(seconds=1), tick=False):
        assert authenticate_api_token(issued.plaintext) is not None
    with time_machine.travel(expires, tick=False):  # usable() means expires_at > now
        assert authenticate_api_token(issued.plaintext) is None
    with time_machine.travel(expires + timedelta(days=1)):
        assert authenticate_api_token(issued.plaintext) is None


def test_a_wrong_secret_is_refused(personas):
    issued = _issue(personas)
    prefix, key_id, secret = issued.plaintext.split("_", 2)
    for wrong in (secret[:-1], secret + "A", secret.upper() if secret != secret.upper() else "x"):
        assert authenticate_api_token(f"{prefix}_{key_id}_{wrong}") is None


def test_another_tokens_key_id_with_this_secret_is_refused(personas):
    mine, theirs = _issue(personas), _issue(personas, org="county_b")
    _p, my_key, my_secret = mine.plaintext.split("_", 2)
    _p, their_key, their_secret = theirs.plaintext.split("_", 2)
    assert authenticate_api_token(f"cg_{their_key}_{my_secret}") is None
    assert authenticate_api_token(f"cg_{my_key}_{their_secret}") is None
    assert authenticate_api_token(mine.plaintext).pk == mine.token.pk
    assert authenticate_api_token(theirs.plaintext).organisation.name == "景县疫情防控办公室"


@pytest.mark.parametrize(
    "shape",
    [
        "",
        "cg",
        "cg_",
        "cg__",
        "cg_{key}",
        "cg_{key}_",
        "cg__{secret}",
        "CG_{key}_{secret}",
        "xx_{key}_{secret}",
        " cg_{key}_{secret}",
        "cg_{key}x_{secret}",
        "cg_{key}{key}_{secret}",  # longer than any key id can be
        "cg_{key}\x00_{secret}",  # PostgreSQL refuses NUL in text: never sent
        "cg_{key}阜_{secret}",
        "cg_' OR '1'='1_{secret}",
        "cg_%s_{secret}",
        "cg_{key}_{secret}_",
    ],
)
def test_malformed_strings_are_refused_without_an_error(personas, shape):
    issued = _issue(personas)
    _p, key, secret = issued.plaintext.split("_", 2)
    assert authenticate_api_token(shape.format(key=key, secret=secret)) is None


def test_none_is_refused(personas):
    assert authenticate_api_token(None) is None  # type: ignore[arg-type]


def test_last_use_is_written_at_most_once_a_minute(personas):
    issued = _issue(personas)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = authenticate_api_token(issued.plaintext)
    assert first.last_used_at == start
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == start
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        with CaptureQueriesContext(connection) as queries:
            again = authenticate_api_token(issued.plaintext)
        assert len(queries) == 1  # the read only
        assert again.last_used_at == start
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == start
    later = start + timedelta(minutes=1, seconds=1)
    with time_machine.travel(later, tick=False):
        assert authenticate_api_token(issued.plaintext).last_used_at == later
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == later


def test_a_token_is_refused_through_the_api_once_revoked(client, personas):
    issued = _issue(personas)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}
    assert client.get("/api/v1/accounts/me", **auth).status_code == 200
    do_revoke_api_token(issued.token)
    assert client.get("/api/v1/accounts/me", **auth).status_code == 401
