"""No-shows are recorded after the slot; repeated ones block booking, with an appeal."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.appointments import actions
from civicgrid.appointments.models import BlockAppeal, Booking, BookingBlock
from civicgrid.appointments.tests import factories as f
from civicgrid.core.notifications.models import Notification
from civicgrid.core.periodic import default_jobs

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(f.BEFORE, tick=False):
        yield


def _miss(personas, hall, thing, day):
    """resident_a books `day` 09:00 and does not come; the sweep runs at 10:00."""
    booking = f.booking(personas.resident_a, hall, thing, day=day, now=f.BEFORE)
    assert actions.do_record_no_shows(f.at(day, 10)) == 1
    booking.refresh_from_db()
    return booking


def test_a_booking_nobody_checked_in_for_is_a_no_show_once_check_in_closes(personas):
    hall, thing = f.world(personas)
    booking = f.booking(personas.resident_a, hall, thing)
    assert actions.do_record_no_shows(f.at(f.MONDAY, 9, 14)) == 0  # still within the late window
    assert actions.do_record_no_shows(f.at(f.MONDAY, 9, 31)) == 1
    assert actions.do_record_no_shows(f.at(f.MONDAY, 9, 31)) == 0  # a second worker, same sweep
    booking.refresh_from_db()
    assert booking.status == "no_show"
    assert Notification.objects.filter(template_code="appointment_no_show").count() == 1
    assert not BookingBlock.objects.exists()


def test_checked_in_and_cancelled_bookings_are_never_no_shows(personas):
    hall, thing = f.world(personas)
    came = f.booking(personas.resident_a, hall, thing)
    actions.do_check_in_booking(
        personas.clerk_a, office=hall, code=came.number, now=f.at(f.MONDAY, 9)
    )
    gone = f.booking(personas.resident_b, hall, thing)
    actions.do_cancel_booking(personas.resident_b, booking=gone, now=f.BEFORE)
    assert actions.do_record_no_shows(f.at(f.MONDAY, 12)) == 0


def test_three_no_shows_within_ninety_days_block_booking_and_the_appeal_lifts_it(personas):
    hall, thing = f.world(personas)
    for n in range(3):
        _miss(personas, hall, thing, f.MONDAY + n * DAY)
    block = BookingBlock.objects.get()
    assert (block.applicant, block.office, block.no_shows) == (personas.resident_a, hall, 3)
    assert block.ends_at == f.at(f.MONDAY + 2 * DAY, 10) + datetime.timedelta(days=30)
    assert Notification.objects.filter(template_code="appointment_blocked").count() == 1
    with pytest.raises(ValidationError) as caught:
        f.booking(
            personas.resident_a,
            hall,
            thing,
            day=f.MONDAY + 7 * DAY,
            now=f.at(f.MONDAY + 2 * DAY, 11),
        )
    assert "多次预约未到" in caught.value.message_dict["applicant"][0]

    with time_machine.travel(f.at(f.MONDAY + 2 * DAY, 12), tick=False):
        with pytest.raises(ValidationError):
            actions.do_appeal_block(personas.resident_a, block=block, text="   ")
        with pytest.raises(PermissionDenied):
            actions.do_appeal_block(personas.resident_b, block=block, text="不是我的")
        appeal = actions.do_appeal_block(personas.resident_a, block=block, text="住院，有病历")
        assert Notification.objects.filter(
            recipient=personas.clerk_a, template_code="appointment_appeal_received"
        ).exists()
        with pytest.raises(ValidationError):
            actions.do_appeal_block(personas.resident_a, block=block, text="再申诉一次")
        with pytest.raises(PermissionDenied):
            actions.do_decide_appeal(personas.clerk_b, appeal=appeal, grant=True, reason="同意")
        with pytest.raises(ValidationError) as caught:
            actions.do_decide_appeal(personas.clerk_a, appeal=appeal, grant=True, reason="")
        assert caught.value.message_dict == {"reason": ["请填写处理意见"]}
        actions.do_decide_appeal(personas.clerk_a, appeal=appeal, grant=True, reason="病历属实")
        with pytest.raises(ValidationError):
            actions.do_decide_appeal(personas.clerk_a, appeal=appeal, grant=False, reason="再处理")
    block.refresh_from_db()
    assert block.lifted_at is not None
    assert BlockAppeal.objects.get().status == "granted"
    f.booking(
        personas.resident_a, hall, thing, day=f.MONDAY + 7 * DAY, now=f.at(f.MONDAY + 2 * DAY, 13)
    )


def test_a_refused_appeal_keeps_the_block(personas, settings):
    settings.APPOINTMENTS_NO_SHOW_LIMIT = 1
    hall, thing = f.world(personas)
    _miss(personas, hall, thing, f.MONDAY)
    block = BookingBlock.objects.get()
    with time_machine.travel(f.at(f.MONDAY, 12), tick=False):
        appeal = actions.do_appeal_block(personas.resident_a, block=block, text="忘了")
        actions.do_decide_appeal(personas.clerk_a, appeal=appeal, grant=False, reason="无正当理由")
    block.refresh_from_db()
    assert block.lifted_at is None
    assert Notification.objects.filter(template_code="appointment_appeal_refused").count() == 1


def test_no_shows_older_than_the_window_or_before_the_last_block_do_not_count(personas, settings):
    settings.APPOINTMENTS_NO_SHOW_WINDOW_DAYS = 2
    settings.APPOINTMENTS_BLOCK_DAYS = 1
    hall, thing = f.world(personas)
    _miss(personas, hall, thing, f.MONDAY)
    _miss(personas, hall, thing, f.MONDAY + 3 * DAY)  # the first is out of the window now
    _miss(personas, hall, thing, f.MONDAY + 4 * DAY)
    assert not BookingBlock.objects.exists()
    settings.APPOINTMENTS_NO_SHOW_WINDOW_DAYS = 90
    _miss(personas, hall, thing, f.MONDAY + 7 * DAY)  # 4 within 90 days: blocked for a day
    assert BookingBlock.objects.count() == 1
    _miss(personas, hall, thing, f.MONDAY + 9 * DAY)  # the earlier four led to the last block
    assert BookingBlock.objects.count() == 1
    assert Booking.objects.filter(status="no_show").count() == 5


def test_the_worker_runs_the_sweeps():
    paths = {job.path for job in default_jobs()}
    expected = {
        "civicgrid.appointments.actions.do_record_no_shows",
        "civicgrid.appointments.actions.do_send_appointment_reminders",
        "civicgrid.appointments.slots.do_plan_all_slots",
    }
    assert expected <= paths
