"""Quiet hours: routine texts wait for the morning, urgent ones do not, none is dropped."""

from datetime import UTC

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from civicgrid.core.notifications.actions import do_send_due_sms_deliveries, notify
from civicgrid.core.notifications.choices import Channel, DeliveryStatus
from civicgrid.core.notifications.models import Delivery
from civicgrid.core.notifications.quiet_hours import quiet_period_end
from civicgrid.core.notifications.tests.support import ERRAND, shanghai

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("moment", "end"),
    [
        (shanghai(2026, 3, 2, 21, 59), None),
        (shanghai(2026, 3, 2, 22, 0), shanghai(2026, 3, 3, 7, 0)),
        (shanghai(2026, 3, 2, 23, 30), shanghai(2026, 3, 3, 7, 0)),
        (shanghai(2026, 3, 3, 0, 0), shanghai(2026, 3, 3, 7, 0)),
        (shanghai(2026, 3, 3, 6, 59), shanghai(2026, 3, 3, 7, 0)),
        (shanghai(2026, 3, 3, 7, 0), None),
        (shanghai(2026, 3, 3, 12, 0), None),
    ],
)
def test_the_default_quiet_hours_run_from_ten_at_night_to_seven_beijing_time(moment, end):
    assert quiet_period_end(moment) == end


def test_quiet_hours_are_read_in_beijing_time_whatever_the_servers_zone():
    utc_evening = shanghai(2026, 3, 2, 23, 0).astimezone(UTC)
    assert utc_evening.hour == 15
    assert quiet_period_end(utc_evening) == shanghai(2026, 3, 3, 7, 0)


def test_a_window_within_one_day_and_a_disabled_window(settings):
    settings.SMS_QUIET_HOURS = ("12:00", "14:00")
    assert quiet_period_end(shanghai(2026, 3, 2, 13, 0)) == shanghai(2026, 3, 2, 14, 0)
    assert quiet_period_end(shanghai(2026, 3, 2, 23, 0)) is None
    settings.SMS_QUIET_HOURS = ("00:00", "00:00")
    assert quiet_period_end(shanghai(2026, 3, 2, 23, 0)) is None


def test_a_routine_text_at_night_waits_until_seven_and_is_then_sent(
    alice, at, sms_outbox, run_ready_tasks, django_capture_on_commit_callbacks
):
    at(shanghai(2026, 3, 2, 23, 30))
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = notify(alice, "test_errand_claimed", ERRAND)
    sms = notification.deliveries.get(channel=Channel.SMS)
    assert (sms.status, sms.send_after) == (DeliveryStatus.DEFERRED, shanghai(2026, 3, 3, 7, 0))
    # The inbox has it at once; only the text waits.
    assert notification.deliveries.get(channel=Channel.IN_APP).status == DeliveryStatus.SENT
    (task,) = DBTaskResult.objects.all()
    assert task.run_after == shanghai(2026, 3, 3, 7, 0)

    at(shanghai(2026, 3, 3, 6, 59))
    assert run_ready_tasks() == 0
    assert sms_outbox == []

    at(shanghai(2026, 3, 3, 7, 0))
    assert run_ready_tasks() == 1
    assert len(sms_outbox) == 1
    sms.refresh_from_db()
    assert (sms.status, sms.sent_at) == (DeliveryStatus.SENT, shanghai(2026, 3, 3, 7, 0))


def test_an_urgent_text_at_night_is_sent_at_once(
    alice, at, sms_outbox, run_ready_tasks, django_capture_on_commit_callbacks
):
    at(shanghai(2026, 3, 2, 23, 30))
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = notify(alice, "test_quarantine_order", {"start": "明日"})
    sms = notification.deliveries.get(channel=Channel.SMS)
    assert (sms.status, sms.send_after) == (DeliveryStatus.PENDING, None)
    (task,) = DBTaskResult.objects.all()
    assert task.priority > 0  # ahead of routine work in the queue
    assert run_ready_tasks() == 1
    (text,) = sms_outbox
    assert "居家隔离" in text.text
    sms.refresh_from_db()
    assert sms.sent_at == shanghai(2026, 3, 2, 23, 30)


def test_a_routine_text_picked_up_after_ten_waits_for_the_morning(
    alice, at, sms_outbox, run_ready_tasks, django_capture_on_commit_callbacks
):
    at(shanghai(2026, 3, 2, 21, 59))
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = notify(alice, "test_errand_claimed", ERRAND)
    at(shanghai(2026, 3, 2, 22, 5))  # the worker had a backlog
    run_ready_tasks()
    sms = notification.deliveries.get(channel=Channel.SMS)
    assert (sms.status, sms.send_after) == (DeliveryStatus.DEFERRED, shanghai(2026, 3, 3, 7, 0))
    assert sms_outbox == []
    at(shanghai(2026, 3, 3, 7, 0))
    run_ready_tasks()
    assert len(sms_outbox) == 1


def test_without_a_scheduling_task_backend_the_sweep_sends_deferred_texts(
    alice, at, sms_outbox, immediate_tasks, django_capture_on_commit_callbacks
):
    at(shanghai(2026, 3, 2, 23, 0))
    with django_capture_on_commit_callbacks(execute=True):
        notify(alice, "test_errand_claimed", ERRAND)
    assert sms_outbox == []
    assert do_send_due_sms_deliveries() == 0  # still night
    at(shanghai(2026, 3, 3, 7, 1))
    assert do_send_due_sms_deliveries() == 1
    assert len(sms_outbox) == 1
    assert Delivery.objects.get(channel=Channel.SMS).status == DeliveryStatus.SENT


def test_the_sweep_command_sends_due_texts(
    alice, at, sms_outbox, immediate_tasks, django_capture_on_commit_callbacks
):
    at(shanghai(2026, 3, 2, 23, 0))
    with django_capture_on_commit_callbacks(execute=True):
        notify(alice, "test_errand_claimed", ERRAND)
    at(shanghai(2026, 3, 3, 8, 0))
    call_command("send_due_notifications", verbosity=0)
    assert len(sms_outbox) == 1
