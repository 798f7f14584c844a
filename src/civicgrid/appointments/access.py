"""Reading one appointment object: the object, or 404 alike for "missing" and "not yours"."""

from typing import Any

from django.http import HttpRequest

from civicgrid.appointments.models import BlockAppeal, Booking, Office, Slot
from civicgrid.core.access import access_scoped_or_404


def access_office_for_staff(
    user: Any, office_id: int, *, request: HttpRequest | None = None
) -> Office:
    """An office the user works at as staff (jurisdiction); applicants get 404 here."""
    return access_scoped_or_404(Office.objects.all(), user, request=request, pk=office_id)


def access_booking_for_user(
    user: Any, booking_id: int, *, request: HttpRequest | None = None
) -> Booking:
    """The applicant's own booking, or one at an office in the staff member's jurisdiction."""
    return access_scoped_or_404(
        Booking.objects.select_related("item", "office", "counter", "slot", "applicant"),
        user,
        request=request,
        pk=booking_id,
    )


def access_appeal_for_staff(
    user: Any, appeal_id: int, *, request: HttpRequest | None = None
) -> BlockAppeal:
    return access_scoped_or_404(
        BlockAppeal.objects.select_related("block", "block__office", "block__applicant"),
        user,
        request=request,
        pk=appeal_id,
    )


def bookable_slot(slot_id: object) -> Slot | None:
    """A slot an applicant names: any slot of an active office (the action checks the rest)."""
    try:
        pk = int(str(slot_id))
    except (TypeError, ValueError):
        return None
    return (
        Slot.objects.select_related("office", "counter")
        .filter(pk=pk, office__is_active=True)
        .first()
    )
