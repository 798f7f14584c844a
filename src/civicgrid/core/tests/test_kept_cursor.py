"""The cursor core.sql_rows keeps per PostgreSQL connection for its fixed statements: kept
while the connection lives, replaced with it, never used while statements are recorded."""

import pytest
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts.models import User
from civicgrid.core.postgresql.base import IDLE_BEFORE_CHECK
from civicgrid.core.sql_rows import fetch_by_pk, prepared_cursor
from civicgrid.core.tests.test_health_check import terminate

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL keeps a cursor"
)


def cursor_now():
    with prepared_cursor() as cursor:
        return cursor


@pytest.mark.django_db
@on_postgresql
def test_fixed_statements_share_one_cursor_on_a_connection(personas):
    first = cursor_now()
    assert fetch_by_pk(User, personas.clerk_a.pk) == personas.clerk_a
    assert cursor_now() is first


@pytest.mark.django_db
@on_postgresql
def test_recorded_statements_get_their_own_recording_cursor(personas):
    kept = cursor_now()
    with CaptureQueriesContext(connection) as queries:
        assert cursor_now() is not kept
        fetch_by_pk(User, personas.clerk_a.pk)
    assert len(queries) == 1


@pytest.mark.django_db
@on_postgresql
def test_a_failed_statement_leaves_the_kept_cursor_usable(personas):
    with pytest.raises(DatabaseError), transaction.atomic(), prepared_cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM accounts_user")
    assert fetch_by_pk(User, personas.clerk_a.pk) == personas.clerk_a


@pytest.mark.django_db(transaction=True)  # reconnects: no test transaction to keep open
@on_postgresql
def test_a_new_connection_gets_a_new_cursor(personas):
    user = User.objects.create_user(username="kept", password="x-Long-Passw0rd")
    old = cursor_now()
    connection.close()
    assert fetch_by_pk(User, user.pk) == user
    assert cursor_now() is not old


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_a_dead_idle_connection_is_replaced_before_a_fixed_statement(personas):
    user = User.objects.create_user(username="kept", password="x-Long-Passw0rd")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    terminate(pid)
    connection.used_at -= IDLE_BEFORE_CHECK + 1
    close_old_connections()  # a new request
    assert fetch_by_pk(User, user.pk) == user


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's cursors")
def test_sqlite_gets_a_new_cursor_each_time():
    """A kept SQLite cursor still holding a statement would keep its connection reading an
    old snapshot."""
    assert cursor_now() is not cursor_now()
