"""Materialising slots from opening hours, the working-day calendar and closures.

Why rows and not computed on the fly: taking the last place must be race-safe on SQLite and
PostgreSQL alike, and the simplest sound way is one conditional UPDATE on a row that holds the
count (`UPDATE slot SET booked = booked + 1 WHERE id = ? AND booked < capacity AND is_open`);
the staff's load per office and day is then a plain sum. Slots exist for the coming
`APPOINTMENTS_DAYS_AHEAD` days: a periodic job extends the window every night and any change of
hours or closures re-plans it at once. Re-planning never touches a slot somebody booked: an
empty slot that no longer fits the hours is deleted, a booked one stays (closures cancel their
bookings explicitly, with a message to the applicant).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from civicgrid.appointments.models import Closure, Counter, Office, OpeningHours, Slot
from civicgrid.core.workdays import calendar


def days_ahead() -> int:
    return int(getattr(settings, "APPOINTMENTS_DAYS_AHEAD", 14))


@dataclass(frozen=True)
class PlannedSlot:
    counter_id: int
    date: datetime.date
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int


def plan_office(
    office: Office, start: datetime.date, days: int
) -> dict[tuple[int, datetime.datetime], PlannedSlot]:
    """The slots the hours promise for `days` days from `start`: working days only (the
    calendar, with administrator-entered years), none on the office's closure dates."""
    zone = timezone.get_current_timezone()
    closed = set(
        Closure.objects.filter(
            office=office, date__gte=start, date__lt=start + datetime.timedelta(days=days)
        ).values_list("date", flat=True)
    )
    hours_by_counter: dict[int, list[OpeningHours]] = {}
    for hours in OpeningHours.objects.filter(counter__office=office, counter__is_active=True):
        hours_by_counter.setdefault(hours.counter_id, []).append(hours)
    snapshot = calendar.current()
    planned: dict[tuple[int, datetime.datetime], PlannedSlot] = {}
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        if day in closed or not snapshot.is_working_day(day):
            continue
        for counter_id, periods in hours_by_counter.items():
            for hours in periods:
                if hours.weekday != day.weekday():
                    continue
                begin = datetime.datetime.combine(day, hours.start, tzinfo=zone)
                close = datetime.datetime.combine(day, hours.end, tzinfo=zone)
                step = datetime.timedelta(minutes=hours.slot_minutes)
                while begin + step <= close:
                    planned[(counter_id, begin)] = PlannedSlot(
                        counter_id, day, begin, begin + step, hours.capacity
                    )
                    begin += step
    return planned


def do_plan_slots(
    office: Office, *, start: datetime.date | None = None, days: int | None = None
) -> int:
    """Bring the office's slots for the window in line with its hours; returns slots created.
    Safe to run twice at once: creation ignores rows that already exist, and only empty slots
    (booked = 0, checked in the DELETE itself) are removed."""
    first = start or timezone.localdate()
    length = days if days is not None else days_ahead()
    planned = plan_office(office, first, length)
    window = Slot.objects.filter(
        office=office, date__gte=first, date__lt=first + datetime.timedelta(days=length)
    )
    with transaction.atomic():
        existing = {(s.counter_id, s.starts_at): s for s in window}
        stale = [s.pk for key, s in existing.items() if key not in planned]
        if stale:
            Slot.objects.filter(pk__in=stale, booked=0).delete()
            Slot.objects.filter(pk__in=stale).update(is_open=False)
        for key, slot in existing.items():
            plan = planned.get(key)
            if plan is not None and (slot.capacity != plan.capacity or not slot.is_open):
                # Never below the places already taken.
                Slot.objects.filter(pk=slot.pk).update(
                    capacity=max(plan.capacity, slot.booked), is_open=True
                )
        new = [
            Slot(
                counter_id=p.counter_id,
                office=office,
                division_code=office.division_code,
                date=p.date,
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                capacity=p.capacity,
            )
            for key, p in planned.items()
            if key not in existing
        ]
        Slot.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    return len(new)


def do_plan_all_slots(offices: Iterable[Office] | None = None) -> int:
    """The nightly job: every active office's window moves on by a day."""
    created = 0
    for office in offices if offices is not None else Office.objects.filter(is_active=True):
        created += do_plan_slots(office)
    return created


def counters_for(office: Office, item_id: int) -> list[Counter]:
    return list(office.counters.filter(is_active=True, items__pk=item_id).distinct())
