"""Pages of the line lists: cases (desktop for CDC and clinicians), key persons and the
follow-up worklist (phone first for community teams), transmission chains, live line-list
statistics and background exports. Each view parses, calls an access helper and one action or
selector, and renders; the rules live in the actions (`line_lists`, `observation`)."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.accounts.models import Organisation
from civicgrid.core.models import ExportFile
from civicgrid.core.permissions import role_required
from civicgrid.core.scoping import covers, jurisdiction_q
from civicgrid.core.spreadsheets import XLSX_CONTENT_TYPE, write_report
from civicgrid.epidemic import chains, line_list_exports, line_list_stats, line_lists, observation
from civicgrid.epidemic.access import (
    access_case_for_user,
    access_cluster_for_user,
    access_observation_for_user,
    access_site_for_user,
    access_team_for_user,
)
from civicgrid.epidemic.choices import (
    RECLASSIFICATIONS,
    CaseStatus,
    CheckSlot,
    ContactType,
    KeyPersonCategory,
    ObservationPlace,
    Outcome,
    Severity,
    WorklistFlag,
)
from civicgrid.epidemic.forms import parse_day
from civicgrid.epidemic.models import Case, KeyPerson, MonitoringEntry, QuarantineSite
from civicgrid.epidemic.observation import SYMPTOMS, TEAM_TYPES
from civicgrid.epidemic.querysets import (
    CASE_ENTRY_ROLES,
    CONTACT_ROLES,
    KEY_PERSON_READERS,
    KEY_PERSON_ROLES,
    LINE_LIST_ROLES,
    OBSERVATION_ROLES,
    WORKLIST_ROLES,
    organisation_ids_of,
)
from civicgrid.epidemic.remit import local_today
from civicgrid.population.exports import may_export_unmasked
from civicgrid.population.selectors import area_for, default_area
from civicgrid.regions import maps
from civicgrid.regions.models import Division

readers_required = role_required(*LINE_LIST_ROLES)
PAGE = 50


def _date(value: str | None) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("日期格式应为 YYYY-MM-DD")) from None


def _within(request: HttpRequest) -> Division:
    code = request.GET.get("within", "")
    within = area_for(request.user, code) if code else default_area(request.user)
    if within is None:
        raise Http404(_("该区划不存在或不在您的管辖范围内"))
    return within


def _person_input(data: Any) -> line_lists.PersonInput:
    return line_lists.PersonInput(
        id_number=data.get("id_number", ""),
        name=data.get("name", "")[:50],
        mobile=data.get("mobile", "")[:20],
        community=data.get("community", "")[:12],
        address=data.get("address", "")[:30],
    )


def _teams(request: HttpRequest) -> list[Organisation]:
    teams = Organisation.objects.filter(type__in=TEAM_TYPES, is_active=True)
    return list(
        (teams.visible_to(request.user) | teams.filter(pk__in=organisation_ids_of(request.user)))
        .distinct()
        .order_by("division_code", "name")[:300]
    )


def _communities(request: HttpRequest) -> list[Division]:
    return list(
        Division.objects.filter(
            jurisdiction_q(request.user.jurisdiction_codes(), "code"), level=5
        ).order_by("code")[  # type: ignore[union-attr]
            :500
        ]
    )


def _page(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return max(int(raw), 1) if raw.isdigit() else 1


# --- cases -----------------------------------------------------------------------------------


@readers_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    within = _within(request)
    status = request.GET.get("status", "")
    rows = Case.objects.visible_to(request.user).filter(jurisdiction_q([within.code]))
    if status in CaseStatus.values:
        rows = rows.filter(status=status)
    page = _page(request)
    cases = list(
        rows.select_related("person", "reporting_unit").order_by("-report_date", "-pk")[
            (page - 1) * PAGE : page * PAGE + 1
        ]
    )
    return render(
        request,
        "epidemic/line_lists/case_list.html",
        {
            "within": within,
            "cases": cases[:PAGE],
            "has_next": len(cases) > PAGE,
            "page": page,
            "status": status,
            "statuses": CaseStatus.choices,
            "may_enter": request.user.has_role(*CASE_ENTRY_ROLES),  # type: ignore[union-attr]
        },
    )


@role_required(*CASE_ENTRY_ROLES)
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    """Enter a case by ID number; an existing register person is reused."""
    errors: dict[str, list[str]] = {}
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        try:
            hospital_id = data.get("hospital", "")
            case = line_lists.do_enter_case(
                request.user,
                person=_person_input(data),
                status=data.get("status", ""),
                hospital=Organisation.objects.filter(pk=hospital_id).first()
                if hospital_id.isdigit()
                else None,
                severity=data.get("severity", ""),
                onset_date=_date(data.get("onset_date")),
                diagnosis_date=_date(data.get("diagnosis_date")),
                report_date=_date(data.get("report_date")),
                note=data.get("note", "")[:300],
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            messages.success(request, _("已录入病例：%(name)s") % {"name": case.person.name})
            return redirect("epidemic:case_detail", case_id=case.pk)
    hospitals = Organisation.objects.filter(type="medical", is_active=True).visible_to(request.user)
    return render(
        request,
        "epidemic/line_lists/case_form.html",
        {
            "data": data,
            "errors": errors,
            "general": [m for k, ms in errors.items() if k in ("", "__all__") for m in ms],
            "statuses": [(v, lbl) for v, lbl in CaseStatus.choices if v != CaseStatus.EXCLUDED],
            "severities": Severity.choices,
            "hospitals": list(hospitals.order_by("name")[:200]),
            "communities": _communities(request),
            "today": local_today(),
        },
    )


@readers_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case_for_user(request.user, case_id, request=request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            done = _case_step(request, case)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            messages.success(request, done)
            return redirect("epidemic:case_detail", case_id=case.pk)
    contacts = list(
        case.exposures.select_related("contact__person").order_by("-last_exposure_date", "pk")[:200]
    )
    return render(
        request,
        "epidemic/line_lists/case_detail.html",
        {
            "case": case,
            "history": case.classifications.select_related("changed_by"),
            "exposures": contacts,
            "sources": case.as_contact.exposures.select_related("case__person")
            if hasattr(case, "as_contact")
            else [],
            "next_statuses": [(s, CaseStatus(s).label) for s in RECLASSIFICATIONS[case.status]],
            "outcomes": [(v, lbl) for v, lbl in Outcome.choices if v],
            "contact_types": ContactType.choices,
            "teams": _teams(request),
            "errors": errors,
            "may_edit": request.user.has_role(*CASE_ENTRY_ROLES),  # type: ignore[union-attr]
            "may_trace": request.user.has_role(*CONTACT_ROLES),  # type: ignore[union-attr]
            "communities": _communities(request),
            "today": local_today(),
        },
    )


def _case_step(request: HttpRequest, case: Case) -> str:
    data = request.POST
    op = data.get("op")
    if op == "reclassify":
        line_lists.do_reclassify_case(
            request.user, case=case, to_status=data.get("to_status", ""),
            on_date=_date(data.get("on_date")), note=data.get("note", "")[:200],
        )  # fmt: skip
        return _("已订正分类")
    if op == "outcome":
        line_lists.do_record_outcome(
            request.user, case=case, outcome=data.get("outcome", ""),
            on_date=_date(data.get("outcome_date")),
        )  # fmt: skip
        return _("已登记转归")
    if op == "contact":
        exposure = _date(data.get("last_exposure_date"))
        if exposure is None:
            raise ValidationError({"last_exposure_date": _("请填写末次接触日期")})
        team_id = data.get("team", "")
        line_lists.do_register_contact(
            request.user, person=_person_input(data), case=case,
            contact_type=data.get("contact_type", ""), last_exposure_date=exposure,
            observe_at_home_with=access_team_for_user(request.user, team_id) if team_id else None,
        )  # fmt: skip
        return _("已登记密切接触者")
    raise ValidationError(_("未知的操作"))


# --- key persons -----------------------------------------------------------------------------


@role_required(*KEY_PERSON_READERS)
@require_http_methods(["GET", "POST"])
def key_persons(request: HttpRequest) -> HttpResponse:
    """Key persons of the jurisdiction (a grid worker: their community), and a phone form."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not request.user.has_role(*KEY_PERSON_ROLES):  # type: ignore[union-attr]
            raise PermissionDenied
        try:
            arrival = _date(request.POST.get("arrival_date"))
            if arrival is None:
                raise ValidationError({"arrival_date": _("请填写抵达日期")})
            line_lists.do_register_key_person(
                request.user, person=_person_input(request.POST),
                category=request.POST.get("category", ""), arrival_date=arrival,
                origin=request.POST.get("origin", ""), transport=request.POST.get("transport", ""),
            )  # fmt: skip
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            messages.success(request, _("已登记重点人员"))
            return redirect("epidemic:key_persons")
    rows = KeyPerson.objects.visible_to(request.user).select_related("person", "grid")
    return render(
        request,
        "epidemic/line_lists/key_persons.html",
        {
            "rows": list(rows.order_by("-arrival_date", "-pk")[:PAGE]),
            "errors": errors,
            "data": request.POST,
            "categories": KeyPersonCategory.choices,
            "may_add": request.user.has_role(*KEY_PERSON_ROLES),  # type: ignore[union-attr]
            "communities": _communities(request),
            "today": local_today(),
        },
    )


# --- worklist and observation ----------------------------------------------------------------


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """Who needs a check, has a fever, missed a check or is due for release today."""
    team_id = request.GET.get("team", "")
    team = access_team_for_user(request.user, team_id) if team_id else None
    if team is None and not request.user.has_role(*WORKLIST_ROLES):  # type: ignore[union-attr]
        raise PermissionDenied
    code = request.GET.get("within", "")
    within = area_for(request.user, code) if code else None
    if code and within is None:
        raise Http404(_("该区划不存在或不在您的管辖范围内"))
    flag = request.GET.get("flag", "")
    page = _page(request)
    result = observation.worklist(
        request.user, within_code=within.code if within else "", team=team,
        flag=flag if flag in WorklistFlag.values else "", place=request.GET.get("place", ""),
        limit=PAGE, offset=(page - 1) * PAGE,
    )  # fmt: skip
    return render(
        request,
        "epidemic/line_lists/worklist.html",
        {
            "result": result,
            "flags": [(v, lbl, result.counts.get(v, 0)) for v, lbl in WorklistFlag.choices],
            "flag": flag,
            "team": team,
            "teams": _teams(request),
            "within": within,
            "page": page,
            "has_next": result.offset + len(result.rows)
            < (result.counts.get(flag, 0) if flag in WorklistFlag.values else result.total),
            "slots": CheckSlot.choices,
            "symptoms": SYMPTOMS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def observation_detail(request: HttpRequest, observation_id: int) -> HttpResponse:
    found = access_observation_for_user(request.user, observation_id, request=request)
    if not observation.may_monitor(request.user, found):
        raise Http404
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            done = _observation_step(request, found)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            messages.success(request, done)
            back = request.POST.get("next", "")
            if back.startswith("/") and not back.startswith("//"):
                return redirect(back)
            return redirect("epidemic:observation_detail", observation_id=found.pk)
    return render(
        request,
        "epidemic/line_lists/observation_detail.html",
        {
            "observation": found,
            "entries": MonitoringEntry.objects.filter(observation=found).order_by("-date", "-slot")[
                :60
            ],
            "errors": errors,
            "slots": CheckSlot.choices,
            "slot_now": observation.current_slot(),
            "symptoms": SYMPTOMS,
            "today": local_today(),
            "may_release": request.user.has_role(*OBSERVATION_ROLES)  # type: ignore[union-attr]
            and covers(request.user, found.division_code),
            # The person's own page (their twice-daily checks): no staff tabs, no worklist.
            "own": observation.is_own(request.user, found)
            and not request.user.has_role(*WORKLIST_ROLES),  # type: ignore[union-attr]
        },
    )


def _observation_step(request: HttpRequest, found: Any) -> str:
    data = request.POST
    if data.get("op") == "release":
        observation.do_release_observation(
            request.user, observation=found, on_date=_date(data.get("released_on")),
            note=data.get("note", "")[:200],
        )  # fmt: skip
        return _("已解除医学观察")
    observation.do_record_check(
        request.user, observation=found, date=_date(data.get("date")) or local_today(),
        slot=data.get("slot", ""), temperature=data.get("temperature", ""),
        symptoms=data.getlist("symptoms"), note=data.get("note", "")[:200], key=data.get("key", ""),
    )  # fmt: skip
    return _("已记录健康监测")


@role_required(*OBSERVATION_ROLES)
@require_http_methods(["GET", "POST"])
def observation_create(request: HttpRequest) -> HttpResponse:
    """Place someone of the register under observation at home or at a site."""
    errors: dict[str, list[str]] = {}
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        try:
            person = line_lists.find_person(data.get("id_number", ""))
            if person is None:
                raise ValidationError({"id_number": _("该身份证号不在人口台账中，请先登记")})
            site_id = data.get("site", "")
            started = observation.do_start_observation(
                request.user,
                observation.ObservationInput(
                    person=person, place=data.get("place", ""),
                    site=access_site_for_user(request.user, site_id) if site_id else None,
                    team=access_team_for_user(request.user, data.get("team", "")),
                    start_date=_date(data.get("start_date")) or local_today(),
                    planned_end_date=_date(data.get("planned_end_date")),
                    last_exposure_date=_date(data.get("last_exposure_date")),
                ),
            )  # fmt: skip
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            messages.success(request, _("已安排医学观察"))
            return redirect("epidemic:observation_detail", observation_id=started.pk)
    return render(
        request,
        "epidemic/line_lists/observation_form.html",
        {
            "data": data,
            "errors": errors,
            "places": ObservationPlace.choices,
            "sites": QuarantineSite.objects.visible_to(request.user).filter(is_active=True),
            "teams": _teams(request),
            "today": local_today(),
        },
    )


@role_required(*WORKLIST_ROLES)
@require_http_methods(["GET", "POST"])
def sites(request: HttpRequest) -> HttpResponse:
    """The named sites of the jurisdiction with their occupancy; staff who place people under
    observation add one."""
    errors: dict[str, list[str]] = {}
    may_add = request.user.has_role(*OBSERVATION_ROLES)  # type: ignore[union-attr]
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied
        capacity = request.POST.get("capacity", "")
        try:
            observation.do_create_site(
                request.user, name=request.POST.get("name", ""),
                division_code=request.POST.get("division_code", "").ljust(12, "0")[:12],
                capacity=int(capacity) if capacity.isdigit() else 0,
                address=request.POST.get("address", ""),
            )  # fmt: skip
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            messages.success(request, _("已设立隔离点"))
            return redirect("epidemic:sites")
    return render(
        request,
        "epidemic/line_lists/sites.html",
        {
            "sites": QuarantineSite.objects.visible_to(request.user).order_by(
                "division_code", "name"
            )[:200],
            "errors": errors,
            "data": request.POST,
            "may_add": may_add,
        },
    )


# --- chains ----------------------------------------------------------------------------------


@readers_required
@require_GET
def chain_list(request: HttpRequest) -> HttpResponse:
    within = _within(request)
    count, clusters = chains.clusters_in(request.user, within.code, limit=200)
    return render(
        request,
        "epidemic/line_lists/chains.html",
        {"within": within, "count": count, "clusters": clusters},
    )


@readers_required
@require_GET
def chain_detail(request: HttpRequest, cluster_id: int) -> HttpResponse:
    cluster = access_cluster_for_user(request.user, cluster_id)
    return render(
        request,
        "epidemic/line_lists/chain_detail.html",
        {
            "cluster": cluster,
            "data_url": reverse("api:epidemic_ll_chain", args=[cluster.pk]),
            "max_nodes": chains.MAX_NODES,
        },
    )


# --- statistics ------------------------------------------------------------------------------


def _statistics(request: HttpRequest) -> line_list_stats.LineListStatistics:
    end = min(parse_day(request.GET.get("end")), local_today())
    start = parse_day(request.GET.get("start"), default=end - datetime.timedelta(days=29))
    if start > end or (end - start).days > 366:
        start = end - datetime.timedelta(days=29)
    return line_list_stats.line_list_statistics(_within(request), start, end)


@readers_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    report = _statistics(request)
    column = line_list_stats.COLUMN_CODES.get(
        request.GET.get("column", ""), line_list_stats.COLUMNS[0]
    )
    trend = line_list_stats.line_list_trend(report.within, column, report.start, report.end)
    query = f"start={report.start:%Y-%m-%d}&end={report.end:%Y-%m-%d}"
    return render(
        request,
        "epidemic/line_lists/statistics.html",
        {
            "report": report,
            "column": column,
            "summary": list(zip(report.columns, report.total.cells, strict=True)),
            "chart": {
                "dates": [d.strftime("%m-%d") for d in trend.dates],
                "values": trend.values,
                "name": str(column.name),
            },
            "query": query,
            "ancestors": [a for a in report.within.ancestors() if covers(request.user, a.code)],
            # The selected figure per child division on a map (province and city only).
            "division_map": maps.map_context(
                report.within.code,
                {r.code: r.values.get(column.code, 0) for r in report.rows if r.code},
                drill=f"?within=__CODE__&{query}&column={column.code}",
                value_name=str(column.name),
            ),
        },
    )


@readers_required
@require_GET
def statistics_export(request: HttpRequest) -> HttpResponse:
    report = _statistics(request)
    headers, rows = line_list_stats.line_list_sheet(report)
    name = f"个案统计-{report.within.name}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.xlsx"
    return HttpResponse(
        write_report(rows, headers, title=_("个案统计")),
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, name)},
    )


# --- exports ---------------------------------------------------------------------------------


@readers_required
@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        code = request.POST.get("within", "")
        within = area_for(request.user, code) if code else None
        try:
            if code and within is None:
                raise Http404
            export = line_list_exports.do_start_line_list_export(
                request.user, kind=request.POST.get("kind", ""),
                within_code=within.code if within else "",
                unmasked=request.POST.get("unmasked") == "on", reason=request.POST.get("reason", ""),
            )  # fmt: skip
        except ValidationError as exc:
            error = exc.messages[0]
        except PermissionDenied:
            error = _("您的角色不能导出该清单或完整号码")
        else:
            return redirect("epidemic:line_list_export", export_id=export.pk)
    recent = (
        ExportFile.objects.filter(
            owner=request.user, filename__regex=r"^(病例|密切接触者|重点人员|医学观察)-"
        )
        .select_related("progress")
        .order_by("-created_at")[:10]
    )
    return render(
        request,
        "epidemic/line_lists/exports.html",
        {
            "error": error,
            "recent": recent,
            "kinds": [(k.code, k.label) for k in line_list_exports.KINDS.values()],
            "may_unmask": may_export_unmasked(request.user),
        },
    )


def _own_export(request: HttpRequest, export_id: int) -> ExportFile:
    found = (
        ExportFile.objects.select_related("progress")
        .filter(pk=export_id, owner=request.user)
        .first()
    )
    if found is None:
        raise Http404
    return found


@readers_required
@require_GET
def export_detail(request: HttpRequest, export_id: int) -> HttpResponse:
    export = _own_export(request, export_id)
    return render(
        request,
        "epidemic/line_lists/export_detail.html",
        {"export": export, "progress": export.progress},
    )


@readers_required
@require_GET
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    export = _own_export(request, export_id)
    if not export.progress.finished or export.progress.failed:
        raise Http404
    return HttpResponse(
        bytes(export.content),
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, export.filename)},
    )
