"""Which of the register's statements PostgreSQL may prepare.

A prepared statement soon gets one plan for any values (a generic plan). That suits a grid
worker, whose statements read their own grids (≈ 330 households) whatever the plan: preparing
them saves ≈ 1.5 ms of database planning a request. It does not suit anyone who searches a
whole jurisdiction: a generic plan cannot tell initials that match 19 people from initials that
match 12,000, and takes a county's range of division codes for 0.5 % of the table. Measured in
a county of 500,000 persons with every repeated statement prepared: the household list's page
read all 180,000 of the county's households through the code index, 0.5–1 s of database time
a request where a plan made for the values takes 1–15 ms. So their statements stay unprepared,
as every statement is unless a block asks (`core.sql_rows.prepared_statements`).
"""

from contextlib import AbstractContextManager, nullcontext

from civicgrid.core.scoping import Principal
from civicgrid.core.sql_rows import prepared_statements
from civicgrid.population.querysets import grid_restriction


def prepared_for_grid_workers(principal: Principal) -> AbstractContextManager[None]:
    """`prepared_statements()` for a grid worker; nothing (each statement planned for its
    values) for a principal who reads a whole jurisdiction."""
    return prepared_statements() if grid_restriction(principal) is not None else nullcontext()
