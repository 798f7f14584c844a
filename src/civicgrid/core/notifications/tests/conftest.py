"""People, templates, an SMS outbox and a task worker for the notification tests.

Alice and Bob are residents; each may see only their own notifications. Texts go to the real
in-memory backend (`LocmemSmsBackend`), tasks to the real database backend unless a test asks
for the immediate one, and `run_ready_tasks` does what `db_worker` does for every task whose
`run_after` has come.
"""

from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from civicgrid.core import sms
from civicgrid.core.notifications.choices import Channel, NotificationCategory
from civicgrid.core.notifications.registry import register_template, unregister_template
from civicgrid.core.notifications.tests import sms_backends
from civicgrid.core.notifications.tests.support import (
    ALICE_MOBILE,
    BOB_MOBILE,
    SCRIPTED_SMS,
    shanghai,
)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DAYTIME = shanghai(2026, 3, 2, 10, 0)
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def sms_outbox(settings) -> Iterator[list[sms.SentSms]]:
    """Every test starts with the in-memory SMS backend and an empty outbox."""
    settings.SMS_BACKEND = "civicgrid.core.sms.LocmemSmsBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def scripted_sms(settings) -> Iterator[list[sms.SmsReceipt | Exception]]:
    """A gateway that follows `script` (failures first), then accepts into the outbox."""
    settings.SMS_BACKEND = SCRIPTED_SMS
    sms_backends.script.clear()
    sms_backends.attempts.clear()
    yield sms_backends.script
    sms_backends.script.clear()
    sms_backends.attempts.clear()


@pytest.fixture(autouse=True)
def database_tasks(settings) -> None:
    """The production task backend, whatever CIVICGRID_TASKS_IMMEDIATE says."""
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def immediate_tasks(settings) -> None:
    settings.TASKS = IMMEDIATE_TASKS


@pytest.fixture
def run_ready_tasks() -> Callable[[], int]:
    """Run every queued task that is due now, as `db_worker --batch` would; returns how many."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )

    def run() -> int:
        count = 0
        # Worker.run() would also close "old" connections, which ends the test's transaction;
        # claiming and running each ready task is the rest of its loop.
        while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
            result.claim(worker.worker_id)
            worker.run_task(result)
            count += 1
        return count

    return run


@pytest.fixture(autouse=True)
def at() -> Iterator[Callable[[datetime], None]]:
    """The clock is fixed, at 10:00 Beijing time on a Monday unless a test moves it with
    `at(shanghai(2026, 3, 2, 23, 0))`."""
    travellers: list[time_machine.travel] = []

    def travel(moment: datetime) -> None:
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    travel(DAYTIME)
    yield travel
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def give_mobile() -> Callable[[object, str], None]:
    """Store a mobile number on a user for real (the protected field on `accounts.User`)."""

    def store(user: object, number: str) -> None:
        user.mobile = number  # type: ignore[attr-defined]
        user.save(update_fields=["mobile", "mobile_hash"])  # type: ignore[attr-defined]

    return store


@pytest.fixture
def alice(db, give_mobile):
    """A resident with a mobile number; the recipient in most tests."""
    user = get_user_model().objects.create_user("alice", password="pw-alice-123")
    give_mobile(user, ALICE_MOBILE)
    return user


@pytest.fixture
def bob(db, give_mobile):
    """Another resident, who must never see or touch Alice's notifications."""
    user = get_user_model().objects.create_user("bob", password="pw-bob-123")
    give_mobile(user, BOB_MOBILE)
    return user


@pytest.fixture
def charlie(db):
    """A resident who never gave a mobile number."""
    return get_user_model().objects.create_user("charlie", password="pw-charlie-123")


@pytest.fixture(autouse=True)
def message_templates() -> Iterator[None]:
    """Templates shaped like the ones the domain apps will declare."""
    register_template(
        "test_errand_claimed",
        category=NotificationCategory.ERRANDS,
        title="代购需求已被认领",
        body="您的代购需求“{title}”已被志愿者{volunteer}认领。",
        sms="您的代购需求“{title}”已被志愿者{volunteer}认领，请保持电话畅通。",
        channels=(Channel.IN_APP, Channel.SMS),
    )
    register_template(
        "test_quarantine_order",
        category=NotificationCategory.EPIDEMIC,
        title="居家隔离通知",
        body="请于{start}起居家隔离，期间每日上报体温。",
        channels=(Channel.IN_APP, Channel.SMS),
        urgent=True,
    )
    register_template(
        "test_quiz_published",
        category=NotificationCategory.LEARNING,
        title="新的防疫知识测验：{quiz}",
        body="社区发布了新的测验“{quiz}”，欢迎参加。",
    )
    yield
    for code in ("test_errand_claimed", "test_quarantine_order", "test_quiz_published"):
        unregister_template(code)
