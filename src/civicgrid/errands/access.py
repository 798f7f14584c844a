"""Reading one errand: the errand, or 404 alike for "missing" and "not yours" (audited)."""

from typing import Any

from django.http import Http404, HttpRequest

from civicgrid.core.access import access_scoped_or_404, record_denied_access
from civicgrid.core.scoping import jurisdiction_q
from civicgrid.errands.models import Errand
from civicgrid.errands.querysets import volunteer_codes

NOT_VISIBLE = "记录不存在或不在您的管辖范围内"


def access_errand_for_user(
    user: Any, errand_id: int, *, request: HttpRequest | None = None
) -> Errand:
    return access_scoped_or_404(
        Errand.objects.select_related("requester", "posted_by", "volunteer"),
        user,
        request=request,
        pk=errand_id,
    )


def access_claimable_errand(
    user: Any, errand_id: int, *, request: HttpRequest | None = None
) -> Errand:
    """An errand of a community whose volunteer team `user` belongs to, whatever its status,
    so a volunteer who was a moment too slow is told so by the claim action instead of a 404.
    Anything else (not a volunteer, another community) is a 404 like every other."""
    if getattr(user, "is_superuser", False):
        return access_errand_for_user(user, errand_id, request=request)
    codes = volunteer_codes(user)
    if codes:
        found = Errand.objects.filter(jurisdiction_q(codes), pk=errand_id).first()
        if found is not None:
            return found
    hidden = Errand.objects.filter(pk=errand_id).first()
    if hidden is not None and user.is_authenticated:
        record_denied_access(user, hidden, request=request)
    raise Http404(NOT_VISIBLE)
