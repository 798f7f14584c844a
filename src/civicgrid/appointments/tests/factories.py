"""Offices, counters, hours, items and bookings for the appointment tests."""

import datetime
import itertools

from django.utils import timezone

from civicgrid.appointments import actions
from civicgrid.appointments.models import Counter, Office, OpeningHours, Slot
from civicgrid.appointments.slots import do_plan_slots
from civicgrid.catalog.models import ServiceItem

_codes = itertools.count(1)

# A Monday that is an ordinary working day in the package's 2026 calendar.
MONDAY = datetime.date(2026, 3, 2)


def item(department, *, name="企业投资项目备案", by_appointment=True):
    n = next(_codes)
    return ServiceItem.objects.create(
        code=f"TEST-{department.division_code[:6]}-{n:04d}",
        name=f"{name}{n}",
        kind="record",
        department=department,
        legal_limit_days=20,
        promised_limit_days=5,
        by_appointment=by_appointment,
    )


def office(organisation, *, name=None, capacity=2, slot_minutes=30, items=(), weekdays=range(5)):
    """An office of `organisation` with one counter open 09:00–12:00 on `weekdays`."""
    hall = Office.objects.create(
        name=name or f"{organisation.name}办事大厅",
        address="示例路 1 号",
        organisation=organisation,
        division_code=organisation.division_code,
    )
    counter = Counter.objects.create(office=hall, name="1号窗口")
    counter.items.set(items)
    for weekday in weekdays:
        OpeningHours.objects.create(
            counter=counter,
            weekday=weekday,
            start=datetime.time(9, 0),
            end=datetime.time(12, 0),
            slot_minutes=slot_minutes,
            capacity=capacity,
        )
    return hall


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def planned(hall, start=MONDAY, days=14):
    do_plan_slots(hall, start=start, days=days)
    return hall


def slot(hall, day=MONDAY, hour=9, minute=0):
    return Slot.objects.get(office=hall, starts_at=at(day, hour, minute))


def world(personas, *, capacity=2):
    """阜城县's office with one counter handling one item of its development and reform bureau;
    the clock is the Friday before MONDAY."""
    department = personas.organisations["department_a"]
    thing = item(department)
    hall = planned(office(department, capacity=capacity, items=[thing]))
    return hall, thing


BEFORE = at(MONDAY - datetime.timedelta(days=3), 10)  # Friday 27 February 2026, 10:00


def booking(user, hall, thing, *, day=MONDAY, hour=9, now=BEFORE):
    return actions.do_book_appointment(user, slot=slot(hall, day, hour), item=thing, now=now)


# --- a world in real time, for the access matrix (no clock travel there) -------------------------


def _direct_slot(counter, starts_at, minutes=30, capacity=3):
    return Slot.objects.create(
        counter=counter,
        office=counter.office,
        division_code=counter.division_code,
        date=timezone.localtime(starts_at).date(),
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
        capacity=capacity,
    )


def live_world(personas):
    """阜城县's office, two items, two slots on the next working day and resident_a's booking
    of the first item there; a second booking (of the second item) starting in ten minutes,
    ready for check-in. Returns a dict of them."""
    from civicgrid.appointments.models import Booking
    from civicgrid.core.workdays import calendar

    department = personas.organisations["department_a"]
    first, second = item(department), item(department)
    hall = office(department, items=[first, second])
    counter = hall.counters.get()
    day = calendar.add_working_days(timezone.localdate(), 1)
    slots = [_direct_slot(counter, at(day, 10)), _direct_slot(counter, at(day, 11))]
    booked = actions.do_book_appointment(personas.resident_a, slot=slots[0], item=first)
    soon = _direct_slot(counter, timezone.now() + datetime.timedelta(minutes=10))
    soon.booked = 1
    soon.save()
    arriving = Booking.objects.create(
        number="YY" + timezone.localtime().strftime("%y%m%d") + "ARRIVE",
        applicant=personas.resident_a,
        item=second,
        office=hall,
        counter=counter,
        slot=soon,
        division_code=hall.division_code,
        starts_at=soon.starts_at,
        ends_at=soon.ends_at,
    )
    return {
        "office": hall,
        "items": (first, second),
        "slots": slots,
        "booking": booked,
        "arriving": arriving,
    }


def block(user, hall):
    """`user` blocked at `hall` from an hour ago for thirty days (three no-shows)."""
    from civicgrid.appointments.models import BookingBlock

    now = timezone.now()
    return BookingBlock.objects.create(
        applicant=user,
        office=hall,
        division_code=hall.division_code,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(days=30),
        no_shows=3,
    )


def blocked_with_appeal(personas):
    """resident_a blocked at 阜城县's office, with a pending appeal."""
    blocked = block(personas.resident_a, live_world(personas)["office"])
    return actions.do_appeal_block(personas.resident_a, block=blocked, text="住院")
