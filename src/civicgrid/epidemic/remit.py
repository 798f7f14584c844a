"""Which units report a form, and for which of them a principal may enter figures.

A unit reports a form when it is an active organisation of one of the form's types inside the
form's division. A principal reports for a unit when they are on its staff (any role), when
they are a county officer whose county holds it ("a county submits": the county prevention
office enters figures for units without their own accounts), or, for API tokens, when the
token is the unit's own or a county prevention office's covering it.
"""

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from civicgrid.accounts.choices import OrganisationType
from civicgrid.accounts.models import ApiToken, Organisation, User
from civicgrid.core import division_codes
from civicgrid.core.scoping import jurisdiction_q
from civicgrid.epidemic.models import ReportForm
from civicgrid.epidemic.querysets import COUNTY_REPORTER_ROLES

COUNTY_LEVEL = 3


def form_units(form: ReportForm) -> QuerySet[Organisation]:
    """The organisations that report `form`."""
    return Organisation.objects.filter(
        jurisdiction_q([form.division_code]),
        is_active=True,
        type__in=form.organisation_types,
    )


def reports_form(unit: Organisation, form: ReportForm) -> bool:
    """Whether `unit` is one of `form`'s reporting units (the rule of `form_units`, for one)."""
    low, high = division_codes.subtree_range(form.division_code)
    return (
        unit.is_active
        and unit.type in form.organisation_types
        and low <= unit.division_code <= high
    )


def _county_codes(principal: Any) -> list[str]:
    """Counties whose units the principal reports for."""
    if isinstance(principal, ApiToken):
        org = principal.organisation
        codes = [principal.division_code] if org.type == OrganisationType.PREVENTION_OFFICE else []
    elif isinstance(principal, User):
        codes = [
            m.division_code for m in principal.active_memberships if m.role in COUNTY_REPORTER_ROLES
        ]
    else:
        codes = []
    return [c for c in codes if division_codes.level_of(c) == COUNTY_LEVEL]


def _own_unit_ids(principal: Any) -> list[int]:
    if isinstance(principal, ApiToken):
        return [principal.organisation_id]
    if isinstance(principal, User):
        return [m.organisation_id for m in principal.active_memberships]
    return []


def reporting_units_for(principal: Any, form: ReportForm) -> QuerySet[Organisation]:
    """The units of `form` the principal may enter figures for."""
    units = form_units(form)
    if not getattr(principal, "is_authenticated", False):
        return units.none()
    if principal.is_superuser:
        return units
    counties = _county_codes(principal)
    mine = Q(pk__in=_own_unit_ids(principal))
    return units.filter(mine | jurisdiction_q(counties) if counties else mine)


def may_report_for(principal: Any, unit: Organisation) -> bool:
    if not getattr(principal, "is_authenticated", False):
        return False
    if principal.is_superuser or unit.pk in _own_unit_ids(principal):
        return True
    for code in _county_codes(principal):
        low, high = division_codes.subtree_range(code)
        if low <= unit.division_code <= high:
            return True
    return False


def deadline_of(form: ReportForm, date: datetime.date) -> datetime.datetime:
    """When the report of `date` is due (aware, Asia/Shanghai)."""
    start = datetime.datetime.combine(date, datetime.time(0), timezone.get_default_timezone())
    return start + datetime.timedelta(hours=form.deadline_hour)


def local_today() -> datetime.date:
    return timezone.localdate()
