"""Writing the live statistics inside the transaction of a report's write.

`add_report_change` turns a report's change into increments for the unit's division and every
division above it, and adds them with one multi-row UPSERT per table. Rows go in a fixed order
(division code, then element) so two transactions that touch the same rows lock them in the
same order and cannot deadlock each other on PostgreSQL; SQLite's single writer lock makes the
question moot there. See `models.statistics`.
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.db import connection

from civicgrid.core import division_codes
from civicgrid.epidemic.models import (
    DataElement,
    ElementTotal,
    LineListTotal,
    ReportForm,
    ReportTally,
)
from civicgrid.epidemic.querysets import ancestor_codes

HUNDRED = Decimal(100)


def to_hundredths(value: Decimal | str) -> int:
    return int(Decimal(value) * HUNDRED)


def value_deltas(
    elements: list[DataElement], old: Mapping[str, str], new: Mapping[str, str]
) -> dict[int, int]:
    """Element id → change in hundredths between two counted value maps (missing = 0)."""
    deltas = {}
    for element in elements:
        change = to_hundredths(new.get(element.code, "0")) - to_hundredths(
            old.get(element.code, "0")
        )
        if change:
            deltas[element.pk] = change
    return deltas


def add_report_change(
    *,
    form: ReportForm,
    division_code: str,
    date: datetime.date,
    deltas: Mapping[int, int],
    reports: int = 0,
    on_time: int = 0,
) -> None:
    """Add `deltas` (element id → hundredths) and the report counts to every level above and
    at `division_code` for `date`. Must run inside the report's transaction."""
    codes = ancestor_codes(division_code)
    levels = {code: division_codes.level_of(code) for code in codes}
    day = connection.ops.adapt_datefield_value(date)
    if deltas:
        rows = [
            (form.pk, element_id, code, levels[code], day, deltas[element_id])
            for code in codes
            for element_id in sorted(deltas)
        ]
        _upsert(
            ElementTotal._meta.db_table,
            ("form_id", "element_id", "division_code", "level", "date", "hundredths"),
            ("form_id", "division_code", "date", "element_id"),
            ("hundredths",),
            rows,
        )
    if reports or on_time:
        rows = [(form.pk, code, levels[code], day, reports, on_time) for code in codes]
        _upsert(
            ReportTally._meta.db_table,
            ("form_id", "division_code", "level", "date", "reports", "on_time"),
            ("form_id", "division_code", "date"),
            ("reports", "on_time"),
            rows,
        )


def add_line_list_events(
    *, division_code: str, date: datetime.date, counts: Mapping[str, int]
) -> None:
    """Add line-list events (measure → how many) of `date` to `division_code` and every level
    above it, like a report's change. Must run inside the transaction of the case, contact or
    observation write, so a new case is in the figures at every level when it commits."""
    counts = {m: n for m, n in counts.items() if n}
    if not counts:
        return
    day = connection.ops.adapt_datefield_value(date)
    rows = [
        (code, division_codes.level_of(code), day, measure, counts[measure])
        for code in ancestor_codes(division_code)
        for measure in sorted(counts)
    ]
    _upsert(
        LineListTotal._meta.db_table,
        ("division_code", "level", "date", "measure", "count"),
        ("division_code", "date", "measure"),
        ("count",),
        rows,
    )


def _upsert(
    table: str,
    columns: tuple[str, ...],
    key: tuple[str, ...],
    added: tuple[str, ...],
    rows: list[tuple[object, ...]],
) -> None:
    """INSERT the rows; where one exists, add the `added` columns to it, in the database."""
    quote = connection.ops.quote_name
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(
        f"{quote(c)} = {quote(table)}.{quote(c)} + excluded.{quote(c)}" for c in added
    )
    names = ", ".join(quote(c) for c in columns)
    conflict = ", ".join(quote(c) for c in key)
    values = ", ".join([one] * len(rows))
    # Table and column names come from the models; every value is a parameter.
    sql = f"INSERT INTO {quote(table)} ({names}) VALUES {values} ON CONFLICT ({conflict}) DO UPDATE SET {updates}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
