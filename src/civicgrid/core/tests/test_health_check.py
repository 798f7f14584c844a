"""The connection health check (core.postgresql): skipped on a connection used moments ago,
made on one that sat idle, and a dead idle connection is replaced before the request's query."""

import pytest
from django.db import OperationalError, close_old_connections, connection, connections

from civicgrid.core.postgresql.base import IDLE_BEFORE_CHECK

pytestmark = [
    pytest.mark.django_db(transaction=True),  # requests between transactions, as served
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]


@pytest.fixture
def checks(monkeypatch):
    """How many times the connection asked the server whether it is alive."""
    made = []
    real = connection.is_usable

    def counted():
        made.append(1)
        return real()

    monkeypatch.setattr(connection, "is_usable", counted)
    return made


def request_query():
    """What a request does: Django's start-of-request check, then a query."""
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate(pid):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def test_a_connection_used_moments_ago_is_not_checked(checks):
    first = request_query()
    assert request_query() == first
    assert checks == []


def test_a_connection_idle_longer_than_the_limit_is_checked_once_per_request(checks):
    first = request_query()
    connection.used_at -= IDLE_BEFORE_CHECK + 1
    assert request_query() == first
    assert checks == [1]
    with connection.cursor() as cursor:  # the same request: checked already
        cursor.execute("SELECT 1")
    assert checks == [1]


def test_a_dead_idle_connection_is_replaced_before_the_query():
    first = request_query()
    terminate(first)
    connection.used_at -= IDLE_BEFORE_CHECK + 1
    assert request_query() != first


def test_a_connection_that_died_while_busy_fails_one_request_then_is_replaced():
    first = request_query()
    terminate(first)
    with pytest.raises(OperationalError):
        request_query()
    assert request_query() != first  # the failed request's end closed it
