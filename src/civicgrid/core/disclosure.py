"""Showing a protected number in full: one action, always with a reason, always audited.

Pages show ID and mobile numbers masked. When a role needs the full value (a grid worker
about to call a resident, say) the page asks for it with a reason; this action returns the
plain value and writes a `view_unmasked` audit record naming the person as its subject, so
the person sees the read on "谁查看了我的数据".
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction

MIN_REASON_LENGTH = 2


def do_reveal_protected_value(
    actor: Any,
    obj: models.Model,
    field: str,
    *,
    reason: str,
    subject_key: str,
    allowed: bool,
    request: HttpRequest | None = None,
) -> str:
    """The plain value of `obj.<field>` for `actor`, audited; PermissionDenied if not `allowed`.

    `allowed` is the caller's role decision (each module knows which roles need full values);
    the object must already have passed the caller's access check.
    """
    if not allowed:
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(_("请填写查看完整信息的理由"), code="reason_required")
    value = getattr(obj, field)
    if not value:
        return ""
    record_audit(
        actor=actor,
        action=AuditAction.VIEW_UNMASKED,
        target=obj,
        division_code=getattr(obj, "division_code", "") or "",
        subject_key=subject_key,
        reason=reason[:500],
        request=request,
        details={"field": field},
    )
    return value.reveal()
