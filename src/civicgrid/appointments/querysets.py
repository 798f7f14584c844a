"""Who sees what of appointments.

- office staff (department clerks and administrators): the offices in their jurisdiction with
  their counters, slots, bookings, no-shows, blocks and appeals;
- API tokens: the same within their organisation's jurisdiction;
- applicants (residents and enterprise agents): their own bookings and blocks; an enterprise
  agent also sees every booking made for their enterprise (by any of its agents). The list of
  offices an applicant may book at is public information and is read through
  `OfficeQuerySet.bookable()`, not through `visible_to`.

An enterprise agent's membership carries a jurisdiction (its enterprise's county); it grants
nothing here, since only the staff roles below count.
"""

from typing import Any, Self

from django.db.models import Q

from civicgrid.accounts.access import agent_organisation_ids
from civicgrid.accounts.choices import Role
from civicgrid.core.scoping import Principal, ScopedQuerySet, jurisdiction_q

STAFF_ROLES = frozenset({Role.DEPARTMENT_CLERK, Role.ADMINISTRATOR})


def staff_codes(principal: Any) -> list[str]:
    """Jurisdictions in which `principal` works as office staff (empty for applicants)."""
    if not getattr(principal, "is_authenticated", False):
        return []
    memberships = getattr(principal, "active_memberships", None)
    if memberships is None:  # an API token: its organisation's jurisdiction
        return list(principal.jurisdiction_codes())
    return [m.division_code for m in memberships if m.role in STAFF_ROLES]


def is_office_staff(principal: Any) -> bool:
    return bool(getattr(principal, "is_superuser", False) or staff_codes(principal))


class _StaffScoped(ScopedQuerySet):
    def visible_to(self, principal: Principal) -> Self:
        if not principal.is_authenticated:
            return self.none()
        if principal.is_superuser:
            return self.all()
        codes = staff_codes(principal)
        condition = jurisdiction_q(codes) if codes else Q(pk__in=[])
        return self.filter(condition | self.own_condition(principal))

    def own_condition(self, principal: Principal) -> Q:
        return Q(pk__in=[])


class OfficeQuerySet(_StaffScoped):
    def bookable(self) -> Self:
        """Offices open for booking, for applicants choosing where to go."""
        return self.filter(is_active=True)


class OfficePartQuerySet(_StaffScoped):
    """Counters, slots and appeals: staff of the office's jurisdiction."""


class BookingQuerySet(_StaffScoped):
    def own_condition(self, principal: Principal) -> Q:
        if not hasattr(principal, "active_memberships"):  # an API token owns no bookings
            return Q(pk__in=[])
        own = Q(applicant_id=getattr(principal, "pk", None))
        enterprises = agent_organisation_ids(principal)
        return own | Q(enterprise_id__in=enterprises) if enterprises else own

    def mine(self, user: Any) -> Self:
        """The applicant's own bookings and, for an enterprise agent, the enterprise's."""
        return self.filter(self.own_condition(user))


class BlockQuerySet(BookingQuerySet):
    def own_condition(self, principal: Principal) -> Q:
        """A block is personal: only the blocked applicant, never their colleagues."""
        if not hasattr(principal, "active_memberships"):
            return Q(pk__in=[])
        return Q(applicant_id=getattr(principal, "pk", None))

    def active(self, now: Any) -> Self:
        return self.filter(lifted_at__isnull=True, starts_at__lte=now, ends_at__gt=now)
