"""Reading one community object: the object, or 404 alike for "missing" and "not yours"."""

from typing import Any

from django.http import HttpRequest

from civicgrid.community.models import Alert, Checkpoint, PassCorrection
from civicgrid.core.access import access_scoped_or_404


def access_checkpoint_for_user(
    user: Any, checkpoint_id: int, *, request: HttpRequest | None = None
) -> Checkpoint:
    return access_scoped_or_404(Checkpoint.objects.all(), user, request=request, pk=checkpoint_id)


def access_alert_for_user(user: Any, alert_id: int, *, request: HttpRequest | None = None) -> Alert:
    return access_scoped_or_404(
        Alert.objects.select_related("rule", "household", "person"),
        user,
        request=request,
        pk=alert_id,
    )


def access_correction_for_user(
    user: Any, correction_id: int, *, request: HttpRequest | None = None
) -> PassCorrection:
    return access_scoped_or_404(
        PassCorrection.objects.select_related("pass_record", "requested_by"),
        user,
        request=request,
        pk=correction_id,
    )
