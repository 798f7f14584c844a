"""Who sees which certificates.

- the holder: a resident their own; an enterprise agent those of their enterprise;
- the issuing department: clerks and administrators of the organisation that issued it, and
  that organisation's API tokens (to revoke, to answer queries);
- superusers: all.

Nobody else — not even officers whose jurisdiction covers the issuer — since a certificate is
a person's or an enterprise's document; an agency that needs one records a use
(`do_record_certificate_use`) through the application it is working on.
"""

from typing import Any, Self

from django.db.models import Q

from civicgrid.accounts.access import agent_organisation_ids
from civicgrid.accounts.choices import Role
from civicgrid.core.scoping import Principal, ScopedQuerySet

# Roles that act for the department that issued a certificate.
ISSUER_ROLES = frozenset({Role.DEPARTMENT_CLERK, Role.ADMINISTRATOR})


def is_api_token(principal: Any) -> bool:
    from civicgrid.accounts.models import ApiToken

    return isinstance(principal, ApiToken)


def issuing_organisation_ids(principal: Any) -> list[int]:
    """The organisations whose certificates the principal may manage (revoke, list)."""
    if is_api_token(principal):
        return [principal.organisation_id]
    memberships = getattr(principal, "active_memberships", None) or []
    return [m.organisation_id for m in memberships if m.role in ISSUER_ROLES]


def held_by_q(principal: Any, prefix: str = "") -> Q:
    """Certificates the principal holds: their own, and their enterprises' (agents)."""
    if is_api_token(principal):
        return Q(pk__in=[])
    condition = Q(**{f"{prefix}holder_user": principal.pk})
    organisations = agent_organisation_ids(principal)
    if organisations:
        condition |= Q(**{f"{prefix}holder_organisation__in": organisations})
    return condition


class CertificateQuerySet(ScopedQuerySet):
    def visible_to(self, principal: Principal) -> Self:
        if not principal.is_authenticated:
            return self.none()
        if principal.is_superuser:
            return self.all()
        return self.filter(
            held_by_q(principal) | Q(issuer_id__in=issuing_organisation_ids(principal))
        )

    def held_by(self, principal: Principal) -> Self:
        """Only what the principal holds (the wallet), not what their department issued."""
        if not principal.is_authenticated:
            return self.none()
        return self.filter(held_by_q(principal))


class CertificatePartQuerySet(ScopedQuerySet):
    """Shares, verifications and uses: visible with their certificate."""

    def visible_to(self, principal: Principal) -> Self:
        from civicgrid.certificates.models import Certificate

        return self.filter(certificate__in=Certificate.objects.visible_to(principal))
