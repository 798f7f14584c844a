"""Reminders the day before: each booking reminded once, whichever worker runs the sweep."""

import datetime

import pytest
import time_machine

from civicgrid.appointments import actions
from civicgrid.appointments.tests import factories as f
from civicgrid.core.notifications.models import Notification

pytestmark = pytest.mark.django_db
SUNDAY_EVENING = f.at(f.MONDAY - datetime.timedelta(days=1), 18)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(f.BEFORE, tick=False):
        yield


def _reminders(user=None):
    rows = Notification.objects.filter(template_code="appointment_reminder")
    return rows.filter(recipient=user).count() if user else rows.count()


def test_tomorrows_bookings_are_reminded_once(personas):
    hall, thing = f.world(personas)
    booking = f.booking(personas.resident_a, hall, thing)
    f.booking(personas.resident_b, hall, thing, day=f.MONDAY + datetime.timedelta(days=1))
    assert actions.do_send_appointment_reminders(f.BEFORE) == 0  # Friday: Monday is not tomorrow
    assert actions.do_send_appointment_reminders(SUNDAY_EVENING) == 1
    assert actions.do_send_appointment_reminders(SUNDAY_EVENING) == 0  # a second worker
    assert _reminders(personas.resident_a) == 1 and _reminders(personas.resident_b) == 0
    message = Notification.objects.get(template_code="appointment_reminder")
    assert booking.number in message.body and "示例路 1 号" in message.body


def test_a_cancelled_booking_is_not_reminded_and_a_rescheduled_one_is_reminded_again(personas):
    hall, thing = f.world(personas)
    cancelled = f.booking(personas.resident_b, hall, thing)
    actions.do_cancel_booking(personas.resident_b, booking=cancelled, now=f.BEFORE)
    moved = f.booking(personas.resident_a, hall, thing)
    assert actions.do_send_appointment_reminders(SUNDAY_EVENING) == 1
    tuesday = f.MONDAY + datetime.timedelta(days=1)
    actions.do_reschedule_booking(
        personas.resident_a, booking=moved, slot=f.slot(hall, tuesday, 10), now=SUNDAY_EVENING
    )
    assert actions.do_send_appointment_reminders(f.at(f.MONDAY, 18)) == 1
    assert _reminders(personas.resident_a) == 2 and _reminders(personas.resident_b) == 0
