"""Failed texts: the error is recorded, temporary failures are retried with growing delays,
a bounded number of times; nothing is sent twice."""

from datetime import timedelta

import pytest

from civicgrid.core.notifications.actions import (
    do_send_due_sms_deliveries,
    do_send_sms_delivery,
    notify,
    retry_delay,
)
from civicgrid.core.notifications.choices import Channel, DeliveryStatus
from civicgrid.core.notifications.models import Delivery
from civicgrid.core.notifications.tests import sms_backends
from civicgrid.core.notifications.tests.sms_backends import gateway_busy, number_blocked
from civicgrid.core.notifications.tests.support import ERRAND, shanghai

pytestmark = pytest.mark.django_db

TEN = shanghai(2026, 3, 2, 10, 0)


@pytest.fixture
def queued_text(alice, django_capture_on_commit_callbacks) -> Delivery:
    """Alice's errand text, queued at 10:00 and not yet attempted."""
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = notify(alice, "test_errand_claimed", ERRAND)
    return notification.deliveries.get(channel=Channel.SMS)


def test_retry_delays_grow_fivefold_from_a_minute_and_stop_at_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=25),
        timedelta(hours=1),
    ]


def test_a_failed_text_is_recorded_and_retried_a_minute_later(
    queued_text, scripted_sms, sms_outbox, run_ready_tasks, at
):
    scripted_sms.append(gateway_busy())
    run_ready_tasks()
    queued_text.refresh_from_db()
    assert queued_text.status == DeliveryStatus.RETRYING
    assert queued_text.attempts == 1
    assert queued_text.last_error == "isp.RAM_PERMISSION: 网关繁忙"
    assert queued_text.send_after == TEN + timedelta(minutes=1)
    assert sms_outbox == []

    assert run_ready_tasks() == 0  # not yet
    at(TEN + timedelta(minutes=1))
    assert run_ready_tasks() == 1
    queued_text.refresh_from_db()
    assert (queued_text.status, queued_text.attempts) == (DeliveryStatus.SENT, 2)
    assert queued_text.last_error == ""
    assert len(sms_outbox) == 1


def test_retries_stop_after_the_configured_number_of_attempts(
    queued_text, scripted_sms, sms_outbox, run_ready_tasks, at, settings
):
    assert settings.SMS_MAX_ATTEMPTS == 4
    scripted_sms.extend([gateway_busy()] * 5)
    run_ready_tasks()
    for minutes in (1, 1 + 5, 1 + 5 + 25):
        at(TEN + timedelta(minutes=minutes))
        assert run_ready_tasks() == 1
    queued_text.refresh_from_db()
    assert (queued_text.status, queued_text.attempts) == (DeliveryStatus.FAILED, 4)
    assert queued_text.send_after is None
    assert "网关繁忙" in queued_text.last_error
    at(TEN + timedelta(days=1))
    assert run_ready_tasks() == 0  # nothing more was scheduled
    assert do_send_due_sms_deliveries() == 0
    assert len(sms_backends.attempts) == 4 and sms_outbox == []


def test_a_refusal_that_retrying_cannot_fix_fails_at_once(
    queued_text, scripted_sms, run_ready_tasks
):
    scripted_sms.append(number_blocked())
    run_ready_tasks()
    queued_text.refresh_from_db()
    assert (queued_text.status, queued_text.attempts) == (DeliveryStatus.FAILED, 1)
    assert queued_text.last_error == "isv.MOBILE_NUMBER_ILLEGAL"


def test_a_gateway_that_raises_is_recorded_as_a_temporary_failure(
    queued_text, scripted_sms, run_ready_tasks
):
    scripted_sms.append(TimeoutError("connect timed out"))
    run_ready_tasks()
    queued_text.refresh_from_db()
    assert queued_text.status == DeliveryStatus.RETRYING
    assert queued_text.last_error == "TimeoutError: connect timed out"


def test_a_retry_that_would_fall_in_quiet_hours_waits_for_the_morning(
    alice, at, scripted_sms, sms_outbox, run_ready_tasks, django_capture_on_commit_callbacks
):
    at(shanghai(2026, 3, 2, 21, 59, 30))
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = notify(alice, "test_errand_claimed", ERRAND)
    scripted_sms.append(gateway_busy())
    run_ready_tasks()
    sms = notification.deliveries.get(channel=Channel.SMS)
    assert (sms.status, sms.send_after) == (DeliveryStatus.RETRYING, shanghai(2026, 3, 3, 7, 0))
    at(shanghai(2026, 3, 3, 7, 0))
    run_ready_tasks()
    assert len(sms_outbox) == 1


def test_an_urgent_retry_ignores_quiet_hours(
    alice, at, scripted_sms, run_ready_tasks, django_capture_on_commit_callbacks
):
    at(shanghai(2026, 3, 2, 23, 0))
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = notify(alice, "test_quarantine_order", {"start": "明日"})
    scripted_sms.append(gateway_busy())
    run_ready_tasks()
    sms = notification.deliveries.get(channel=Channel.SMS)
    assert sms.send_after == shanghai(2026, 3, 2, 23, 1)


def test_a_text_is_sent_once_however_often_it_is_picked_up(
    queued_text, sms_outbox, run_ready_tasks
):
    assert do_send_sms_delivery(queued_text.pk) == DeliveryStatus.SENT
    assert do_send_sms_delivery(queued_text.pk) is None
    assert do_send_due_sms_deliveries() == 0
    run_ready_tasks()  # the task enqueued at commit finds it already sent
    assert len(sms_outbox) == 1


def test_a_text_held_by_another_worker_is_left_alone(queued_text, sms_outbox):
    Delivery.objects.filter(pk=queued_text.pk).update(status=DeliveryStatus.SENDING)
    assert do_send_sms_delivery(queued_text.pk) is None
    assert sms_outbox == []


def test_the_admin_action_resends_failed_texts(
    queued_text, scripted_sms, sms_outbox, run_ready_tasks, admin_client
):
    scripted_sms.append(number_blocked())
    run_ready_tasks()
    response = admin_client.post(
        "/admin/notifications/delivery/",
        {"action": "resend_failed_sms", "_selected_action": [queued_text.pk]},
    )
    assert response.status_code == 302
    queued_text.refresh_from_db()
    assert (queued_text.status, queued_text.attempts) == (DeliveryStatus.PENDING, 0)
    run_ready_tasks()
    assert len(sms_outbox) == 1
