"""The reads of a report write, in plain SQL: they run for every submission.

`read_write_state` answers in one statement what the write must know before it checks the
figures: the form's definition key (`definitions`), whether a lock covers the unit's division
on the day, and the report already written for the unit and day, if any. `previous_values`
reads the unit's last counted figures for the "not below the previous report" rule. Same
answers on SQLite and PostgreSQL (`sql_rows` converts the columns as the ORM does).
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from civicgrid.epidemic.choices import COUNTED_STATUSES
from civicgrid.epidemic.models import DayLock, Report, ReportForm
from civicgrid.epidemic.querysets import ancestor_codes
from civicgrid.epidemic.sql_rows import columns_of, instance_from_row


@dataclass
class WriteState:
    definition_key: Any
    locked: bool  # a lock of the day covers the unit's division
    current: Report | None  # the report of the unit and day already written


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def read_write_state(
    form_id: int, unit_id: int, division_code: str, date: datetime.date
) -> WriteState | None:
    """What a write of the unit's report of `date` must know first (None: no such form)."""
    codes = ancestor_codes(division_code)
    marks = ", ".join(["%s"] * len(codes))
    day = connection.ops.adapt_datefield_value(date)
    sql = (
        f"SELECT f.definition_key, EXISTS (SELECT 1 FROM {_table(DayLock)} l "  # noqa: S608
        f"WHERE l.form_id = f.id AND l.date = %s AND l.division_code IN ({marks})), "
        f"{columns_of(Report, 'r')} FROM {_table(ReportForm)} f "
        f"LEFT JOIN {_table(Report)} r ON r.form_id = f.id AND r.unit_id = %s AND r.date = %s "
        "WHERE f.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [day, *codes, unit_id, day, form_id])
        row = cursor.fetchone()
    if row is None:
        return None
    current = instance_from_row(Report, row[2:]) if row[2] is not None else None
    return WriteState(definition_key=row[0], locked=bool(row[1]), current=current)


def previous_values(
    form_id: int, unit_id: int, date: datetime.date
) -> tuple[dict[str, Decimal] | None, datetime.date | None]:
    """The unit's last counted figures before `date`, and that report's day."""
    statuses = [str(s) for s in COUNTED_STATUSES]
    marks = ", ".join(["%s"] * len(statuses))
    sql = (
        f"SELECT {connection.ops.quote_name('values')}, date FROM {_table(Report)} "  # noqa: S608
        f"WHERE form_id = %s AND unit_id = %s AND date < %s AND status IN ({marks}) "
        "ORDER BY date DESC LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [form_id, unit_id, connection.ops.adapt_datefield_value(date), *statuses]
        )
        before = cursor.fetchone()
    if before is None:
        return None, None
    values = json.loads(before[0]) if isinstance(before[0], str | bytes) else before[0]
    day = before[1]
    if isinstance(day, str):  # SQLite answers a plain SELECT's date as text
        day = datetime.date.fromisoformat(day)
    return {k: Decimal(v) for k, v in values.items()}, day
