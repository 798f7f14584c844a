"""Read-side queries of certificates shared by pages, the API and other apps."""

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from civicgrid.certificates.models import (
    Certificate,
    CertificateUse,
    CertificateVerification,
)


def valid_q(today: datetime.date | None = None) -> Q:
    today = today or timezone.localdate()
    return Q(revoked_at__isnull=True) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))


def certificates_held_by(
    *, user: Any = None, organisation: Any = None, type_code: str | None = None
) -> QuerySet[Certificate]:
    """The valid certificates a resident (`user`) or an enterprise (`organisation`) holds,
    newest first; for an agency checking what it may take instead of paper."""
    if (user is None) == (organisation is None):
        raise ValueError("certificates_held_by takes exactly one of user= and organisation=")
    holder = Q(holder_user=user) if user is not None else Q(holder_organisation=organisation)
    rows = Certificate.objects.filter(holder, valid_q()).select_related("type", "issuer")
    if type_code is not None:
        rows = rows.filter(type__code=type_code)
    return rows


def wallet_of(principal: Any) -> QuerySet[Certificate]:
    """Everything the principal holds, valid or not (the wallet shows the state)."""
    return Certificate.objects.held_by(principal).select_related(
        "type", "issuer", "holder_organisation"
    )


def issued_by(principal: Any) -> QuerySet[Certificate]:
    """What the principal's department issued (the clerk's list)."""
    from civicgrid.certificates.querysets import issuing_organisation_ids

    return Certificate.objects.filter(
        issuer_id__in=issuing_organisation_ids(principal)
    ).select_related("type", "issuer", "holder_organisation")


def history_of(certificate: Certificate) -> list[dict[str, Any]]:
    """Every verification and every agency use of `certificate`, newest first, for the holder."""
    events: list[dict[str, Any]] = []
    for row in CertificateVerification.objects.filter(certificate=certificate)[:200]:
        events.append(
            {
                "kind": "verification",
                "at": row.created_at,
                "channel": row.get_channel_display(),
                "result": row.get_result_display(),
                "network": row.verifier_network,
                "who": "",
                "purpose": "",
            }
        )
    for use in CertificateUse.objects.filter(certificate=certificate).select_related("agency")[
        :200
    ]:
        events.append(
            {
                "kind": "use",
                "at": use.created_at,
                "channel": "",
                "result": "",
                "network": "",
                "who": use.agency.name,
                "purpose": use.purpose,
            }
        )
    events.sort(key=lambda e: e["at"], reverse=True)
    return events
