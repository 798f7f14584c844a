"""notify(): rows inside the caller's transaction, texts only after it commits."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from civicgrid.core.notifications.actions import notify
from civicgrid.core.notifications.choices import Channel, DeliveryStatus
from civicgrid.core.notifications.models import Delivery, Notification
from civicgrid.core.notifications.recipients import mobile_of
from civicgrid.core.notifications.tests.support import ALICE_MOBILE, BOB_MOBILE, ERRAND, shanghai

pytestmark = pytest.mark.django_db


class ActionFailed(Exception):
    pass


def test_it_writes_one_notification_and_one_delivery_per_channel(alice, at):
    at(shanghai(2026, 3, 2, 10, 0))
    (notification,) = notify(alice, "test_errand_claimed", ERRAND, url="/errands/7/")
    assert (notification.recipient, notification.category, notification.urgent) == (
        alice,
        "errands",
        False,
    )
    assert notification.url == "/errands/7/" and notification.in_inbox and notification.is_unread
    by_channel = {d.channel: d for d in notification.deliveries.all()}
    assert set(by_channel) == {Channel.IN_APP, Channel.SMS}
    assert by_channel[Channel.IN_APP].status == DeliveryStatus.SENT
    assert by_channel[Channel.SMS].status == DeliveryStatus.PENDING
    assert by_channel[Channel.SMS].send_after is None


def test_a_template_without_sms_writes_only_the_inbox_delivery(alice):
    (notification,) = notify(alice, "test_quiz_published", {"quiz": "口罩佩戴"})
    assert [d.channel for d in notification.deliveries.all()] == [Channel.IN_APP]


def test_a_rolled_back_action_leaves_no_notification_and_sends_nothing(
    alice, bob, sms_outbox, immediate_tasks, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ActionFailed),
        transaction.atomic(),
    ):
        notify([alice, bob], "test_errand_claimed", ERRAND)
        assert Notification.objects.count() == 2  # written inside the transaction...
        raise ActionFailed
    assert callbacks == []  # ...and nothing was left to run after a commit
    assert not Notification.objects.exists() and not Delivery.objects.exists()
    assert sms_outbox == []


def test_a_rolled_back_action_enqueues_no_task(alice, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ActionFailed),
        transaction.atomic(),
    ):
        notify(alice, "test_errand_claimed", ERRAND)
        raise ActionFailed
    assert not DBTaskResult.objects.exists()


def test_texts_are_sent_only_after_the_commit(
    alice, sms_outbox, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        (notification,) = notify(alice, "test_errand_claimed", ERRAND)
        assert sms_outbox == []
    (sms,) = sms_outbox
    assert sms.mobile == ALICE_MOBILE
    assert sms.text == "【CivicGrid】您的代购需求“买两袋大米”已被志愿者张志愿认领，请保持电话畅通。"
    delivery = notification.deliveries.get(channel=Channel.SMS)
    assert delivery.status == DeliveryStatus.SENT
    assert (delivery.attempts, delivery.provider_message_id) == (1, sms.message_id)
    assert delivery.sent_at is not None and delivery.last_error == ""


def test_the_database_worker_sends_the_queued_texts(
    alice, bob, sms_outbox, run_ready_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify([alice, bob], "test_errand_claimed", ERRAND)
    assert DBTaskResult.objects.count() == 1  # one task carries the batch
    assert sms_outbox == []
    assert run_ready_tasks() == 1
    assert sorted(s.mobile for s in sms_outbox) == [ALICE_MOBILE, BOB_MOBILE]
    assert set(Delivery.objects.filter(channel=Channel.SMS).values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }


def test_recipients_are_deduplicated_and_inactive_accounts_skipped(alice, bob):
    bob.is_active = False
    bob.save()
    notifications = notify([alice, bob, alice], "test_quiz_published", {"quiz": "洗手"})
    assert [n.recipient for n in notifications] == [alice]


def test_no_recipients_is_not_an_error():
    assert notify([], "test_quiz_published", {"quiz": "洗手"}) == []


def test_without_a_mobile_number_the_text_is_recorded_as_no_mobile(
    charlie, sms_outbox, immediate_tasks, django_capture_on_commit_callbacks
):
    assert mobile_of(charlie) == ""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        (notification,) = notify(charlie, "test_errand_claimed", ERRAND)
    assert callbacks == []  # nothing to send, so nothing enqueued
    assert notification.deliveries.get(channel=Channel.SMS).status == DeliveryStatus.NO_MOBILE
    assert notification.in_inbox
    assert sms_outbox == []


def test_a_number_removed_before_sending_is_recorded_as_no_mobile(
    alice, give_mobile, sms_outbox, run_ready_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (notification,) = notify(alice, "test_errand_claimed", ERRAND)
    give_mobile(alice, "")
    run_ready_tasks()
    assert notification.deliveries.get(channel=Channel.SMS).status == DeliveryStatus.NO_MOBILE
    assert sms_outbox == []


def test_mobile_of_reads_the_users_number(give_mobile):
    user = get_user_model().objects.create_user("dora")
    give_mobile(user, " 13800138000 ")
    assert mobile_of(get_user_model().objects.get(pk=user.pk)) == "13800138000"


class MaskedNumber(str):
    """The shape of a protected field's value: the text is masked, reveal() gives the number."""

    def __new__(cls, plain: str) -> "MaskedNumber":
        value = super().__new__(cls, plain[:3] + "****" + plain[-4:])
        value.plain = plain
        return value

    def reveal(self) -> str:
        return self.plain


def test_mobile_of_reveals_a_protected_number():
    class Person:
        mobile = MaskedNumber("13800138000")

    assert str(Person.mobile) == "138****8000"
    assert mobile_of(Person()) == "13800138000"


def test_a_formatted_number_still_receives_the_text(
    give_mobile, sms_outbox, immediate_tasks, django_capture_on_commit_callbacks
):
    user = get_user_model().objects.create_user("erin")
    give_mobile(user, "+86 138-0013-8000")
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, "test_errand_claimed", ERRAND)
    assert [sms.mobile for sms in sms_outbox] == ["13800138000"]


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "errands/1/"])
def test_the_link_must_be_a_local_path(alice, url):
    with pytest.raises(ValueError):
        notify(alice, "test_quiz_published", {"quiz": "洗手"}, url=url)
    assert not Notification.objects.exists()


def test_a_call_can_make_a_routine_template_urgent(alice):
    (notification,) = notify(alice, "test_quiz_published", {"quiz": "洗手"}, urgent=True)
    assert notification.urgent


def test_a_community_wide_alert_is_written_in_a_few_queries_and_sent_in_batches(
    give_mobile, django_capture_on_commit_callbacks
):
    user_model = get_user_model()
    user_model.objects.bulk_create(user_model(username=f"resident{n:04}") for n in range(1000))
    residents = list(user_model.objects.filter(username__startswith="resident"))
    for n, resident in enumerate(residents):
        give_mobile(resident, f"138{n:08}")
    with (
        django_capture_on_commit_callbacks(execute=True),
        CaptureQueriesContext(connection) as captured,
    ):
        notify(residents, "test_errand_claimed", ERRAND)
    # Batched INSERTs (about a hundred rows each on SQLite), never a query per person.
    assert len(captured) < 100
    pending = Delivery.objects.filter(channel=Channel.SMS, status=DeliveryStatus.PENDING)
    assert pending.count() == 1000
    assert DBTaskResult.objects.count() == 5  # 200 texts per task
