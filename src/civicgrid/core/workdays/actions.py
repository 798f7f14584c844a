"""Entering a year's official arrangement (the State Council's announcement) as administrator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.workdays.choices import DayKind
from civicgrid.core.workdays.models import CalendarDay, CalendarYear

# Words an administrator may write for the kind of a day, English or as the notice says.
KIND_WORDS = {
    "holiday": DayKind.HOLIDAY,
    "假": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "放假": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
    "上班": DayKind.WORKDAY,
    "调休上班": DayKind.WORKDAY,
}
MAX_LINES = 400
_LINE = re.compile(r"^(\S+)\s+(\S+)(?:\s+(.+))?$")


@dataclass(frozen=True)
class EnteredDay:
    date: date
    kind: DayKind
    name: str


def parse_year_text(year: int, text: str) -> list[EnteredDay]:
    """Parse lines such as `2027-01-01 holiday 元旦` (or `2027-02-07 班 春节调休`); blank lines
    and lines starting with # are skipped. Every error names its line; nothing is returned
    unless all lines are good."""
    errors: list[str] = []
    days: list[EnteredDay] = []
    seen: set[date] = set()
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise ValidationError(_("一次最多录入 %(n)s 行。") % {"n": MAX_LINES})
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            errors.append(_("第 %(n)s 行：格式应为“日期 类型 名称”。") % {"n": number})
            continue
        text_date, text_kind, name = match.group(1), match.group(2), (match.group(3) or "")
        try:
            day = date.fromisoformat(text_date)
        except ValueError:
            errors.append(
                _("第 %(n)s 行：日期“%(d)s”无效，应为 YYYY-MM-DD。") % {"n": number, "d": text_date}
            )
            continue
        kind = KIND_WORDS.get(text_kind.lower())
        if kind is None:
            errors.append(
                _("第 %(n)s 行：类型“%(k)s”无效，应为 holiday（放假）或 workday（调休上班）。")
                % {"n": number, "k": text_kind}
            )
            continue
        if day.year != year:
            errors.append(_("第 %(n)s 行：日期不在 %(y)s 年内。") % {"n": number, "y": year})
            continue
        if day in seen:
            errors.append(_("第 %(n)s 行：日期 %(d)s 重复。") % {"n": number, "d": day})
            continue
        if len(name) > 40:
            errors.append(_("第 %(n)s 行：名称不能超过 40 个字。") % {"n": number})
            continue
        seen.add(day)
        days.append(EnteredDay(day, kind, name.strip()))
    if errors:
        raise ValidationError(errors)
    if not days:
        raise ValidationError(_("没有可录入的日期。"))
    return days


def do_enter_calendar_year(*, actor: Any, year: int, text: str, source: str = "") -> CalendarYear:
    """Replace `year`'s entered days with those in `text` and mark the year as entered, in one
    transaction: a bad line leaves the calendar as it was."""
    if not 2000 <= year <= 2099:
        raise ValidationError(_("年份须在 2000 至 2099 之间。"))
    days = parse_year_text(year, text)
    with transaction.atomic():
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d.date, kind=d.kind, name=d.name) for d in days]
        )
        entered, _created = CalendarYear.objects.update_or_create(
            year=year,
            defaults={"source": source[:200], "entered_by": actor if actor else None},
        )
        record_audit(
            actor=actor,
            action=AuditAction.IMPORT,
            target=entered,
            details={
                "year": year,
                "holidays": sum(d.kind == DayKind.HOLIDAY for d in days),
                "workdays": sum(d.kind == DayKind.WORKDAY for d in days),
            },
        )
    # bulk_create and queryset delete send no per-row signals; the save above did invalidate,
    # but say it explicitly so the order of the writes never matters.
    from civicgrid.core.workdays import calendar

    calendar.invalidate()
    return entered
