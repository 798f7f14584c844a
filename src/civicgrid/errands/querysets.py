"""Who sees which errands.

- the requester, whoever posted it and the volunteer holding it: that errand;
- volunteers of a community's volunteer team: the open needs of that community;
- community staff, officers and administrators: every errand in their jurisdiction;
- grid workers: the errands of the grids assigned to them;
- API tokens: every errand in their organisation's jurisdiction.

Clerks, clinicians, CDC staff and enterprise agents see none but their own.
"""

from typing import Any, Self

from django.db.models import Q

from civicgrid.accounts.choices import Role
from civicgrid.core.scoping import Principal, ScopedQuerySet, jurisdiction_q

# Roles that oversee the errands of their whole jurisdiction (the staff board).
BOARD_ROLES = frozenset(
    {
        Role.PROVINCE_OFFICER,
        Role.CITY_OFFICER,
        Role.COUNTY_OFFICER,
        Role.COMMUNITY_STAFF,
        Role.ADMINISTRATOR,
    }
)
# Roles that may post a need on a resident's behalf.
POST_FOR_OTHERS_ROLES = frozenset({Role.GRID_WORKER, Role.COMMUNITY_STAFF})


def codes_for_roles(principal: Any, roles: frozenset[str]) -> list[str]:
    """Jurisdiction codes of the principal's active memberships holding one of `roles`."""
    memberships = getattr(principal, "active_memberships", None) or []
    return [m.division_code for m in memberships if m.role in roles]


def volunteer_codes(principal: Any) -> list[str]:
    """The communities whose volunteer team the principal belongs to."""
    return codes_for_roles(principal, frozenset({Role.VOLUNTEER}))


def assigned_grid_ids(principal: Any) -> list[int]:
    if Role.GRID_WORKER not in roles_of(principal):
        return []
    from civicgrid.population.models import GridAssignment

    return list(GridAssignment.objects.filter(user=principal).values_list("grid_id", flat=True))


def roles_of(principal: Any) -> set[str]:
    return principal.roles() if hasattr(principal, "roles") else set()


class ErrandQuerySet(ScopedQuerySet):
    def visible_to(self, principal: Principal) -> Self:
        if not principal.is_authenticated:
            return self.none()
        if principal.is_superuser:
            return self.all()
        if not hasattr(principal, "active_memberships"):
            return super().visible_to(principal)  # an API token: its jurisdiction
        condition = Q(requester=principal) | Q(posted_by=principal) | Q(volunteer=principal)
        board = codes_for_roles(principal, BOARD_ROLES)
        if board:
            condition |= jurisdiction_q(board)
        grids = assigned_grid_ids(principal)
        if grids:
            condition |= Q(grid_id__in=grids)
        communities = volunteer_codes(principal)
        if communities:
            condition |= jurisdiction_q(communities) & Q(status="open")
        return self.filter(condition)


class ErrandPartQuerySet(ScopedQuerySet):
    """Rows that hang off an errand (the ledger): visible with their errand."""

    def visible_to(self, principal: Principal) -> Self:
        from civicgrid.errands.models import Errand

        return self.filter(errand__in=Errand.objects.visible_to(principal).values("pk"))
