"""Kernel actions: one business action each, one transaction."""

from django.conf import settings
from django.db import transaction

from civicgrid.core.models import TaskProgress
from civicgrid.core.progress import create_progress
from civicgrid.core.tasks import count_to
from civicgrid.core.types import Account

DEMO_TASK_STEPS = 20


def do_start_demo_task(
    actor: Account, *, steps: int = DEMO_TASK_STEPS, delay_seconds: float | None = None
) -> TaskProgress:
    """Create a progress row for `actor` and enqueue the counting demo task after commit.

    Enqueuing on commit means a worker never picks up a task whose progress row it cannot see.
    """
    if delay_seconds is None:
        delay_seconds = settings.DEMO_TASK_STEP_SECONDS
    with transaction.atomic():
        progress = create_progress(label="演示任务：计数", total=steps, owner_id=actor.pk)

        def enqueue() -> None:
            result = count_to.enqueue(str(progress.key), steps, delay_seconds)
            TaskProgress.objects.filter(pk=progress.pk).update(task_id=result.id)

        transaction.on_commit(enqueue)
    return progress
