"""The object or 404, alike for "missing" and "not yours" (see `core.access`)."""

from typing import Any

from django.http import Http404, HttpRequest

from civicgrid.accounts.models import Organisation
from civicgrid.core.access import access_scoped_or_404
from civicgrid.core.sql_rows import fetch_by_pk, fetch_pair
from civicgrid.epidemic.form_actions import may_design
from civicgrid.epidemic.models import (
    Case,
    Contact,
    Observation,
    QuarantineSite,
    Report,
    ReportForm,
    TransmissionCluster,
)
from civicgrid.epidemic.querysets import form_applies_to, organisation_ids_of
from civicgrid.epidemic.remit import may_report_for, reports_form

MAX_PK = 2**63  # larger ids cannot name a row (and would overflow a bigint parameter)


def _pk(value: object) -> int:
    """A primary key from a path or body value; 0 (no row) for anything else."""
    text = str(value)
    pk = int(text) if text.isdigit() else 0
    return pk if pk < MAX_PK else 0


def _form_or_404(principal: Any, form: ReportForm | None) -> ReportForm:
    if form is None or not form_applies_to(form.division_code, principal):
        raise Http404("报表不存在或不适用于您的管辖范围")
    return form


def _unit_or_404(principal: Any, form: ReportForm, unit: Organisation | None) -> Organisation:
    if unit is None or not (reports_form(unit, form) and may_report_for(principal, unit)):
        raise Http404("该单位不存在或不在您的填报范围内")
    return unit


def access_form_for_user(principal: Any, form_id: int) -> ReportForm:
    """A form applying where the principal works (active or not).

    One plain SELECT and the rule of `applicable_to` in Python (`form_applies_to`)."""
    pk = _pk(form_id)
    return _form_or_404(principal, fetch_by_pk(ReportForm, pk) if pk else None)


def access_form_for_designer(principal: Any, form_id: int) -> ReportForm:
    form = access_form_for_user(principal, form_id)
    if not may_design(principal, form.division_code):
        raise Http404("报表不存在或不在您的管辖范围内")
    return form


def access_report_for_user(
    principal: Any, report_id: int, *, request: HttpRequest | None = None
) -> Report:
    return access_scoped_or_404(Report.objects.all(), principal, request=request, pk=report_id)


def access_unit_for_reporter(principal: Any, form: ReportForm, unit_id: object) -> Organisation:
    """A unit of `form` the principal enters figures for: one of `reporting_units_for`, read
    in one plain SELECT and checked with the same rules in Python (`remit.reports_form`,
    `remit.may_report_for`)."""
    pk = _pk(unit_id)
    return _unit_or_404(principal, form, fetch_by_pk(Organisation, pk) if pk else None)


def access_form_and_unit_for_reporter(
    principal: Any, form_id: int, unit_id: object
) -> tuple[ReportForm, Organisation]:
    """`access_form_for_user`, then `access_unit_for_reporter`, both rows read by one
    statement: the API's report submission runs it for every report."""
    form_pk, unit_pk = _pk(form_id), _pk(unit_id)
    form, unit = fetch_pair(ReportForm, form_pk, Organisation, unit_pk) if form_pk else (None, None)
    form = _form_or_404(principal, form)
    return form, _unit_or_404(principal, form, unit)


# --- line lists --------------------------------------------------------------------------------


def access_case_for_user(
    principal: Any, case_id: int, *, request: HttpRequest | None = None
) -> Case:
    return access_scoped_or_404(
        Case.objects.select_related("person", "reporting_unit", "hospital"),
        principal,
        request=request,
        pk=case_id,
    )


def access_contact_for_user(
    principal: Any, contact_id: int, *, request: HttpRequest | None = None
) -> Contact:
    return access_scoped_or_404(
        Contact.objects.select_related("person"), principal, request=request, pk=contact_id
    )


def access_observation_for_user(
    principal: Any, observation_id: int, *, request: HttpRequest | None = None
) -> Observation:
    return access_scoped_or_404(
        Observation.objects.select_related("person", "site", "team"),
        principal,
        request=request,
        pk=observation_id,
    )


def access_site_for_user(principal: Any, site_id: object) -> QuarantineSite:
    pk = int(site_id) if str(site_id).isdigit() else 0
    site = QuarantineSite.objects.visible_to(principal).filter(pk=pk).first()
    if site is None:
        raise Http404("隔离点不存在或不在您的管辖范围内")
    return site


def access_team_for_user(principal: Any, team_id: object) -> Organisation:
    """A community committee or medical institution of the jurisdiction (or one's own)."""
    from civicgrid.epidemic.observation import TEAM_TYPES

    pk = int(team_id) if str(team_id).isdigit() else 0
    teams = Organisation.objects.filter(type__in=TEAM_TYPES, is_active=True)
    team = (
        (teams.visible_to(principal) | teams.filter(pk__in=organisation_ids_of(principal)))
        .filter(pk=pk)
        .first()
    )
    if team is None:
        raise Http404("负责单位不存在或不在您的管辖范围内")
    return team


def access_cluster_for_user(principal: Any, cluster_id: int) -> TransmissionCluster:
    """A chain with at least one case or contact the principal may see."""
    visible = Case.objects.visible_to(principal).filter(cluster_id=cluster_id).exists() or (
        Contact.objects.visible_to(principal).filter(cluster_id=cluster_id).exists()
    )
    cluster = TransmissionCluster.objects.filter(pk=cluster_id).first() if visible else None
    if cluster is None:
        raise Http404("传播链不存在或不在您的管辖范围内")
    return cluster
