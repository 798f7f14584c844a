"""Prepared statements on PostgreSQL only where asked for (core.sql_rows.prepared_statements):
the hot paths' fixed look-ups are parsed and planned once, everything else with its values."""

import pytest
from django.db import connection

from civicgrid.accounts.models import User
from civicgrid.core.sql_rows import PREPARE_AFTER, fetch_by_pk, prepared_statements

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has no prepared statements to keep"
    ),
]


def prepared_here() -> list[str]:
    """The statements this connection has prepared."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_fixed_look_up_is_prepared_once_it_has_run_often_enough(personas):
    user = personas.resident_a
    for _ in range(PREPARE_AFTER):
        fetch_by_pk(User, user.pk)
    assert not any("accounts_user" in s for s in prepared_here())
    found = fetch_by_pk(User, user.pk)
    assert found == user
    assert any('FROM "accounts_user" WHERE "id" = $1' in s for s in prepared_here())
    assert fetch_by_pk(User, user.pk + 10_000) is None  # a prepared statement, other values


def test_other_statements_are_planned_with_their_values_however_often_they_run(personas):
    for _ in range(PREPARE_AFTER * 3):
        list(User.objects.filter(username__startswith="resident"))
    assert not any("username" in s for s in prepared_here())


def test_the_connection_prepares_nothing_again_after_the_block_even_after_an_error(personas):
    raw = (connection.ensure_connection(), connection.connection)[1]
    before = raw.prepare_threshold
    with pytest.raises(ZeroDivisionError), prepared_statements():
        assert raw.prepare_threshold == PREPARE_AFTER
        _ = 1 / 0
    assert raw.prepare_threshold == before is None


@pytest.mark.django_db(transaction=True)  # the request's transaction is the outermost
def test_a_replayed_retry_keeps_the_connections_prepared_statements(client, personas):
    """psycopg forgets every prepared statement of a connection on a rollback: a phone's
    retry must not cause one (its key is found taken without an error)."""
    client.force_login(personas.county_a_officer)
    for n in range(PREPARE_AFTER + 1):
        client.post("/tasks/demo/", {}, HTTP_IDEMPOTENCY_KEY=f"k{n}", HTTP_HX_REQUEST="true")
    claim = [s for s in prepared_here() if 'INSERT INTO "core_idempotencyrecord"' in s]
    assert claim
    retry = client.post("/tasks/demo/", {}, HTTP_IDEMPOTENCY_KEY="k0", HTTP_HX_REQUEST="true")
    assert retry["Idempotent-Replayed"] == "true"
    assert claim[0] in prepared_here()
