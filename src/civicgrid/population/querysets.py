"""Scoping for the register: jurisdiction first, then roles, then a grid worker's own grids."""

import functools
from typing import Self

from civicgrid.accounts.choices import Role
from civicgrid.core.scoping import Principal, ScopedQuerySet, covers
from civicgrid.core.sql_rows import database, prepared_cursor

# Roles whose work needs the population register at all. Volunteers, clerks and enterprise
# agents hold jurisdictions too, but for other purposes: they see no one here.
REGISTER_ROLES = frozenset(
    {
        Role.PROVINCE_OFFICER,
        Role.CITY_OFFICER,
        Role.COUNTY_OFFICER,
        Role.CDC_EPIDEMIOLOGIST,
        Role.CLINICIAN,
        Role.COMMUNITY_STAFF,
        Role.GRID_WORKER,
        Role.ADMINISTRATOR,
    }
)
_WHOLE_JURISDICTION_ROLES = REGISTER_ROLES - {Role.GRID_WORKER}


def grid_restriction(principal: Principal) -> list[int] | None:
    """The grids a principal is limited to, or None for their whole jurisdiction.

    A grid worker sees the households of the grids assigned to them, not the whole community;
    anyone who also holds a broader role sees what that role sees. Cached on the principal,
    which lives for one request.
    """
    if principal.is_superuser or not hasattr(principal, "roles"):
        return None  # superusers; API tokens carry an organisation's whole jurisdiction
    roles = principal.roles()
    if roles & _WHOLE_JURISDICTION_ROLES:
        return None
    cached = getattr(principal, "_assigned_grid_ids", None)
    if cached is None:
        # A fixed statement: a grid worker's every register request asks it.
        with prepared_cursor() as cursor:
            cursor.execute(_assigned_grids_sql(), [principal.pk])  # type: ignore[attr-defined]
            cached = [row[0] for row in cursor.fetchall()]
        principal._assigned_grid_ids = cached  # type: ignore[attr-defined]
    return cached


@functools.cache
def _assigned_grids_sql() -> str:
    from civicgrid.population.models import GridAssignment

    quote = database().ops.quote_name
    meta = GridAssignment._meta
    grid, user = (quote(meta.get_field(n).column) for n in ("grid", "user"))  # type: ignore[union-attr,arg-type]
    return f"SELECT {grid} FROM {quote(meta.db_table)} WHERE {user} = %s"  # noqa: S608


def may_use_register(principal: Principal) -> bool:
    if principal.is_superuser or not hasattr(principal, "roles"):
        return principal.is_authenticated
    return bool(principal.roles() & REGISTER_ROLES)


class RegisterQuerySet(ScopedQuerySet):
    """Households, persons and visits: jurisdiction ∩ register roles ∩ a grid worker's grids."""

    grid_field = "grid"

    def visible_to(self, principal: Principal) -> Self:
        if not may_use_register(principal):
            return self.none()
        scoped = super().visible_to(principal)
        grids = grid_restriction(principal)
        if grids is None:
            return scoped
        return scoped.filter(**{f"{self.grid_field}__in": grids})


def sees_person(principal: Principal, division_code: str, grid_id: int | None) -> bool:
    """`Person.objects.visible_to(principal)` for a person already read (their division and
    grid): for rows a fixed statement fetched without the scoping in its SQL, such as the
    members of households already scoped (`household_rows`). `test_scoping` holds the two
    to the same answers."""
    if not may_use_register(principal) or not covers(principal, division_code):
        return False
    grids = grid_restriction(principal)
    return grids is None or grid_id in grids


class PersonQuerySet(RegisterQuerySet):
    def living(self) -> Self:
        from civicgrid.population.choices import PersonStatus

        return self.filter(status=PersonStatus.LIVING_HERE)

    def family_order(self, *, living_first: bool = False) -> Self:
        """As a household is read out: the head, then the others from the eldest; with
        `living_first`, those who moved out or died after everyone living there."""
        from django.db.models import Case, Value, When

        from civicgrid.population.choices import PersonStatus, Relationship

        head_first = Case(When(relationship=Relationship.HEAD, then=Value(0)), default=Value(1))
        order = [head_first, "birth_date", "pk"]
        if living_first:
            living = Case(When(status=PersonStatus.LIVING_HERE, then=Value(0)), default=Value(1))
            order.insert(0, living)
        return self.order_by(*order)


class DeclarationQuerySet(ScopedQuerySet):
    """Declarations have no grid until verified: a grid worker sees those of the communities
    their grids lie in; the declaring resident sees their own."""

    has_owner_rule = True

    def owned_by(self, principal: Principal) -> Self:
        return self.filter(declared_by=principal) if hasattr(principal, "roles") else self.none()

    def visible_to(self, principal: Principal) -> Self:
        own = self.owned_by(principal) if principal.is_authenticated else self.none()
        if not may_use_register(principal):
            return own
        scoped = ScopedQuerySet.visible_to(self, principal)
        grids = grid_restriction(principal)
        if grids is not None:
            from civicgrid.regions.models import Grid

            communities = Grid.objects.filter(pk__in=grids).values_list("division_id", flat=True)
            scoped = scoped.filter(division_code__in=communities) | own  # a subquery
        return scoped
