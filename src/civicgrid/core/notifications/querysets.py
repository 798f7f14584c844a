"""Read helpers for notifications. A person's notifications are theirs alone: no jurisdiction
applies, so `for_recipient(user)` is the one scope every page, endpoint and action uses."""

from typing import Self

from django.db import models
from django.db.models import Case, IntegerField, Value, When


class NotificationQuerySet(models.QuerySet):
    def for_recipient(self, user: models.Model) -> Self:
        """What `user` sees in the inbox: their own notifications, minus in-app opt-outs."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user, in_inbox=True)

    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)

    def unread_first(self) -> Self:
        """Unread ones first, newest first within each group."""
        return self.annotate(
            unread_rank=Case(
                When(read_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("unread_rank", "-created_at", "-id")
