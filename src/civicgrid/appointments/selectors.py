"""Read-side queries shared by pages and API: what an applicant may book, and the staff's
views of a day (bookings per counter) and of load (booked / capacity per office and day)."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from civicgrid.appointments.choices import BookingStatus
from civicgrid.appointments.models import Booking, Counter, Office, Slot
from civicgrid.catalog.choices import ItemStatus
from civicgrid.catalog.models import ServiceItem


def masked_name(name: str) -> str:
    """王小明 → 王**: enough to call someone to the counter, not to look them up."""
    name = (name or "").strip()
    return name[0] + "*" * max(1, len(name) - 1) if name else ""


def bookable_items() -> Any:
    """Published items offered by appointment at some active counter of an active office."""
    return (
        ServiceItem.objects.filter(
            status=ItemStatus.PUBLISHED,
            by_appointment=True,
            appointment_counters__is_active=True,
            appointment_counters__office__is_active=True,
        )
        .select_related("department")
        .distinct()
        .order_by("name")
    )


def offices_for_item(item: ServiceItem) -> Any:
    return (
        Office.objects.bookable()
        .filter(counters__is_active=True, counters__items=item)
        .distinct()
        .order_by("division_code", "name")
    )


def open_slots(
    office: Office,
    item: ServiceItem,
    *,
    day: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Any:
    """Future slots of the office's counters that handle the item, with a place left."""
    moment = now or timezone.now()
    slots = Slot.objects.filter(
        office=office,
        counter__is_active=True,
        counter__items=item,
        is_open=True,
        starts_at__gt=moment,
        booked__lt=F("capacity"),
    ).select_related("counter")
    if day is not None:
        slots = slots.filter(date=day)
    return slots.order_by("starts_at", "counter__name")


@dataclass
class DayAvailability:
    date: datetime.date
    remaining: int
    slots: int


def days_with_places(
    office: Office, item: ServiceItem, *, now: datetime.datetime | None = None
) -> list[DayAvailability]:
    rows = (
        open_slots(office, item, now=now)
        .order_by()
        .values("date")
        .annotate(capacity=Sum("capacity"), booked=Sum("booked"), slots=Count("pk"))
        .order_by("date")
    )
    return [DayAvailability(r["date"], r["capacity"] - r["booked"], r["slots"]) for r in rows]


@dataclass
class DayLoad:
    date: datetime.date
    capacity: int = 0
    booked: int = 0
    checked_in: int = 0
    no_show: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.booked / self.capacity) if self.capacity else 0


def office_load(office: Office, start: datetime.date, days: int) -> list[DayLoad]:
    """Capacity, places taken, check-ins and no-shows per day: two grouped queries."""
    dates = [start + datetime.timedelta(days=n) for n in range(days)]
    loads = loads_by_office([office], dates[0], dates[-1])
    return [loads.get((office.pk, day)) or DayLoad(day) for day in dates]


def loads_by_office(
    offices: list[Office], first: datetime.date, last: datetime.date
) -> dict[tuple[int, datetime.date], DayLoad]:
    """`DayLoad` per (office id, date) for days with slots or bookings, for many offices in
    the same two grouped queries."""
    loads: dict[tuple[int, datetime.date], DayLoad] = {}
    ids = [o.pk for o in offices]
    for row in (
        Slot.objects.filter(office_id__in=ids, date__gte=first, date__lte=last)
        .values("office_id", "date")
        .annotate(capacity=Sum("capacity"), booked=Sum("booked"))
    ):
        load = loads.setdefault((row["office_id"], row["date"]), DayLoad(row["date"]))
        load.capacity, load.booked = row["capacity"] or 0, row["booked"] or 0
    for row in (
        Booking.objects.filter(office_id__in=ids, slot__date__gte=first, slot__date__lte=last)
        .values("office_id", "slot__date")
        .annotate(
            checked_in=Count("pk", filter=Q(status=BookingStatus.CHECKED_IN)),
            no_show=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
        )
    ):
        load = loads.setdefault((row["office_id"], row["slot__date"]), DayLoad(row["slot__date"]))
        load.checked_in, load.no_show = row["checked_in"], row["no_show"]
    return loads


@dataclass
class CounterDay:
    counter: Counter
    bookings: list[Booking] = field(default_factory=list)


def day_by_counter(office: Office, day: datetime.date) -> list[CounterDay]:
    """The day's bookings (cancelled ones left out) grouped by counter, in time order."""
    groups = {c.pk: CounterDay(c) for c in office.counters.order_by("name")}
    bookings = (
        Booking.objects.filter(office=office, slot__date=day)
        .exclude(status=BookingStatus.CANCELLED)
        .select_related("item", "applicant", "enterprise")
        .order_by("starts_at", "pk")
    )
    for booking in bookings:
        booking.applicant_masked = masked_name(booking.applicant.full_name)  # type: ignore[attr-defined]
        if booking.counter_id not in groups:  # a counter removed since: still show its bookings
            groups[booking.counter_id] = CounterDay(booking.counter)
        groups[booking.counter_id].bookings.append(booking)
    return list(groups.values())
