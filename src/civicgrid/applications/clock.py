"""The working-day clock of a case and of a bad rating's follow-up.

A case is due `promised_limit_days` working days after the day it was submitted; a request for
more material stops the clock on the day it is sent, and when the applicant supplies the
material the working days it waited are added to the due date. Working days come from
`core.workdays.calendar` (official holidays and make-up working days; a year nobody entered
still computes as Monday–Friday, with a warning kept on the case).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.applications.choices import TimeLeft
from civicgrid.core.workdays import calendar

DUE_SOON_WORKING_DAYS = 2


def today() -> datetime.date:
    """Today in the platform's time zone (Asia/Shanghai)."""
    return timezone.localdate()


def due_after(start: datetime.date, working_days: int) -> tuple[datetime.date, str]:
    """The day `working_days` working days after `start`, and the calendar's warning if the
    holidays of that span have not been entered."""
    due = calendar.add_working_days(start, working_days)
    warning = calendar.deadline_warning(due) or calendar.deadline_warning(start) or ""
    return due, warning


def paused_days(since: datetime.date, until: datetime.date) -> int:
    """Working days a pause lasted: those after `since` up to and including `until`."""
    return max(0, calendar.working_days_between(since, until))


@dataclass(frozen=True)
class Remaining:
    kind: str  # a TimeLeft value
    working_days: int  # negative when overdue
    label: str


NO_CLOCK = Remaining("", 0, "")


def remaining(
    due: datetime.date,
    *,
    paused: bool = False,
    on: datetime.date | None = None,
    snapshot: calendar.Calendar | None = None,
) -> Remaining:
    """What the queue and the tracking page say about a due date (`snapshot`: a calendar taken
    once for a batch, see `remaining_many`)."""
    day = on or today()
    if paused:
        return Remaining(TimeLeft.PAUSED, 0, _("补正期间暂停计时"))
    left = (snapshot or calendar.current()).working_days_between(day, due)
    if left < 0:
        return Remaining(TimeLeft.OVERDUE, left, _("已超期 %(n)s 个工作日") % {"n": -left})
    if left <= DUE_SOON_WORKING_DAYS:
        text = _("今日到期") if left == 0 else _("剩余 %(n)s 个工作日") % {"n": left}
        return Remaining(TimeLeft.DUE_SOON, left, text)
    return Remaining(TimeLeft.ON_TIME, left, _("剩余 %(n)s 个工作日") % {"n": left})


def due_soon_limit(on: datetime.date | None = None) -> datetime.date:
    """The last due date that counts as "due within two working days"."""
    return calendar.add_working_days(on or today(), DUE_SOON_WORKING_DAYS)


def remaining_many(cases: Sequence[Any]) -> list[Remaining]:
    """`remaining` of each case (open ones; `NO_CLOCK` for finished ones) from one calendar
    snapshot and one "today"."""
    snapshot, day = calendar.current(), today()
    return [
        remaining(c.due_date, paused=c.is_paused, on=day, snapshot=snapshot)
        if c.is_open
        else NO_CLOCK
        for c in cases
    ]
