"""One certificate or share for a principal: the object, or 404 alike for "missing" and "not
yours" (an attempt at someone else's is audited as access denied)."""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from civicgrid.certificates.models import Certificate, CertificateShare
from civicgrid.certificates.querysets import held_by_q, issuing_organisation_ids
from civicgrid.core.access import record_denied_access

NOT_FOUND = "证照不存在或不属于您"
M = TypeVar("M", bound=Model)


def _one(
    rows: QuerySet[M], model: type[M], principal: Any, pk: object, request: HttpRequest | None
) -> M:
    if not isinstance(pk, int):
        raise Http404(NOT_FOUND)
    found = rows.filter(pk=pk).first()
    if found is not None:
        return found
    hidden = model._default_manager.filter(pk=pk).first()
    if hidden is not None and getattr(principal, "is_authenticated", False):
        record_denied_access(principal, hidden, request=request)
    raise Http404(NOT_FOUND)


def access_held_certificate_for_user(
    principal: Any, pk: object, *, request: HttpRequest | None = None
) -> Certificate:
    """A certificate the principal holds (the wallet)."""
    rows: QuerySet[Certificate] = Certificate.objects.held_by(principal).select_related(
        "type", "issuer"
    )
    return _one(rows, Certificate, principal, pk, request)


def access_certificate_for_user(
    principal: Any, pk: object, *, request: HttpRequest | None = None
) -> Certificate:
    """A certificate the principal holds or whose issuing department they act for."""
    rows: QuerySet[Certificate] = Certificate.objects.visible_to(principal).select_related(
        "type", "issuer"
    )
    return _one(rows, Certificate, principal, pk, request)


def access_issued_certificate_for_user(
    principal: Any, pk: object, *, request: HttpRequest | None = None
) -> Certificate:
    """A certificate issued by the principal's department (to revoke it)."""
    rows: QuerySet[Certificate] = Certificate.objects.filter(
        issuer_id__in=issuing_organisation_ids(principal)
    ).select_related("type", "issuer")
    if getattr(principal, "is_superuser", False):
        rows = Certificate.objects.select_related("type", "issuer")
    return _one(rows, Certificate, principal, pk, request)


def access_share_for_holder(
    principal: Any, pk: object, *, request: HttpRequest | None = None
) -> CertificateShare:
    rows: QuerySet[CertificateShare] = CertificateShare.objects.filter(
        held_by_q(principal, "certificate__")
    )
    return _one(rows.select_related("certificate"), CertificateShare, principal, pk, request)
