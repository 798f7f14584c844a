"""Booking, cancelling and rescheduling: the rules an applicant meets, in plain words."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.appointments import actions
from civicgrid.appointments.models import Booking, Closure, Slot
from civicgrid.appointments.slots import do_plan_slots
from civicgrid.appointments.tests import factories as f
from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.notifications.models import Notification
from civicgrid.core.workdays.actions import do_enter_calendar_year

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(f.BEFORE, tick=False):
        yield


def _error(caught) -> dict:
    return caught.value.message_dict


def test_a_resident_books_a_slot_and_is_told(personas):
    hall, thing = f.world(personas)
    booking = f.booking(personas.resident_a, hall, thing)
    assert booking.status == "booked" and booking.number.startswith("YY260227")
    assert (booking.office, booking.item, booking.enterprise) == (hall, thing, None)
    assert Slot.objects.get(pk=booking.slot_id).booked == 1
    assert (
        Notification.objects.filter(
            recipient=personas.resident_a, template_code="appointment_booked"
        ).count()
        == 1
    )
    assert (
        AuditRecord.objects.filter(
            target_type="appointments.booking", details__event="booked"
        ).count()
        == 1
    )


def test_an_enterprise_agent_books_for_their_enterprise(personas):
    hall, thing = f.world(personas)
    booking = f.booking(personas.enterprise_agent_a, hall, thing)
    assert booking.enterprise == personas.organisations["enterprise_a"]


def test_staff_cannot_book(personas):
    hall, thing = f.world(personas)
    with pytest.raises(ValidationError) as caught:
        f.booking(personas.clerk_a, hall, thing)
    assert _error(caught) == {"applicant": ["只有居民或企业经办人可以预约办事"]}


def test_a_full_slot_is_refused_and_nothing_is_saved(personas):
    hall, thing = f.world(personas, capacity=1)
    f.booking(personas.resident_a, hall, thing)
    with pytest.raises(ValidationError) as caught:
        f.booking(personas.resident_b, hall, thing)
    assert _error(caught) == {"slot": ["该时段已约满，请选择其他时段"]}
    assert Booking.objects.count() == 1
    assert f.slot(hall).booked == 1


def test_a_past_slot_is_refused(personas):
    hall, thing = f.world(personas)
    with pytest.raises(ValidationError) as caught:
        actions.do_book_appointment(
            personas.resident_a, slot=f.slot(hall), item=thing, now=f.at(f.MONDAY, 9, 5)
        )
    assert _error(caught) == {"slot": ["该时段已过，请选择其他时段"]}


def test_no_slots_exist_on_weekends_or_official_holidays(personas):
    department = personas.organisations["department_a"]
    thing = f.item(department)
    hall = f.office(department, items=[thing], weekdays=range(7))
    # 2026-10-01..07 are National Day; Saturday 2026-10-10 is a make-up working day.
    do_plan_slots(hall, start=datetime.date(2026, 9, 28), days=14)
    dates = set(Slot.objects.filter(office=hall).values_list("date", flat=True))
    assert not any(datetime.date(2026, 10, d) in dates for d in range(1, 8))
    assert datetime.date(2026, 10, 10) in dates  # make-up Saturday, hours exist for every weekday
    assert datetime.date(2026, 10, 11) not in dates  # an ordinary Sunday


def test_a_slot_on_a_day_that_became_a_holiday_is_refused(personas):
    hall, thing = f.world(personas)
    # The administrator enters a local day off after the slots were made.
    from civicgrid.core.workdays.models import CalendarDay

    CalendarDay.objects.create(date=f.MONDAY, kind="holiday", name="临时放假")
    with pytest.raises(ValidationError) as caught:
        f.booking(personas.resident_a, hall, thing)
    assert _error(caught) == {"slot": ["2026-03-02 不是工作日，不能预约"]}
    assert Booking.objects.count() == 0


def test_slots_in_a_year_entered_by_an_administrator_follow_its_holidays(personas):
    department = personas.organisations["department_a"]
    thing = f.item(department)
    hall = f.office(department, items=[thing])
    do_enter_calendar_year(
        actor=None, year=2027, text="2027-01-01 holiday 元旦\n2027-01-04 holiday 补休"
    )
    do_plan_slots(hall, start=datetime.date(2026, 12, 31), days=6)
    dates = sorted(set(Slot.objects.filter(office=hall).values_list("date", flat=True)))
    assert dates == [datetime.date(2026, 12, 31), datetime.date(2027, 1, 5)]


def test_a_second_active_booking_of_the_same_item_is_refused(personas):
    hall, thing = f.world(personas)
    first = f.booking(personas.resident_a, hall, thing)
    with pytest.raises(ValidationError) as caught:
        f.booking(personas.resident_a, hall, thing, hour=10)
    assert f"您已预约该事项（预约号 {first.number}" in _error(caught)["item"][0]
    assert Booking.objects.count() == 1 and f.slot(hall, hour=10).booked == 0
    # Another item is fine; so is the same item after cancelling.
    other = f.item(personas.organisations["department_a"])
    hall.counters.get().items.add(other)
    f.booking(personas.resident_a, hall, other, hour=10)
    actions.do_cancel_booking(personas.resident_a, booking=first, now=f.BEFORE)
    f.booking(personas.resident_a, hall, thing, hour=11)


def test_the_database_itself_refuses_two_active_bookings_of_one_item(personas):
    from django.db import IntegrityError, transaction

    hall, thing = f.world(personas)
    first = f.booking(personas.resident_a, hall, thing)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            number="YYX", applicant=personas.resident_a, item=thing, office=hall,
            counter=first.counter, slot=first.slot, division_code=hall.division_code,
            starts_at=first.starts_at, ends_at=first.ends_at,
        )  # fmt: skip


def test_a_counter_that_does_not_handle_the_item_is_refused(personas):
    hall, _thing = f.world(personas)
    other = f.item(personas.organisations["department_a"])
    with pytest.raises(ValidationError) as caught:
        f.booking(personas.resident_a, hall, other)
    assert _error(caught)["slot"][0].startswith("所选窗口不办理")
    not_offered = f.item(personas.organisations["department_a"], by_appointment=False)
    hall.counters.get().items.add(not_offered)
    with pytest.raises(ValidationError) as caught:
        f.booking(personas.resident_a, hall, not_offered)
    assert _error(caught) == {"item": ["该事项不提供预约办理"]}


def test_cancelling_frees_the_place(personas):
    hall, thing = f.world(personas, capacity=1)
    booking = f.booking(personas.resident_a, hall, thing)
    actions.do_cancel_booking(personas.resident_a, booking=booking, reason="行程有变", now=f.BEFORE)
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.cancel_reason) == (
        "cancelled",
        "applicant",
        "行程有变",
    )
    assert f.slot(hall).booked == 0
    f.booking(personas.resident_b, hall, thing)  # the place is free again
    with pytest.raises(ValidationError):
        actions.do_cancel_booking(personas.resident_a, booking=booking, now=f.BEFORE)  # twice


def test_someone_elses_booking_cannot_be_cancelled_or_moved(personas):
    hall, thing = f.world(personas)
    booking = f.booking(personas.resident_a, hall, thing)
    with pytest.raises(PermissionDenied):
        actions.do_cancel_booking(personas.resident_b, booking=booking, now=f.BEFORE)
    with pytest.raises(PermissionDenied):
        actions.do_reschedule_booking(
            personas.resident_b, booking=booking, slot=f.slot(hall, hour=10), now=f.BEFORE
        )
    booking.refresh_from_db()
    assert booking.status == "booked" and booking.slot == f.slot(hall)


def test_rescheduling_moves_the_place(personas):
    hall, thing = f.world(personas)
    booking = f.booking(personas.resident_a, hall, thing)
    new = f.slot(hall, f.MONDAY + datetime.timedelta(days=1), 10)
    moved = actions.do_reschedule_booking(
        personas.resident_a, booking=booking, slot=new, now=f.BEFORE
    )
    assert (moved.pk, moved.slot, moved.starts_at, moved.rescheduled_count) == (
        booking.pk,
        new,
        new.starts_at,
        1,
    )
    assert f.slot(hall).booked == 0 and Slot.objects.get(pk=new.pk).booked == 1


def test_rescheduling_into_a_full_slot_keeps_the_old_booking(personas):
    hall, thing = f.world(personas, capacity=1)
    booking = f.booking(personas.resident_a, hall, thing)
    f.booking(personas.resident_b, hall, thing, hour=10)
    with pytest.raises(ValidationError) as caught:
        actions.do_reschedule_booking(
            personas.resident_a, booking=booking, slot=f.slot(hall, hour=10), now=f.BEFORE
        )
    assert _error(caught) == {"slot": ["该时段已约满，请选择其他时段"]}
    booking.refresh_from_db()
    assert (booking.status, booking.slot) == ("booked", f.slot(hall))
    assert (f.slot(hall).booked, f.slot(hall, hour=10).booked) == (1, 1)


def test_a_booking_whose_time_has_come_cannot_be_moved(personas):
    hall, thing = f.world(personas)
    booking = f.booking(personas.resident_a, hall, thing)
    with pytest.raises(ValidationError) as caught:
        actions.do_reschedule_booking(
            personas.resident_a,
            booking=booking,
            slot=f.slot(hall, hour=11),
            now=f.at(f.MONDAY, 9, 1),
        )
    assert _error(caught) == {"booking": ["预约时间已到或已过，不能再取消或改约"]}


def test_closing_an_office_for_a_day_cancels_its_bookings_and_tells_the_applicants(personas):
    hall, thing = f.world(personas)
    booking = f.booking(personas.resident_a, hall, thing)
    actions.do_add_closure(personas.clerk_a, office=hall, date=f.MONDAY, reason="系统升级")
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by) == ("cancelled", "office")
    assert not Slot.objects.filter(office=hall, date=f.MONDAY, is_open=True).exists()
    assert Notification.objects.filter(template_code="appointment_cancelled_by_office").count() == 1
    with pytest.raises(ValidationError) as caught:
        f.booking(personas.resident_b, hall, thing)
    assert _error(caught) == {"slot": ["2026-03-02 不可预约：系统升级"]}
    with pytest.raises(PermissionDenied):
        actions.do_add_closure(personas.clerk_b, office=hall, date=f.MONDAY, reason="x")
    assert Closure.objects.count() == 1


def test_reopening_a_closed_day_brings_its_slots_back(personas):
    hall, thing = f.world(personas)
    closure = actions.do_add_closure(personas.clerk_a, office=hall, date=f.MONDAY, reason="停电")
    with pytest.raises(PermissionDenied):
        actions.do_remove_closure(personas.clerk_b, closure=closure)
    with time_machine.travel(f.at(f.MONDAY, 8), tick=False):
        # plan_slots starts today: 2 March 2026
        actions.do_remove_closure(personas.clerk_a, closure=closure)
    assert not Closure.objects.exists()
    assert f.slot(hall).is_open
    f.booking(personas.resident_a, hall, thing)


def test_replanning_keeps_booked_slots_and_drops_empty_ones(personas):
    hall, thing = f.world(personas)
    booking = f.booking(personas.resident_a, hall, thing)
    hall.counters.get().hours.all().delete()
    do_plan_slots(hall, start=f.MONDAY, days=14)
    assert list(Slot.objects.filter(office=hall)) == [booking.slot]
    assert not Slot.objects.get(pk=booking.slot_id).is_open


def test_the_planning_command_extends_the_window_and_refuses_a_bad_range(personas):
    from django.core.management import CommandError, call_command

    department = personas.organisations["department_a"]
    hall = f.office(department, items=[f.item(department)])
    call_command("plan_appointment_slots", "--days", "7")
    assert Slot.objects.filter(office=hall).exists()
    with pytest.raises(CommandError):
        call_command("plan_appointment_slots", "--days", "0")
    with pytest.raises(CommandError):
        call_command("plan_appointment_slots", "--office", "999999")


def test_a_slot_removed_by_replanning_is_refused_in_words(personas):
    hall, thing = f.world(personas)
    gone = f.slot(hall)
    Slot.objects.filter(pk=gone.pk).delete()
    with pytest.raises(ValidationError) as caught:
        actions.do_book_appointment(personas.resident_a, slot=gone, item=thing, now=f.BEFORE)
    assert _error(caught) == {"slot": ["该时段已取消，请选择其他时段"]}
