"""Working days: is a date one, how many lie between two dates, which date is N of them later.

Precedence, highest first: a `CalendarDay` an administrator entered; the `chinese_calendar`
package for the years it knows (official holidays and make-up working days announced by the
State Council); Monday to Friday for any other year — the computation still succeeds and
`deadline_warning` says the year's official arrangement has not been entered.

Speed. The calendar is built once per process as a table of cumulative working-day counts over
2000–2099, so `working_days_between` is two list look-ups and `add_working_days` one bisection,
whatever the distance. The table is rebuilt when the administrator-entered rows change: a save or
delete in this process invalidates it at once (signals), and a change made by another process is
noticed by reading a version (row counts and last update times of the two small tables). That read
happens on every call outside a request (tasks, commands, tests) but only once per request inside
one, so a clerk queue computing deadlines for a page of cases pays one query for all of them; the
`*_many` helpers take a whole batch for one check as well. A write that bypasses `save()`
(a queryset `update`) must set `updated_at` itself, or the change waits for a restart.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext as _

from civicgrid.core.workdays.choices import DayKind
from civicgrid.core.workdays.models import CalendarDay, CalendarYear

# The span of the cumulative table; dates outside it are counted day by day (still correct).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def _package_years() -> frozenset[int]:
    return frozenset(d.year for d in chinese_calendar.constants.holidays) | frozenset(
        d.year for d in chinese_calendar.constants.workdays
    )


PACKAGE_YEARS = _package_years()
_PACKAGE_HOLIDAYS = frozenset(chinese_calendar.constants.holidays)
_PACKAGE_WORKDAYS = frozenset(chinese_calendar.constants.workdays)


@dataclass(frozen=True)
class Calendar:
    """An immutable snapshot of the calendar; every question is answered from memory."""

    overrides: dict[date, bool]  # date -> is a working day (administrator-entered)
    entered_years: frozenset[int]
    cumulative: list[int]  # cumulative[i]: working days in [FIRST_DAY, FIRST_DAY + i]

    @classmethod
    def build(cls, overrides: dict[date, bool], entered_years: Iterable[int]) -> Calendar:
        snapshot = cls(overrides, frozenset(entered_years), [])
        total = 0
        day = FIRST_DAY
        one = timedelta(days=1)
        cumulative = snapshot.cumulative
        while day <= LAST_DAY:
            total += snapshot.is_working_day(day)
            cumulative.append(total)
            day += one
        return snapshot

    def known_years(self) -> set[int]:
        return set(PACKAGE_YEARS | self.entered_years)

    def is_working_day(self, day: date) -> bool:
        entered = self.overrides.get(day)
        if entered is not None:
            return entered
        if day.year in PACKAGE_YEARS:
            if day in _PACKAGE_HOLIDAYS:
                return False
            if day in _PACKAGE_WORKDAYS:
                return True
        return day.weekday() < 5

    def _index(self, day: date) -> int | None:
        if FIRST_DAY <= day <= LAST_DAY:
            return day.toordinal() - FIRST_DAY.toordinal()
        return None

    def working_days_between(self, start: date, end: date) -> int:
        if end < start:
            return -self.working_days_between(end, start)
        i, j = self._index(start), self._index(end)
        if i is not None and j is not None:
            return self.cumulative[j] - self.cumulative[i]
        count, day = 0, start
        while day < end:  # outside the table: count one by one
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def add_working_days(self, start: date, days: int) -> date:
        if days == 0:
            return start
        i = self._index(start)
        if i is not None:
            if days > 0:
                target = self.cumulative[i] + days
            else:
                before = self.cumulative[i - 1] if i > 0 else 0
                target = before + days + 1
            if target >= 1:
                j = bisect_left(self.cumulative, target)
                if j < len(self.cumulative):
                    return FIRST_DAY + timedelta(days=j)
        step = timedelta(days=1 if days > 0 else -1)
        remaining, day = abs(days), start
        while remaining:
            day += step
            remaining -= self.is_working_day(day)
        return day

    def deadline_warning(self, day: date) -> str | None:
        if day.year in PACKAGE_YEARS or day.year in self.entered_years:
            return None
        return _(
            "%(year)s 年的法定节假日安排尚未录入，该日期暂按周一至周五计算工作日，"
            "请管理员录入当年安排后核对。"
        ) % {"year": day.year}


# --- The per-process cache -------------------------------------------------------------------

_lock = threading.Lock()
_state: dict[str, object] = {"calendar": None, "version": None}
_request = threading.local()  # .checked: True once the version was read in this request


def _read_version() -> tuple[object, ...]:
    days, years = CalendarDay._meta.db_table, CalendarYear._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {days}), (SELECT MAX(updated_at) FROM {days}),"  # noqa: S608
            f" (SELECT COUNT(*) FROM {years}), (SELECT MAX(updated_at) FROM {years})"
        )
        return tuple(cursor.fetchone() or ())


def _load() -> Calendar:
    overrides = {
        row["date"]: row["kind"] == DayKind.WORKDAY
        for row in CalendarDay.objects.values("date", "kind")
    }
    return Calendar.build(overrides, CalendarYear.objects.values_list("year", flat=True))


def current() -> Calendar:
    """The calendar as it stands now; take it once and ask it many questions for a batch."""
    cached = _state["calendar"]
    if cached is not None and getattr(_request, "checked", None):
        return cached  # type: ignore[return-value]
    version = _read_version()
    with _lock:
        if _state["calendar"] is None or _state["version"] != version:
            _state["calendar"] = _load()
            _state["version"] = version
        if getattr(_request, "checked", None) is False:
            _request.checked = True
        return _state["calendar"]  # type: ignore[return-value]


def invalidate(**_kwargs: object) -> None:
    """Forget the cached calendar (connected to saves and deletes of the entered rows)."""
    with _lock:
        _state["calendar"] = None
        _state["version"] = None


def _on_request_started(**_kwargs: object) -> None:
    _request.checked = False


def _on_request_finished(**_kwargs: object) -> None:
    _request.checked = None


request_started.connect(_on_request_started, dispatch_uid="workdays-request-started")
request_finished.connect(_on_request_finished, dispatch_uid="workdays-request-finished")
for _model in (CalendarDay, CalendarYear):
    post_save.connect(invalidate, sender=_model, dispatch_uid=f"workdays-save-{_model.__name__}")
    post_delete.connect(
        invalidate, sender=_model, dispatch_uid=f"workdays-delete-{_model.__name__}"
    )


# --- The contract other apps code against ----------------------------------------------------


def is_working_day(day: date) -> bool:
    return current().is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself not counted); before it when
    `days` is negative; `start` itself when 0. The result is always a working day unless 0."""
    return current().add_working_days(start, days)


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative (the count in (end, start]) if end < start."""
    return current().working_days_between(start, end)


def deadline_warning(day: date) -> str | None:
    """A Chinese warning when `day` falls in a year whose official arrangement nobody knows
    (neither the package nor an administrator), so it was counted Monday to Friday; else None."""
    return current().deadline_warning(day)


def known_years() -> set[int]:
    return current().known_years()


def add_working_days_many(starts: Sequence[date], days: int | Sequence[int]) -> list[date]:
    """`add_working_days` for a batch: one version check for all of them."""
    snapshot = current()
    counts = [days] * len(starts) if isinstance(days, int) else list(days)
    if len(counts) != len(starts):
        raise ValueError("starts and days differ in length")
    return [snapshot.add_working_days(s, n) for s, n in zip(starts, counts, strict=True)]


def working_days_between_many(pairs: Iterable[tuple[date, date]]) -> list[int]:
    """`working_days_between` for a batch of (start, end) pairs: one version check for all."""
    snapshot = current()
    return [snapshot.working_days_between(s, e) for s, e in pairs]
