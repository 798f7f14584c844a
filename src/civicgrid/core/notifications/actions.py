"""Notification actions: send (`notify`), deliver text messages, read, set preferences.

Sending, from any module's action:

    from civicgrid.core.notifications.actions import notify

    with transaction.atomic():
        claim = ErrandClaim.objects.create(...)
        notify(
            errand.requester,
            "errand_claimed",
            {"title": errand.title, "volunteer": volunteer.full_name},
            url=reverse("errands:errand_detail", args=[errand.pk]),
        )

`notify` renders the template (a missing variable raises before anything is written), writes
one `Notification` per recipient and one `Delivery` per channel inside the caller's transaction,
and enqueues the text messages with `transaction.on_commit`: a rolled-back action leaves no
notification and sends nothing. The in-app delivery is complete once the transaction commits.

Text messages then go through `do_send_sms_delivery`, run by the `send_sms_deliveries` task:

- non-urgent ones due in quiet hours are `deferred` to the end of quiet hours and enqueued with
  `run_after` (they are never dropped); urgent ones go at once;
- a failure the gateway calls temporary is retried with growing delays (`SMS_MAX_ATTEMPTS`,
  `SMS_RETRY_BASE_SECONDS`), then recorded as `failed` with the gateway's error;
- a recipient without a mobile number gets status `no_mobile`.

Each delivery is claimed with a conditional UPDATE before the gateway call, so a task and the
sweep (`do_send_due_sms_deliveries`, the `send_due_notifications` command) never send the same
text twice. The sweep is the safety net for tasks lost before they ran and for backends that
cannot schedule (`ImmediateBackend` has no `run_after`): run it every few minutes from cron.
A worker killed during the gateway call leaves its delivery `sending`; it is not resent
automatically because the gateway may already have taken it.
"""

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from civicgrid.core.notifications.choices import (
    DUE_STATUSES,
    Channel,
    DeliveryStatus,
    NotificationCategory,
)
from civicgrid.core.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    TemplateOverride,
)
from civicgrid.core.notifications.preferences import ChannelSwitches
from civicgrid.core.notifications.quiet_hours import quiet_period_end
from civicgrid.core.notifications.recipients import mobile_of
from civicgrid.core.notifications.registry import (
    InvalidTemplateText,
    MessageTemplate,
    TextOverride,
    get_template,
    placeholders,
)
from civicgrid.core.sms import send_sms
from civicgrid.core.types import Account

logger = logging.getLogger(__name__)

# Text messages per task: large enough to keep the queue short for a community-wide alert,
# small enough that two workers share the work.
SMS_TASK_BATCH = 200
URGENT_TASK_PRIORITY = 50
MAX_RETRY_DELAY_SECONDS = 3600
PREFERENCE_QUERY_SLICE = 900


def notify(
    recipients: Account | Iterable[Account],
    template_code: str,
    context: Mapping[str, Any],
    *,
    urgent: bool | None = None,
    url: str = "",
) -> list[Notification]:
    """Tell `recipients` something, through the channels the template declares.

    `urgent=None` takes the template's urgency; True or False overrides it for this call.
    `url` is a local path ("/errands/12/") the inbox links to. Recipients are deduplicated and
    inactive accounts skipped; a recipient who switched off every channel of the category gets
    nothing (unless urgent). Returns the notifications written.

    Raises `UnknownTemplate` or `MissingTemplateVariable` before writing anything.
    """
    template = get_template(template_code)
    is_urgent = template.urgent if urgent is None else urgent
    if url and (not url.startswith("/") or url.startswith("//")):
        raise ValueError(f"notify(url=...) must be a local path, not {url!r}")
    message = template.render(context, override=_active_override(template))
    users = _unique_active_users(recipients)
    if not users:
        return []

    switches = _stored_switches(users, template.category)
    now = timezone.now()
    quiet_end = None if is_urgent else quiet_period_end(now)

    notifications: list[Notification] = []
    plans: list[tuple[bool, bool, str]] = []
    for user in users:
        wanted = ChannelSwitches() if is_urgent else switches.get(user.pk, ChannelSwitches())
        in_app = Channel.IN_APP in template.channels and wanted.in_app
        sms = Channel.SMS in template.channels and wanted.sms
        if not (in_app or sms):
            continue
        notifications.append(
            Notification(
                recipient=user,
                template_code=template.code,
                category=template.category,
                urgent=is_urgent,
                title=message.title,
                body=message.body,
                url=url,
                in_inbox=in_app,
                created_at=now,
            )
        )
        plans.append((in_app, sms, mobile_of(user) if sms else ""))

    with transaction.atomic():
        Notification.objects.bulk_create(notifications)
        deliveries = []
        for notification, (in_app, sms, mobile) in zip(notifications, plans, strict=True):
            if in_app:
                deliveries.append(
                    Delivery(
                        notification=notification,
                        channel=Channel.IN_APP,
                        status=DeliveryStatus.SENT,
                        sent_at=now,
                        created_at=now,
                        updated_at=now,
                    )
                )
            if sms:
                if not mobile:
                    status = DeliveryStatus.NO_MOBILE
                elif quiet_end is not None:
                    status = DeliveryStatus.DEFERRED
                else:
                    status = DeliveryStatus.PENDING
                deliveries.append(
                    Delivery(
                        notification=notification,
                        channel=Channel.SMS,
                        status=status,
                        text=message.sms,
                        send_after=quiet_end if status == DeliveryStatus.DEFERRED else None,
                        created_at=now,
                        updated_at=now,
                    )
                )
        Delivery.objects.bulk_create(deliveries)
        due = [d.pk for d in deliveries if d.status == DeliveryStatus.PENDING]
        deferred = [d.pk for d in deliveries if d.status == DeliveryStatus.DEFERRED]
        if due:
            transaction.on_commit(
                partial(enqueue_sms_deliveries, due, urgent=is_urgent), robust=True
            )
        if deferred:
            transaction.on_commit(
                partial(enqueue_sms_deliveries, deferred, run_after=quiet_end), robust=True
            )
    return notifications


def _stored_switches(users: list[Account], category: str) -> dict[Any, ChannelSwitches]:
    switches = {}
    # In slices: a county-wide alert may name more people than one query may carry parameters.
    for start in range(0, len(users), PREFERENCE_QUERY_SLICE):
        pks = [user.pk for user in users[start : start + PREFERENCE_QUERY_SLICE]]
        for p in NotificationPreference.objects.filter(user_id__in=pks, category=category):
            switches[p.user_id] = ChannelSwitches(in_app=p.in_app, sms=p.sms)
    return switches


def _unique_active_users(
    recipients: Account | Iterable[Account],
) -> list[Account]:
    if isinstance(recipients, Account):
        recipients = [recipients]
    seen: dict[Any, Account] = {}
    for user in recipients:
        if user.pk is None:
            raise ValueError("notify() needs saved users")
        if user.is_active and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def _active_override(template: MessageTemplate) -> TextOverride | None:
    row = TemplateOverride.objects.filter(code=template.code, is_active=True).first()
    if row is None:
        return None
    try:
        used = placeholders(row.title) | placeholders(row.body) | placeholders(row.sms)
    except InvalidTemplateText:
        used = None
    if used is None or not used <= template.variables:
        # Saved past the admin's validation (shell, fixture): the code's text is still right.
        logger.error("Ignoring invalid wording override of template %s", template.code)
        return None
    return row.as_text_override()


def enqueue_sms_deliveries(
    delivery_ids: list[int], *, run_after: datetime | None = None, urgent: bool = False
) -> None:
    """Enqueue `send_sms_deliveries` for these ids, in batches, no earlier than `run_after`.

    A backend that cannot schedule gets nothing for a future `run_after`: the rows wait as
    `deferred`/`retrying` for the sweep (`do_send_due_sms_deliveries`).
    """
    from civicgrid.core.notifications.tasks import send_sms_deliveries

    backend = send_sms_deliveries.get_backend()
    options: dict[str, Any] = {}
    if urgent and backend.supports_priority:
        options["priority"] = URGENT_TASK_PRIORITY
    if run_after is not None and run_after > timezone.now():
        if not backend.supports_defer:
            logger.info("Task backend cannot defer; %d texts wait for the sweep", len(delivery_ids))
            return
        options["run_after"] = run_after
    task = send_sms_deliveries.using(**options) if options else send_sms_deliveries
    for start in range(0, len(delivery_ids), SMS_TASK_BATCH):
        task.enqueue(delivery_ids[start : start + SMS_TASK_BATCH])


def retry_delay(attempt: int) -> timedelta:
    """Wait after failed attempt number `attempt` (1, 2, ...): base × 5^(attempt-1), capped."""
    seconds = settings.SMS_RETRY_BASE_SECONDS * 5 ** (attempt - 1)
    return timedelta(seconds=min(seconds, MAX_RETRY_DELAY_SECONDS))


def do_send_sms_delivery(delivery_id: int) -> str | None:
    """Send one due text message now, or defer it; returns the status it was left in.

    Returns None when there is nothing to do: the delivery is missing, already handled, not yet
    due, or another worker claimed it first.
    """
    now = timezone.now()
    delivery = (
        Delivery.objects.select_related("notification__recipient")
        .filter(pk=delivery_id, channel=Channel.SMS, status__in=DUE_STATUSES)
        .filter(Q(send_after__isnull=True) | Q(send_after__lte=now))
        .first()
    )
    if delivery is None:
        return None
    notification = delivery.notification
    unchanged = Delivery.objects.filter(
        pk=delivery.pk, status=delivery.status, attempts=delivery.attempts
    )

    quiet_end = None if notification.urgent else quiet_period_end(now)
    if quiet_end is not None:
        # Queued by day but picked up at night (a backlog, a retry): wait for the morning.
        if unchanged.update(status=DeliveryStatus.DEFERRED, send_after=quiet_end, updated_at=now):
            enqueue_sms_deliveries([delivery.pk], run_after=quiet_end)
            return DeliveryStatus.DEFERRED
        return None

    mobile = mobile_of(notification.recipient)
    if not mobile:
        if unchanged.update(status=DeliveryStatus.NO_MOBILE, send_after=None, updated_at=now):
            return DeliveryStatus.NO_MOBILE
        return None

    claimed = unchanged.update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return None
    attempt = delivery.attempts + 1
    receipt = send_sms(mobile, delivery.text)
    done = timezone.now()
    mine = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING)
    if receipt.accepted:
        mine.update(
            status=DeliveryStatus.SENT,
            sent_at=done,
            send_after=None,
            provider_message_id=receipt.message_id[:100],
            last_error="",
            updated_at=done,
        )
        return DeliveryStatus.SENT
    error = (receipt.error or "短信网关未说明原因")[:500]
    if receipt.retryable and attempt < settings.SMS_MAX_ATTEMPTS:
        retry_at = done + retry_delay(attempt)
        if not notification.urgent:
            retry_at = quiet_period_end(retry_at) or retry_at
        mine.update(
            status=DeliveryStatus.RETRYING, send_after=retry_at, last_error=error, updated_at=done
        )
        enqueue_sms_deliveries([delivery.pk], run_after=retry_at, urgent=notification.urgent)
        return DeliveryStatus.RETRYING
    mine.update(status=DeliveryStatus.FAILED, send_after=None, last_error=error, updated_at=done)
    return DeliveryStatus.FAILED


def do_send_due_sms_deliveries(*, limit: int = 1000) -> int:
    """The sweep: send every text message that is due (pending, deferred or retrying with its
    time come). Returns how many it tried. Safe to run alongside the tasks."""
    now = timezone.now()
    due = (
        Delivery.objects.filter(channel=Channel.SMS, status__in=DUE_STATUSES)
        .filter(Q(send_after__isnull=True) | Q(send_after__lte=now))
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    tried = 0
    for delivery_id in list(due):
        if do_send_sms_delivery(delivery_id) is not None:
            tried += 1
    return tried


def do_mark_notification_read(user: Account, notification: Notification) -> Notification:
    """Mark one of `user`'s notifications read (get it with `access_notification_for_user`)."""
    if notification.recipient_id != user.pk:
        raise PermissionError("Only the recipient can mark a notification read")
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def do_mark_all_notifications_read(user: Account) -> int:
    """Mark every unread notification of `user` read; returns how many."""
    return Notification.objects.for_recipient(user).unread().update(read_at=timezone.now())


def do_update_notification_preferences(
    user: Account, *, preferences: Mapping[str, ChannelSwitches]
) -> None:
    """Store `user`'s switches for the given categories (others keep theirs)."""
    unknown = set(preferences) - set(NotificationCategory.values)
    if unknown:
        raise ValueError(f"Unknown notification categories: {sorted(unknown)}")
    with transaction.atomic():
        for category, switches in preferences.items():
            NotificationPreference.objects.update_or_create(
                user=user,
                category=category,
                defaults={"in_app": switches.in_app, "sms": switches.sms},
            )
