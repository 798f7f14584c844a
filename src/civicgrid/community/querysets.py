"""Scoping for the community app: jurisdiction first (core), then the register's roles.

Gates and rules belong to a community and every register role of it sees them. Records about
people (passes, household reports, alerts) follow the register's rule as well: a grid worker
sees those of their own grids only (`population.querysets.RegisterQuerySet`).
"""

from typing import Self

from civicgrid.core.scoping import Principal, ScopedQuerySet
from civicgrid.population.querysets import RegisterQuerySet, may_use_register


class CommunityPlaceQuerySet(ScopedQuerySet):
    """Checkpoints and alert rules: the community's, for anyone working its register."""

    def visible_to(self, principal: Principal) -> Self:
        if not may_use_register(principal):
            return self.none()
        return super().visible_to(principal)


class CommunityRecordQuerySet(RegisterQuerySet):
    """Passes, household reports, disinfection logs, alerts: jurisdiction ∩ a grid worker's grids."""
