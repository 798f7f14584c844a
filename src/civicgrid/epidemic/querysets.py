"""Who sees what: report forms by where they apply, reports and totals by jurisdiction.

Reports, totals and tallies are scoped like everything else (`core.scoping`): a county
officer sees the reports of units in the county, the city all its counties, and nobody a
sibling county. A form is visible where it applies: to principals whose jurisdiction lies
inside its division (the units and officers below a province-wide form) and to those above it.
"""

import functools
from typing import Self

from django.db.models import Q

from civicgrid.accounts.choices import Role
from civicgrid.core import division_codes
from civicgrid.core.scoping import Principal, ScopedQuerySet, covers, jurisdiction_q
from civicgrid.epidemic.choices import COUNTED_STATUSES

# Who reads statistics and completeness of their jurisdiction.
STATISTICS_ROLES = frozenset(
    {
        Role.PROVINCE_OFFICER,
        Role.CITY_OFFICER,
        Role.COUNTY_OFFICER,
        Role.CDC_EPIDEMIOLOGIST,
        Role.ADMINISTRATOR,
    }
)
# Who defines report forms for their jurisdiction.
DESIGNER_ROLES = frozenset({Role.ADMINISTRATOR})
# Who may enter and submit a report for any reporting unit of their county ("a county submits").
COUNTY_REPORTER_ROLES = frozenset({Role.COUNTY_OFFICER})
# The approval chain: the city confirms its counties' reports, the province locks a day.
CONFIRMER_ROLES = frozenset({Role.CITY_OFFICER})
LOCKER_ROLES = frozenset({Role.PROVINCE_OFFICER})


def ancestor_codes(code: str) -> list[str]:
    """12-digit codes of `code` and every division above it, province first."""
    return list(_ancestors(code))


@functools.lru_cache(maxsize=65536)  # a province has ~55,000 divisions; every write asks
def _ancestors(code: str) -> tuple[str, ...]:
    codes = [code]
    parent = division_codes.parent_code(code)
    while parent:
        codes.append(parent)
        parent = division_codes.parent_code(parent)
    return tuple(codes[::-1])


def form_applies_to(division_code: str, principal: Principal) -> bool:
    """`ReportFormQuerySet.applicable_to` for one form of `division_code`, without a query."""
    if covers(principal, division_code):
        return True
    return principal.is_authenticated and any(
        division_code in ancestor_codes(code) for code in principal.jurisdiction_codes()
    )


class ReportFormQuerySet(ScopedQuerySet):
    def applicable_to(self, principal: Principal) -> Self:
        """Forms applying at or above the principal's jurisdiction, or inside it (for one
        form: `form_applies_to`)."""
        if not principal.is_authenticated:
            return self.none()
        if principal.is_superuser:
            return self.all()
        codes = principal.jurisdiction_codes()
        above = {a for code in codes for a in ancestor_codes(code)}
        return self.filter(Q(division_code__in=above) | jurisdiction_q(codes))

    def active(self) -> Self:
        return self.filter(is_active=True)


class ReportQuerySet(ScopedQuerySet):
    # A unit's own staff see its reports whatever their jurisdiction.
    has_owner_rule = True

    def owned_by(self, principal: Principal) -> Self:
        from civicgrid.accounts.models import User

        if not isinstance(principal, User):
            return self.none()
        return self.filter(unit_id__in=[m.organisation_id for m in principal.active_memberships])

    def counted(self) -> Self:
        """Reports whose figures are in the statistics (submitted, confirmed or locked)."""
        return self.filter(status__in=COUNTED_STATUSES)


# --- line lists --------------------------------------------------------------------------------

# Who reads the line lists (cases, contacts, observation) of their jurisdiction.
LINE_LIST_ROLES = frozenset(
    {
        Role.PROVINCE_OFFICER,
        Role.CITY_OFFICER,
        Role.COUNTY_OFFICER,
        Role.CDC_EPIDEMIOLOGIST,
        Role.CLINICIAN,
        Role.ADMINISTRATOR,
    }
)
# Who enters and reclassifies cases in their jurisdiction.
CASE_ENTRY_ROLES = frozenset({Role.CDC_EPIDEMIOLOGIST, Role.CLINICIAN})
# Who traces close contacts (links them to source cases).
CONTACT_ROLES = frozenset({Role.CDC_EPIDEMIOLOGIST})
# Who registers key persons (arrivals) and sees them: down to the grid.
KEY_PERSON_ROLES = frozenset(
    {
        Role.CDC_EPIDEMIOLOGIST,
        Role.COUNTY_OFFICER,
        Role.COMMUNITY_STAFF,
        Role.GRID_WORKER,
    }
)
KEY_PERSON_READERS = KEY_PERSON_ROLES | LINE_LIST_ROLES
# Who places people under observation, names sites and releases them.
OBSERVATION_ROLES = frozenset({Role.CDC_EPIDEMIOLOGIST, Role.COUNTY_OFFICER, Role.COMMUNITY_STAFF})
# Who works a follow-up worklist: the roles above, and the team's own staff (any role).
WORKLIST_ROLES = LINE_LIST_ROLES | OBSERVATION_ROLES | {Role.GRID_WORKER}


def organisation_ids_of(principal: Principal) -> list[int]:
    from civicgrid.accounts.models import ApiToken, User

    if isinstance(principal, ApiToken):
        return [principal.organisation_id]
    if isinstance(principal, User):
        return [m.organisation_id for m in principal.active_memberships]
    return []


class LineListQuerySet(ScopedQuerySet):
    """Cases, contacts, key persons and sites: the jurisdiction's subtree, nothing more."""


class KeyPersonQuerySet(ScopedQuerySet):
    """Key persons: the jurisdiction's, and for a grid worker only those of their own grids
    (as the register restricts them: `population.querysets.grid_restriction`)."""

    def visible_to(self, principal: Principal) -> Self:
        from civicgrid.population.querysets import grid_restriction

        scoped = super().visible_to(principal)
        grids = grid_restriction(principal) if principal.is_authenticated else None
        return scoped if grids is None else scoped.filter(grid_id__in=grids)


class ObservationQuerySet(ScopedQuerySet):
    """Observations by where they take place; a team's own staff also see the team's (a
    community committee watching people at a site in the next township)."""

    has_owner_rule = True
    team_field = "team_id"
    person_field = "person"

    def owned_by(self, principal: Principal) -> Self:
        """The team's own, and a resident's own observation (by the hash of their verified
        ID number), so that they may record their checks themselves."""
        ids = organisation_ids_of(principal)
        condition = Q(**{f"{self.team_field}__in": ids}) if ids else Q(pk__in=[])
        number_hash = getattr(principal, "id_number_hash", None)
        if number_hash:
            condition |= Q(**{f"{self.person_field}__id_number_hash": number_hash})
        return self.filter(condition)

    def active(self) -> Self:
        from civicgrid.epidemic.choices import ObservationStatus

        return self.filter(status=ObservationStatus.ACTIVE)


class MonitoringQuerySet(ObservationQuerySet):
    team_field = "observation__team_id"
    person_field = "observation__person"
