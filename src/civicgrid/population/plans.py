"""Statements planned for their values: the register's searches on PostgreSQL.

With psycopg's `prepare_threshold` set (settings), a statement that a connection has run five
times is prepared, and PostgreSQL soon switches a prepared statement to one plan for any values
(a generic plan). That suits look-ups by key; it does not suit a search, whose best plan
depends on what was typed. A generic plan cannot tell initials that match 19 people from
initials that match 12,000, and it takes any range of division codes (a whole county's
jurisdiction) for 0.5% of the table. Measured in a county of 500,000 persons: the household
list's page read all 180,000 of the county's households through the code index under a
generic plan, 0.5–1 s of database time per request where a plan made for the values takes
1–15 ms.

Inside `planned_for_values()` the connection prepares nothing, so each statement is sent
unnamed and PostgreSQL plans it with its parameters (≈ 0.3 ms of planning). The searches'
many statement variants (each kind of text, with or without an address) also stay out of the
connection's cache of 100 prepared statements, which the hot paths' statements keep. On SQLite,
or with prepared statements turned off, nothing changes.
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from django.db import DEFAULT_DB_ALIAS, connections

from civicgrid.core.scoping import Principal
from civicgrid.population.querysets import grid_restriction


@contextmanager
def planned_for_values(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the statements of the block unprepared (planned for their values) on PostgreSQL."""
    db = connections[using]
    if db.vendor != "postgresql":
        yield
        return
    db.ensure_connection()
    raw = db.connection
    saved = raw.prepare_threshold
    if saved is None:
        yield
        return
    raw.prepare_threshold = None  # psycopg: prepare nothing, use no prepared statement
    try:
        yield
    finally:
        # The connection may have been closed and replaced inside the block (an error with
        # CONN_HEALTH_CHECKS): restore the setting on the one this block changed.
        raw.prepare_threshold = saved


def planned_for_reach(principal: Principal) -> AbstractContextManager[None]:
    """`planned_for_values()` for a principal who searches a whole jurisdiction. A grid
    worker's statements read their own grids (≈ 330 households) whatever the plan, so they
    keep prepared statements and skip the planning (≈ 1.5 ms of database CPU a request)."""
    return nullcontext() if grid_restriction(principal) is not None else planned_for_values()
