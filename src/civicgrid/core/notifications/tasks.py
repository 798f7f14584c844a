"""Background tasks of the notifications app. Thin: take ids, call the action."""

from django_tasks import task

from civicgrid.core.notifications.actions import do_send_due_sms_deliveries, do_send_sms_delivery


@task()
def send_sms_deliveries(delivery_ids: list[int]) -> dict[str, int]:
    """Send these text-message deliveries if they are due; returns a count per outcome."""
    outcomes: dict[str, int] = {}
    for delivery_id in delivery_ids:
        status = do_send_sms_delivery(delivery_id) or "skipped"
        outcomes[status] = outcomes.get(status, 0) + 1
    return outcomes


@task()
def send_due_sms_deliveries() -> int:
    """The sweep as a task, for schedulers that enqueue tasks rather than run commands."""
    return do_send_due_sms_deliveries()
