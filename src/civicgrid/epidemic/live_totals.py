"""Writing the live statistics inside the transaction of a report's write.

`add_report_change` turns a report's change into increments for the unit's division and every
division above it, and adds them with one multi-row UPSERT per table. Rows go in a fixed order
(the unit's division first and the province last, then element) so two transactions that touch
the same rows lock them in the same order and cannot deadlock each other on PostgreSQL; SQLite's
single writer lock makes the question moot there. Last, because every report of the day shares
the province's and its city's rows: a report holds their locks until it commits, and each
report waits for the one before it, so they are taken as late as the statement allows
(sampling the benchmark's backends, waits on those locks fell from 51 to 31 in 40 snapshots
when they moved from first to last). See `models.statistics`.
"""

import datetime
import functools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import models

from civicgrid.core import division_codes
from civicgrid.core.sql_rows import database, prepared_cursor
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
    elements: Sequence[DataElement], old: Mapping[str, str], new: Mapping[str, str]
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
    codes, level_list = _divisions(division_code)
    db = database()
    if db.vendor == "postgresql":
        if not deltas and not (reports or on_time):
            return  # a draft saved again, a correction changing nothing counted
        elements = sorted(deltas)
        with prepared_cursor() as cursor:
            cursor.execute(
                _report_change_sql(db.vendor),
                [list(codes), list(level_list), elements,
                 [deltas[e] for e in elements], form.pk, date, reports, on_time,
                 bool(reports or on_time), form.pk, date],
            )  # fmt: skip
        return
    levels = dict(zip(codes, level_list, strict=True))
    day = db.ops.adapt_datefield_value(date)
    if deltas:
        rows = [
            (form.pk, element_id, code, levels[code], day, deltas[element_id])
            for code in codes
            for element_id in sorted(deltas)
        ]
        _upsert(
            ElementTotal,
            ("form_id", "element_id", "division_code", "level", "date", "hundredths"),
            ("form_id", "division_code", "date", "element_id"),
            ("hundredths",),
            rows,
        )
    if reports or on_time:
        _upsert(
            ReportTally,
            ("form_id", "division_code", "level", "date", "reports", "on_time"),
            ("form_id", "division_code", "date"),
            ("reports", "on_time"),
            [(form.pk, code, levels[code], day, reports, on_time) for code in codes],
        )


@functools.lru_cache(maxsize=65536)  # every report asks; a province has ~55,000 divisions
def _divisions(division_code: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The codes of `division_code` and of every division above it (province last), and
    their levels."""
    codes = tuple(reversed(ancestor_codes(division_code)))
    return codes, tuple(division_codes.level_of(code) for code in codes)


@functools.cache
def _report_change_sql(vendor: str) -> str:
    """`add_report_change` on PostgreSQL as one statement: the divisions (province last) and
    the elements (by id) each travel as arrays and are crossed in the database, instead of six
    arrays of a row per division and element that psycopg would convert value by value; the
    tallies' UPSERT rides along as a data-modifying WITH. The totals are written first and the
    tallies after them (PostgreSQL runs a WITH's statement that the main one does not read
    after the main one), in the order of the two statements this replaces: divisions, then
    elements, so concurrent reports lock shared rows in the same order."""
    db = database()
    quote = db.ops.quote_name
    totals, tallies = quote(ElementTotal._meta.db_table), quote(ReportTally._meta.db_table)
    code_type = ElementTotal._meta.get_field("division_code").db_type(db)
    level_type = ElementTotal._meta.get_field("level").db_type(db)
    id_type = DataElement._meta.pk.db_type(db)
    added_type = ElementTotal._meta.get_field("hundredths").db_type(db)
    return f"""WITH d AS (
            SELECT * FROM unnest(%s::{code_type}[], %s::{level_type}[])
                WITH ORDINALITY AS d(code, level, n)
        ), e AS (
            SELECT * FROM unnest(%s::{id_type}[], %s::{added_type}[])
                WITH ORDINALITY AS e(id, added, n)
        ), counted AS (
            INSERT INTO {tallies} (form_id, division_code, level, date, reports, on_time)
            SELECT %s, d.code, d.level, %s::date, %s, %s FROM d WHERE %s ORDER BY d.n
            ON CONFLICT (form_id, division_code, date) DO UPDATE SET
                reports = {tallies}.reports + excluded.reports,
                on_time = {tallies}.on_time + excluded.on_time
        )
        INSERT INTO {totals} (form_id, element_id, division_code, level, date, hundredths)
        SELECT %s, e.id, d.code, d.level, %s::date, e.added FROM d CROSS JOIN e
        ORDER BY d.n, e.n
        ON CONFLICT (form_id, division_code, date, element_id) DO UPDATE SET
            hundredths = {totals}.hundredths + excluded.hundredths"""  # noqa: S608 - names from the models


def add_line_list_events(
    *, division_code: str, date: datetime.date, counts: Mapping[str, int]
) -> None:
    """Add line-list events (measure → how many) of `date` to `division_code` and every level
    above it, like a report's change. Must run inside the transaction of the case, contact or
    observation write, so a new case is in the figures at every level when it commits."""
    counts = {m: n for m, n in counts.items() if n}
    if not counts:
        return
    day = database().ops.adapt_datefield_value(date)
    rows = [
        (code, division_codes.level_of(code), day, measure, counts[measure])
        for code in ancestor_codes(division_code)
        for measure in sorted(counts)
    ]
    _upsert(
        LineListTotal,
        ("division_code", "level", "date", "measure", "count"),
        ("division_code", "date", "measure"),
        ("count",),
        rows,
    )


def _upsert(
    model: type[models.Model],
    columns: tuple[str, ...],
    key: tuple[str, ...],
    added: tuple[str, ...],
    rows: Sequence[Sequence[object]],
) -> None:
    """INSERT the rows, in their order; where one exists, add the `added` columns to it, in
    the database.

    PostgreSQL gets each column as one array parameter (`unnest`): a fixed statement of six
    parameters whatever the number of rows, which psycopg converts once and keeps, instead of
    a VALUES list of 360 parameters it would parse again for every report."""
    db = database()
    if db.vendor == "postgresql":
        sql = _upsert_sql(model, columns, key, added, 0, db.vendor)
        params: list[Any] = [list(column) for column in zip(*rows, strict=True)]
    else:
        sql = _upsert_sql(model, columns, key, added, len(rows), db.vendor)
        params = [value for row in rows for value in row]
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)


@functools.cache
def _upsert_sql(
    model: type[models.Model],
    columns: tuple[str, ...],
    key: tuple[str, ...],
    added: tuple[str, ...],
    rows: int,
    vendor: str,
) -> str:
    """The statement of `_upsert`: from arrays (`rows` 0, PostgreSQL) or a VALUES list."""
    db = database()
    quote = db.ops.quote_name
    table = quote(model._meta.db_table)
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in added)
    names = ", ".join(quote(c) for c in columns)
    conflict = ", ".join(quote(c) for c in key)
    if not rows:
        types = {f.column: f.db_type(db) for f in model._meta.concrete_fields}
        arrays = ", ".join(f"%s::{types[c]}[]" for c in columns)
        source = f"SELECT * FROM unnest({arrays})"  # noqa: S608 - types come from the model
    else:
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        source = "VALUES " + ", ".join([one] * rows)
    # Table and column names come from the models; every value is a parameter.
    return (
        f"INSERT INTO {table} ({names}) {source} ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )
