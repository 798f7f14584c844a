"""Reading one case, draft, attachment or follow-up: the object, or 404 alike for "missing" and
"not yours" (an attempt at someone else's is written to the audit trail)."""

from typing import Any

from django.http import Http404, HttpRequest

from civicgrid.applications.models import Attachment, Case, Draft, FollowUp
from civicgrid.core.access import access_scoped_or_404, record_denied_access

NOT_VISIBLE = "记录不存在或不在您的管辖范围内"
CASE_RELATED = ("item", "department", "handling_department", "current_step", "applicant_user")


def access_case_for_user(user: Any, number: str, *, request: HttpRequest | None = None) -> Case:
    return access_scoped_or_404(
        Case.objects.select_related(*CASE_RELATED, "applicant_organisation"),
        user,
        request=request,
        number=number,
    )


def access_worked_case_for_user(
    user: Any, number: str, *, request: HttpRequest | None = None
) -> Case:
    """A case on the clerk side (handled or supervised by `user`); an applicant's own case is
    not reachable through the clerk pages."""
    related = Case.objects.select_related(*CASE_RELATED, "applicant_organisation")
    found = related.worked_by(user).filter(number=number).first()
    if found is not None:
        return found
    hidden = Case.objects.filter(number=number).first()
    if hidden is not None and user.is_authenticated:
        record_denied_access(user, hidden, request=request)
    raise Http404(NOT_VISIBLE)


def access_draft_for_user(user: Any, draft_id: int, *, request: HttpRequest | None = None) -> Draft:
    return access_scoped_or_404(
        Draft.objects.select_related("item", "form_definition"),
        user,
        request=request,
        pk=draft_id,
    )


def access_attachment_for_user(
    user: Any, reference: Any, *, request: HttpRequest | None = None
) -> Attachment:
    return access_scoped_or_404(
        Attachment.objects.all(), user, request=request, reference=reference
    )


def access_follow_up_for_user(
    user: Any, follow_up_id: int, *, request: HttpRequest | None = None
) -> FollowUp:
    return access_scoped_or_404(
        FollowUp.objects.select_related("evaluation__case__item", "department"),
        user,
        request=request,
        pk=follow_up_id,
    )
