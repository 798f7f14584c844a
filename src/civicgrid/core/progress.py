"""Progress reporting for long tasks, shared by pages (htmx bars) and the CLI."""

import uuid

from django.db.models import F

from civicgrid.core.models import TaskProgress


def create_progress(*, label: str, total: int, owner_id: int | None = None) -> TaskProgress:
    """A fresh progress row; pass its `key` to the task that will advance it."""
    return TaskProgress.objects.create(label=label, total=total, owner_id=owner_id)


def advance_progress(key: uuid.UUID | str, *, by: int = 1, message: str = "") -> None:
    """Count `by` more units done. One UPDATE, no read: cheap enough to call per batch."""
    fields: dict[str, object] = {"done": F("done") + by}
    if message:
        fields["message"] = message
    TaskProgress.objects.filter(key=key).update(**fields)


def finish_progress(key: uuid.UUID | str, *, failed: bool = False, message: str = "") -> None:
    TaskProgress.objects.filter(key=key).update(finished=True, failed=failed, message=message)
