"""The reads of a report write, in plain SQL: they run for every submission.

`read_write_state` answers in one statement what the write must know before it checks the
figures: the form's definition key (`definitions`), whether a lock covers the unit's division
on the day, and the report already written for the unit and day, if any. `previous_values`
reads the unit's last counted figures for the "not below the previous report" rule. Same
answers on SQLite and PostgreSQL (`sql_rows` converts the columns as the ORM does).
"""

import datetime
import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from civicgrid.core.sql_rows import columns_of, database, instance_from_row, prepared_cursor
from civicgrid.epidemic.choices import COUNTED_STATUSES
from civicgrid.epidemic.models import DayLock, Report, ReportForm
from civicgrid.epidemic.querysets import ancestor_codes


@dataclass
class WriteState:
    definition_key: Any
    locked: bool  # a lock of the day covers the unit's division
    current: Report | None  # the report of the unit and day already written


def read_write_state(
    form_id: int, unit_id: int, division_code: str, date: datetime.date
) -> WriteState | None:
    """What a write of the unit's report of `date` must know first (None: no such form)."""
    db = database()
    codes = ancestor_codes(division_code)
    day = db.ops.adapt_datefield_value(date)
    with prepared_cursor() as cursor:
        cursor.execute(_state_sql(len(codes), db.vendor), [day, *codes, unit_id, day, form_id])
        row = cursor.fetchone()
    if row is None:
        return None
    current = instance_from_row(Report, row[2:]) if row[2] is not None else None
    return WriteState(definition_key=row[0], locked=bool(row[1]), current=current)


def hold_form_against_locking(form_id: int) -> None:
    """Inside a report's write, before its state is read: share-lock the form's row so that a
    province locking a day of it (`do_lock_day` takes the row FOR UPDATE) waits for this write
    to commit, and this write, if it comes second, waits for the lock and then sees it.
    Without it a first report could be inserted just after the lock's UPDATE had run and stay
    "submitted" on a locked day. KEY SHARE does not conflict with edits of the form's own
    columns, nor with other reports' writes. SQLite runs one writer at a time: nothing to do."""
    db = database()
    if db.vendor != "postgresql":
        return
    with prepared_cursor() as cursor:
        cursor.execute(_hold_sql(), [form_id])


@functools.cache
def _hold_sql() -> str:
    table = database().ops.quote_name(ReportForm._meta.db_table)
    return f"SELECT 1 FROM {table} WHERE id = %s FOR KEY SHARE"  # noqa: S608


@functools.cache
def _state_sql(codes: int, vendor: str) -> str:
    quote = database().ops.quote_name
    marks = ", ".join(["%s"] * codes)
    return (
        f"SELECT f.definition_key, EXISTS (SELECT 1 FROM {quote(DayLock._meta.db_table)} l "  # noqa: S608
        f"WHERE l.form_id = f.id AND l.date = %s AND l.division_code IN ({marks})), "
        f"{columns_of(Report, 'r')} FROM {quote(ReportForm._meta.db_table)} f "
        f"LEFT JOIN {quote(Report._meta.db_table)} r "
        "ON r.form_id = f.id AND r.unit_id = %s AND r.date = %s WHERE f.id = %s"
    )


def previous_values(
    form_id: int, unit_id: int, date: datetime.date
) -> tuple[dict[str, Decimal] | None, datetime.date | None]:
    """The unit's last counted figures before `date`, and that report's day."""
    db = database()
    with prepared_cursor() as cursor:
        cursor.execute(
            _previous_sql(db.vendor),
            [form_id, unit_id, db.ops.adapt_datefield_value(date), *COUNTED],
        )
        before = cursor.fetchone()
    if before is None:
        return None, None
    values = json.loads(before[0]) if isinstance(before[0], str | bytes) else before[0]
    day = before[1]
    if isinstance(day, str):  # SQLite answers a plain SELECT's date as text
        day = datetime.date.fromisoformat(day)
    return {k: Decimal(v) for k, v in values.items()}, day


COUNTED = [str(s) for s in COUNTED_STATUSES]


@functools.cache
def _previous_sql(vendor: str) -> str:
    quote = database().ops.quote_name
    marks = ", ".join(["%s"] * len(COUNTED))
    return (
        f"SELECT {quote('values')}, date FROM {quote(Report._meta.db_table)} "  # noqa: S608
        f"WHERE form_id = %s AND unit_id = %s AND date < %s AND status IN ({marks}) "
        "ORDER BY date DESC LIMIT 1"
    )
