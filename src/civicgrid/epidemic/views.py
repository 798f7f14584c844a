"""Pages of daily reporting: the unit's report (phone first), its history, completeness,
statistics with a trend chart, approvals; every table also as .xlsx."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.core.permissions import jurisdiction_required, role_required
from civicgrid.core.scoping import covers
from civicgrid.core.spreadsheets import XLSX_CONTENT_TYPE, SpreadsheetError, write_report
from civicgrid.epidemic import actions, line_list_stats, prefill, selectors, sheets, situation
from civicgrid.epidemic.access import (
    access_form_for_user,
    access_report_for_user,
    access_unit_for_reporter,
)
from civicgrid.epidemic.choices import ReportStatus
from civicgrid.epidemic.form_actions import may_design
from civicgrid.epidemic.forms import figures_from, parse_day
from civicgrid.epidemic.models import Report, ReportForm
from civicgrid.epidemic.querysets import (
    CONFIRMER_ROLES,
    COUNTY_REPORTER_ROLES,
    LINE_LIST_ROLES,
    LOCKER_ROLES,
    STATISTICS_ROLES,
    WORKLIST_ROLES,
)
from civicgrid.epidemic.remit import deadline_of, local_today, reporting_units_for
from civicgrid.population.selectors import area_for, default_area
from civicgrid.regions import maps
from civicgrid.regions.models import Division

statistics_required = role_required(*STATISTICS_ROLES)
approvals_required = role_required(*(CONFIRMER_ROLES | LOCKER_ROLES | COUNTY_REPORTER_ROLES))


@login_required
@jurisdiction_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The forms that apply here, with what this user can do with each."""
    user = request.user
    entries = [
        {
            "form": form,
            "may_report": reporting_units_for(user, form).exists(),
            "may_design": may_design(user, form.division_code),
        }
        for form in ReportForm.objects.applicable_to(user).active()
    ]
    return render(
        request,
        "epidemic/home.html",
        {
            "entries": entries,
            "may_read": user.has_role(*STATISTICS_ROLES),  # type: ignore[union-attr]
            "may_line_lists": user.has_role(*LINE_LIST_ROLES),  # type: ignore[union-attr]
            "may_worklist": user.has_role(*WORKLIST_ROLES),  # type: ignore[union-attr]
            "may_approve": user.has_role(*(CONFIRMER_ROLES | LOCKER_ROLES | COUNTY_REPORTER_ROLES)),  # type: ignore[union-attr]
            "may_design_any": any(may_design(user, c) for c in user.jurisdiction_codes())
            or user.is_superuser,  # type: ignore[union-attr]
        },
    )


@login_required
@jurisdiction_required
@require_http_methods(["GET", "POST"])
def report_entry(request: HttpRequest, form_id: int) -> HttpResponse:
    """One unit's figures of one day: save a draft, submit, or correct."""
    form = access_form_for_user(request.user, form_id)
    units = list(reporting_units_for(request.user, form).order_by("division_code", "name")[:500])
    if not units:
        raise Http404(_("您没有需要填报此表的单位"))
    data = request.POST if request.method == "POST" else request.GET
    unit = access_unit_for_reporter(request.user, form, data.get("unit") or units[0].pk)
    date = parse_day(data.get("date"))
    elements = list(form.elements.filter(is_active=True))
    report = Report.objects.filter(form=form, unit=unit, date=date).first()
    errors: dict[str, list[str]] = {}
    warnings: list[str] = report.warnings if report else []
    posted: dict[str, str] | None = None
    if request.method == "POST":
        posted = figures_from(request.POST, elements)
        version = request.POST.get("version", "")
        try:
            saved = actions.do_save_report(
                request.user,
                form=form,
                unit=unit,
                date=date,
                values=posted,
                submit=request.POST.get("op") == "submit",
                expected_version=int(version) if version.isdigit() else None,
                note=request.POST.get("note", "")[:200],
            )
        except ValidationError as exc:
            errors = exc.message_dict
        except actions.ReportConflict as exc:
            errors = {"": [exc.message]}
            posted = None  # show what is stored now; the reporter re-applies the change
            report = Report.objects.filter(form=form, unit=unit, date=date).first()
        else:
            messages.success(
                request, _("已保存") if saved.report.status == ReportStatus.DRAFT else _("已上报")
            )
            for warning in saved.warnings:
                messages.warning(request, warning)
            return redirect(f"{request.path}?unit={unit.pk}&date={date:%Y-%m-%d}")
    prefilled = prefill.line_list_values(unit, date, elements) if report is None else {}
    stored = report.values if report else prefilled
    fields = [
        {
            "element": e,
            "value": (posted or stored).get(e.code, ""),
            "errors": errors.get(e.code, []),
        }
        for e in elements
    ]
    general = [m for key, ms in errors.items() if key not in {e.code for e in elements} for m in ms]
    return render(
        request,
        "epidemic/report_entry.html",
        {
            "form": form,
            "units": units,
            "unit": unit,
            "date": date,
            "today": local_today(),
            "report": report,
            "fields": fields,
            "errors": general,
            "has_errors": bool(errors),
            "warnings": warnings if not errors else [],
            "deadline": deadline_of(form, date),
            "rules": [r for r in form.rules.select_related("left", "right") if r.is_active],
            "prefilled": sorted(prefilled),
        },
    )


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """A report with every revision (who changed which figure, when)."""
    report = access_report_for_user(request.user, report_id, request=request)
    elements = list(report.form.elements.all())
    revisions = [
        (r, [r.values.get(e.code, "—") for e in elements])
        for r in report.revisions.select_related("changed_by")
    ]
    return render(
        request,
        "epidemic/report_detail.html",
        {"report": report, "elements": elements, "revisions": revisions},
    )


# --- reading: completeness, statistics -------------------------------------------------------


def _within(request: HttpRequest) -> Division:
    code = request.GET.get("within", "")
    within = area_for(request.user, code) if code else default_area(request.user)
    if within is None:
        raise Http404(_("该区划不存在或不在您的管辖范围内"))
    return within


def _ancestors(request: HttpRequest, within: Division) -> list[Division]:
    return [a for a in within.ancestors() if covers(request.user, a.code)]


def _xlsx(rows: list[list[object]], headers: list[str], title: str, name: str) -> HttpResponse:
    return _xlsx_bytes(write_report(rows, headers, title=title), name)


def _xlsx_bytes(data: bytes, name: str) -> HttpResponse:
    return HttpResponse(
        data,
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, f"{name}.xlsx")},
    )


def _completeness(request: HttpRequest, form_id: int) -> selectors.Completeness:
    form = access_form_for_user(request.user, form_id)
    return selectors.completeness(form, _within(request), parse_day(request.GET.get("date")))


@statistics_required
@require_GET
def completeness(request: HttpRequest, form_id: int) -> HttpResponse:
    report = _completeness(request, form_id)
    unit_statuses = (
        selectors.unit_statuses(report.form, report.within, report.date)
        if report.within.level >= 3
        else []
    )
    return render(
        request,
        "epidemic/completeness.html",
        {
            "report": report,
            "ancestors": _ancestors(request, report.within),
            "unit_statuses": unit_statuses,
        },
    )


@statistics_required
@require_GET
def completeness_export(request: HttpRequest, form_id: int) -> HttpResponse:
    report = _completeness(request, form_id)
    headers, rows = selectors.completeness_sheet(report)
    title = _("上报情况")
    return _xlsx(
        rows,
        headers,
        title,
        f"{report.form.name}-{title}-{report.within.name}-{report.date:%Y%m%d}",
    )


def _statistics(request: HttpRequest, form_id: int) -> selectors.Statistics:
    form = access_form_for_user(request.user, form_id)
    end = min(parse_day(request.GET.get("end")), local_today())
    start = parse_day(request.GET.get("start"), default=end - datetime.timedelta(days=29))
    if start > end or (end - start).days >= selectors.MAX_RANGE_DAYS:
        start = end - datetime.timedelta(days=29)
    by_community = request.GET.get("by") == "community"
    return selectors.statistics(form, _within(request), start, end, by_community=by_community)


@statistics_required
@require_GET
def statistics(request: HttpRequest, form_id: int) -> HttpResponse:
    report = _statistics(request, form_id)
    element = next((e for e in report.elements if e.code == request.GET.get("element")), None)
    element = element or (report.elements[0] if report.elements else None)
    trend = (
        selectors.trend(report.form, report.within, element, report.start, report.end)
        if element
        else None
    )
    query = f"start={report.start:%Y-%m-%d}&end={report.end:%Y-%m-%d}"
    by = "&by=community" if request.GET.get("by") == "community" else ""
    chart: dict[str, Any] = {}
    if trend is not None:
        chart = {
            "dates": [d.strftime("%m-%d") for d in trend.dates],
            "values": [float(v) for v in trend.values],
            "name": trend.element.label,
        }
    return render(
        request,
        "epidemic/statistics.html",
        {
            "report": report,
            "element": element,
            "summary": list(zip(report.elements, report.total.cells, strict=True)),
            "chart": chart,
            "query": query,
            "by": by,
            "ancestors": _ancestors(request, report.within),
            # The line lists' live figures of the same division and days, beside the reports'.
            "line_list_summary": _line_list_summary(report),
            "division_map": None if by else _division_map(report, element, query),
        },
    )


def _division_map(report: selectors.Statistics, element: Any, query: str) -> dict[str, Any] | None:
    """The selected element's figure per child division on a map (province and city only;
    not by community: there are no shapes for those)."""
    if element is None:
        return None
    return maps.map_context(
        report.within.code,
        {r.code: r.values.get(element.code, 0) for r in report.rows if r.code},
        drill=f"?within=__CODE__&{query}&element={element.code}",
        value_name=str(element.label),
    )


def _line_list_summary(report: selectors.Statistics) -> list[tuple[Any, int]]:
    figures = line_list_stats.line_list_statistics(report.within, report.start, report.end)
    return list(zip(figures.columns, figures.total.cells, strict=True))


@statistics_required
@require_GET
def statistics_export(request: HttpRequest, form_id: int) -> HttpResponse:
    report = _statistics(request, form_id)
    headers, rows = selectors.statistics_sheet(report)
    title = _("统计")
    return _xlsx(
        rows,
        headers,
        title,
        f"{report.form.name}-{title}-{report.within.name}-{report.start:%Y%m%d}-{report.end:%Y%m%d}",
    )


# --- approvals -------------------------------------------------------------------------------


@approvals_required
@require_http_methods(["GET", "POST"])
def approvals(request: HttpRequest, form_id: int) -> HttpResponse:
    """The day's reports by status; the city confirms a county, the province locks or reopens."""
    form = access_form_for_user(request.user, form_id)
    data = request.POST if request.method == "POST" else request.GET
    date = parse_day(data.get("date"))
    if request.method == "POST":
        try:
            done = _approval_step(request, form, date)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
        return redirect(f"{request.path}?date={date:%Y-%m-%d}")
    within = _within(request)
    return render(
        request,
        "epidemic/approvals.html",
        {
            "form": form,
            "date": date,
            "within": within,
            "rows": selectors.approval_rows(form, within, date),
            "lock": actions.locked_lock(form, within.code, date),
            "may_confirm": request.user.has_role(*CONFIRMER_ROLES),  # type: ignore[union-attr]
            "may_lock": request.user.has_role(*LOCKER_ROLES),  # type: ignore[union-attr]
            "statuses": ReportStatus,
        },
    )


def _approval_step(request: HttpRequest, form: ReportForm, date: datetime.date) -> str:
    op = request.POST.get("op")
    roles = CONFIRMER_ROLES if op == "confirm" else LOCKER_ROLES
    if not request.user.has_role(*roles):  # type: ignore[union-attr]
        raise PermissionDenied
    if op == "confirm":
        county = area_for(request.user, request.POST.get("county", ""))
        if county is None:
            raise Http404(_("该区划不存在或不在您的管辖范围内"))
        if county.level != 3:
            raise ValidationError(_("请选择本市的一个县（市、区）"))
        n = actions.do_confirm_reports(request.user, form=form, county=county, date=date)
        return _("已确认%(name)s的 %(n)s 份日报") % {"name": county.name, "n": n}
    if op == "lock":
        n = actions.do_lock_day(request.user, form=form, date=date)
        return _("已锁定 %(date)s，共 %(n)s 份日报") % {"date": date, "n": n}
    if op == "reopen":
        n = actions.do_reopen_day(
            request.user, form=form, date=date, reason=request.POST.get("reason", "")
        )
        return _("已重新开放 %(date)s，共 %(n)s 份日报") % {"date": date, "n": n}
    raise ValidationError(_("未知的操作"))


# --- many units in one sheet -----------------------------------------------------------------


def _units_for_upload(request: HttpRequest, form: ReportForm) -> list[Any]:
    units = list(reporting_units_for(request.user, form).order_by("division_code", "name"))
    if not units:
        raise Http404(_("您没有需要填报此表的单位"))
    return units


@login_required
@jurisdiction_required
@require_http_methods(["GET", "POST"])
def report_upload(request: HttpRequest, form_id: int) -> HttpResponse:
    """Upload a sheet with many units' rows: all go in, or none (every problem listed)."""
    form = access_form_for_user(request.user, form_id)
    units = _units_for_upload(request, form)
    problems: list[str] = []
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [_("请选择要上传的表格文件")]
        else:
            try:
                result = sheets.do_import_report_sheet(
                    request.user, form=form, data=upload.read(), filename=upload.name or ""
                )
            except (ValidationError, SpreadsheetError) as exc:
                problems = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    return render(
        request,
        "epidemic/report_upload.html",
        {"form": form, "units": units, "problems": problems, "result": result},
    )


@login_required
@jurisdiction_required
@require_GET
def report_template(request: HttpRequest, form_id: int) -> HttpResponse:
    form = access_form_for_user(request.user, form_id)
    units = [u.name for u in _units_for_upload(request, form)]
    date = parse_day(request.GET.get("date"))
    return _xlsx_bytes(sheets.template(form, units, date), f"{form.name}-{date:%Y%m%d}")


@statistics_required
@require_GET
def situation_report(request: HttpRequest, form_id: int) -> HttpResponse:
    """The day's situation report of a division as a PDF (one click on the statistics page)."""
    form = access_form_for_user(request.user, form_id)
    within = _within(request)
    date = min(parse_day(request.GET.get("date")), local_today())
    name = f"{within.name}{form.name}-{date:%Y%m%d}.pdf"
    return HttpResponse(
        situation.situation_pdf(form, within, date),
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(False, name)},
    )
