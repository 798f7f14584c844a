"""Two (or twenty) people racing for the last place: exactly one wins."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from civicgrid.accounts.models import User
from civicgrid.appointments import actions
from civicgrid.appointments.models import Booking, Slot
from civicgrid.appointments.tests import factories as f
from civicgrid.core.audit.models import AuditRecord

RACERS = 20


def _race(inputs, work):
    """Run `work(x)` for every x at the same moment, each on its own thread and database
    connection; returns the inputs that won and the refusals of the others."""
    start = threading.Barrier(len(inputs))
    won, lost, crashed = [], [], []

    def run(value) -> None:  # type: ignore[no-untyped-def]
        try:
            User.objects.exists()  # opens this thread's own connection
            start.wait(timeout=60)
            work(value)
            won.append(value)
        except ValidationError as exc:
            lost.append(exc)
        except BaseException as exc:  # reported below; a thread must not die silently
            start.abort()
            crashed.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(v,)) for v in inputs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert crashed == []
    return won, lost


def _skip_in_memory():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite refuses a second writer instead of queueing (run with -n)")


@pytest.mark.django_db(transaction=True)
def test_only_one_of_twenty_people_racing_for_the_last_place_wins(personas):
    """Twenty residents, each on their own thread and database connection, book the last place
    of a slot at the same moment: one booking, nineteen told it is full, `booked` = capacity."""
    _skip_in_memory()
    hall, thing = f.world(personas, capacity=2)
    f.booking(personas.resident_b, hall, thing)  # one of the two places is gone
    people = [User.objects.create_user(f"racer_{n:02d}", is_resident=True) for n in range(RACERS)]
    slot = f.slot(hall)

    won, lost = _race(
        people, lambda p: actions.do_book_appointment(p, slot=slot, item=thing, now=f.BEFORE)
    )
    assert len(won) == 1
    assert [e.messages[0] for e in lost] == ["该时段已约满，请选择其他时段"] * (RACERS - 1)
    assert Slot.objects.get(pk=slot.pk).booked == 2
    assert Booking.objects.filter(slot=slot, status="booked").count() == 2
    assert AuditRecord.objects.filter(details__event="booked").count() == 2


@pytest.mark.django_db(transaction=True)
def test_one_person_booking_one_item_twice_at_once_gets_one_booking(personas):
    """The same resident taps "book" on two phones for two slots: one booking stands, the other
    is refused and its place given back (the partial unique index decides)."""
    _skip_in_memory()
    hall, thing = f.world(personas, capacity=5)
    resident = personas.resident_a
    slots = [f.slot(hall, hour=9), f.slot(hall, hour=10)]

    won, lost = _race(
        slots, lambda s: actions.do_book_appointment(resident, slot=s, item=thing, now=f.BEFORE)
    )
    assert len(won) == 1 and len(lost) == 1
    assert lost[0].message_dict["item"][0].startswith("您已预约该事项")
    assert Booking.objects.filter(applicant=resident, status="booked").count() == 1
    assert (
        sum(Slot.objects.filter(pk__in=[s.pk for s in slots]).values_list("booked", flat=True)) == 1
    )
