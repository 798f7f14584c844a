"""Django's PostgreSQL backend with a health check that a busy connection skips.

With CONN_HEALTH_CHECKS Django sends `SELECT 1` before the first query of every request on a
reused connection. On a gate scan that is one round trip in nine, paid for nothing: the
connection answered a query a few milliseconds earlier. Here a connection is checked only
when it has been idle for IDLE_BEFORE_CHECK seconds, which is when connections die in
practice (the server restarted overnight, a firewall or `idle_session_timeout` dropped it).
If the server goes away while connections are busy, each one fails a single request, and
Django closes it at the end of that request, as it does with no checks at all.
"""

import time

from django.db.backends.postgresql import base

IDLE_BEFORE_CHECK = 5.0  # seconds


class DatabaseWrapper(base.DatabaseWrapper):
    # time.monotonic() when the connection was last about to run a statement: Django asks
    # close_if_health_check_failed() before each cursor, and core.sql_rows before each use
    # of its kept cursor.
    used_at = float("-inf")

    def close_if_health_check_failed(self) -> None:
        if self.connection is not None and time.monotonic() - self.used_at < IDLE_BEFORE_CHECK:
            self.health_check_done = True  # proven moments ago
        super().close_if_health_check_failed()
        self.used_at = time.monotonic()
