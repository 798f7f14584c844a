"""Reading one scoped object: the object, or 404 alike for "missing" and "not yours".

An attempt at an object that exists outside the principal's jurisdiction is written to the
audit trail (`access_denied`), committed even though the request then fails with 404.
"""

from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model
from django.http import Http404, HttpRequest

from civicgrid.core.audit.actions import record_audit, record_audit_now
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.scoping import Principal, ScopedQuerySet

M = TypeVar("M", bound=Model)


def record_denied_access(principal: Principal, obj: Model, *, request: HttpRequest | None) -> None:
    fields: dict[str, Any] = {
        "actor": principal if principal.is_authenticated else None,
        "action": AuditAction.ACCESS_DENIED,
        "target": obj,
        "division_code": getattr(obj, "division_code", "") or "",
        "request": request,
    }
    # Outside a transaction the record commits on its own; inside one (an action that looked
    # something up) it must ride along, since a durable block cannot nest.
    (record_audit if connection.in_atomic_block else record_audit_now)(**fields)


def access_scoped_or_404(
    queryset: ScopedQuerySet,
    principal: Principal,
    *,
    request: HttpRequest | None = None,
    **lookup: Any,
) -> Any:
    """The object matching `lookup` if `principal` may see it; otherwise Http404 (audited)."""
    found = queryset.visible_to(principal).filter(**lookup).first()
    if found is not None:
        return found
    hidden = queryset.filter(**lookup).first()
    if hidden is not None:
        record_denied_access(principal, hidden, request=request)
    raise Http404("记录不存在或不在您的管辖范围内")
