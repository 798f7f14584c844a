"""The object or 404, alike for "missing" and "not yours" (see `core.access`)."""

from typing import Any

from django.http import Http404, HttpRequest

from civicgrid.accounts.models import Organisation
from civicgrid.core.access import access_scoped_or_404
from civicgrid.epidemic.form_actions import may_design
from civicgrid.epidemic.models import Report, ReportForm
from civicgrid.epidemic.remit import reporting_units_for


def access_form_for_user(principal: Any, form_id: int) -> ReportForm:
    """A form applying where the principal works (active or not)."""
    form = ReportForm.objects.applicable_to(principal).filter(pk=form_id).first()
    if form is None:
        raise Http404("报表不存在或不适用于您的管辖范围")
    return form


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
    """A unit of `form` the principal enters figures for."""
    unit_pk = int(unit_id) if str(unit_id).isdigit() else 0
    unit = reporting_units_for(principal, form).filter(pk=unit_pk).first()
    if unit is None:
        raise Http404("该单位不存在或不在您的填报范围内")
    return unit
