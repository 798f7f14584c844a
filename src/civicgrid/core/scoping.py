"""Jurisdiction scoping, implemented once.

Every model that belongs to a place carries `division_code` (12 digits) and uses
`ScopedQuerySet` (or a subclass) as its manager, so `Model.objects.visible_to(principal)` is the
only way pages, API handlers, exports and tasks read it. A principal is anything with the
`Principal` shape: a signed-in user, an API token, or AnonymousUser (who sees nothing).

A jurisdiction is a division; the principal sees its whole subtree, which is a range of codes
(`division_codes.subtree_range`) and so one b-tree index scan on every database.
"""

from typing import Protocol, Self

from django.db import models
from django.db.models import Q

from civicgrid.core import division_codes


class Principal(Protocol):
    """Who is asking: `accounts.User` and `accounts.ApiToken` both have this shape."""

    is_authenticated: bool
    is_superuser: bool

    def jurisdiction_codes(self) -> list[str]:
        """12-digit codes of the divisions whose subtrees this principal may see."""
        ...


def jurisdiction_q(codes: list[str], field: str = "division_code") -> Q:
    """A filter matching any record whose `field` lies in one of the subtrees of `codes`."""
    condition = Q(pk__in=[])
    for code in codes:
        low, high = division_codes.subtree_range(code)
        condition |= Q(**{f"{field}__gte": low, f"{field}__lte": high})
    return condition


def covers(principal: Principal, division_code: str) -> bool:
    """Whether `division_code` lies inside the principal's jurisdiction (for single objects)."""
    if not principal.is_authenticated:
        return False
    if principal.is_superuser:
        return True
    for code in principal.jurisdiction_codes():
        low, high = division_codes.subtree_range(code)
        if low <= division_code <= high:
            return True
    return False


class ScopedQuerySet(models.QuerySet):
    """A queryset whose rows belong to places; `visible_to` is the one scoping method."""

    scope_field = "division_code"

    def visible_to(self, principal: Principal) -> Self:
        if not principal.is_authenticated:
            return self.none()
        if principal.is_superuser:
            return self.all()
        codes = principal.jurisdiction_codes()
        scoped = self.filter(jurisdiction_q(codes, self.scope_field)) if codes else self.none()
        return scoped | self.owned_by(principal) if self.has_owner_rule else scoped

    # Models whose rows also belong to a person (a resident's own household report, say)
    # override these two so residents, who have no jurisdiction, see their own rows.
    has_owner_rule = False

    def owned_by(self, principal: Principal) -> Self:
        return self.none()
