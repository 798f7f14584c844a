"""Who sees which articles, quizzes and learning records.

Two scopes, both built on `core.scoping`:

- `visible_to(principal)`, the managing scope: the health authorities' authors see every
  article and quiz (drafts and retracted ones too) published for their jurisdiction's subtree,
  the jurisdiction scoping every module uses. Other roles manage nothing.
- `reaching(principal)`, the reading scope: published items whose division contains the
  reader. A resident is reached by what was published for their community or any division
  above it (a province-wide article reaches everyone in the province); staff by what was
  published above or inside their jurisdiction. A resident whose community is not known yet
  (no household in the register, no declaration) gets what was published for a whole province.

Individual learning records (reads, quiz attempts) are their owner's alone: staff see only the
per-community completion rates (`learning.selectors`).
"""

from typing import Self

from django.db.models import Q

from civicgrid.accounts.choices import Role
from civicgrid.core import division_codes
from civicgrid.core.scoping import Principal, ScopedQuerySet, jurisdiction_q

# Health authorities publish prevention knowledge for their jurisdiction.
AUTHOR_ROLES = frozenset(
    {Role.PROVINCE_OFFICER, Role.CITY_OFFICER, Role.COUNTY_OFFICER, Role.CDC_EPIDEMIOLOGIST}
)
# Who reads completion rates: the authors, and community staff and grid workers, who
# encourage their residents to take part.
STATISTICS_ROLES = AUTHOR_ROLES | {Role.COMMUNITY_STAFF, Role.GRID_WORKER}

PROVINCE_WIDE = "0" * (division_codes.CODE_LENGTH - division_codes.LEVEL_DIGITS[1])


def _has_role(principal: Principal, roles: frozenset[str]) -> bool:
    if principal.is_superuser:
        return True
    held = principal.roles() if hasattr(principal, "roles") else set()
    return bool(held & roles)


def may_author(principal: Principal) -> bool:
    """Whether the principal writes and publishes articles and quizzes (for its jurisdiction)."""
    return principal.is_authenticated and _has_role(principal, AUTHOR_ROLES)


def may_see_statistics(principal: Principal) -> bool:
    """Staff with a statistics role; API tokens (other systems of an organisation) too."""
    if principal.is_authenticated and not hasattr(principal, "roles"):
        return True
    return principal.is_authenticated and _has_role(principal, STATISTICS_ROLES)


def resident_community_code(principal: Principal) -> str | None:
    """The community a resident lives in (population register, else their declaration);
    cached on the principal, which lives for one request."""
    if not getattr(principal, "is_resident", False):
        return None
    if not hasattr(principal, "_learning_community"):
        from civicgrid.population.declarations import resident_community

        principal._learning_community = resident_community(principal)  # type: ignore[attr-defined]
    return principal._learning_community  # type: ignore[attr-defined, no-any-return]


def ancestors_and_self(code: str) -> list[str]:
    codes = [code]
    parent = division_codes.parent_code(code)
    while parent:
        codes.append(parent)
        parent = division_codes.parent_code(parent)
    return codes


def audience_q(principal: Principal) -> Q:
    """Items whose division reaches the principal (see the module docstring)."""
    if getattr(principal, "is_resident", False):
        community = resident_community_code(principal)
        if community is None:
            return Q(division_code__endswith=PROVINCE_WIDE)
        return Q(division_code__in=ancestors_and_self(community))
    codes = principal.jurisdiction_codes()
    above = {code for own in codes for code in ancestors_and_self(own)}
    return Q(division_code__in=sorted(above)) | jurisdiction_q(codes)


class PublicationQuerySet(ScopedQuerySet):
    """Articles and quizzes: managed within the authors' jurisdiction, read where they reach."""

    def visible_to(self, principal: Principal) -> Self:
        if not may_author(principal):
            return self.none()
        return super().visible_to(principal)

    def published(self) -> Self:
        from civicgrid.learning.choices import PublicationStatus

        return self.filter(status=PublicationStatus.PUBLISHED)

    def addressed_to(self, principal: Principal) -> Self:
        """Items of any status published for a division that reaches the principal."""
        if not principal.is_authenticated:
            return self.none()
        if principal.is_superuser:
            return self.all()
        return self.filter(audience_q(principal))

    def reaching(self, principal: Principal) -> Self:
        """What the principal may read or take now: published and addressed to them."""
        return self.published().addressed_to(principal)


class OwnRecordQuerySet(ScopedQuerySet):
    """Reads and quiz attempts: the owner's alone (superusers, for support, see all)."""

    has_owner_rule = True

    def visible_to(self, principal: Principal) -> Self:
        if not principal.is_authenticated:
            return self.none()
        if principal.is_superuser:
            return self.all()
        return self.owned_by(principal)

    def owned_by(self, principal: Principal) -> Self:
        # API tokens are systems, not learners: they own no records.
        return self.filter(user=principal) if hasattr(principal, "roles") else self.none()
