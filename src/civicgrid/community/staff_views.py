"""Staff pages: the community dashboard, every resident's figures, areas side by side, alerts
and their findings, the alert rules with their hit rates, pass corrections, and the xlsx
export of each list."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.community import actions, dashboards, exports, rules
from civicgrid.community.access import access_alert_for_user, access_correction_for_user
from civicgrid.community.choices import AlertStatus, RuleKind
from civicgrid.community.masking import masked_name
from civicgrid.community.models import Alert, AlertRule
from civicgrid.community.selectors import community_names, corrections_for, managed_communities
from civicgrid.community.views import STAFF, errors_of, joined_errors
from civicgrid.core.permissions import role_required
from civicgrid.core.spreadsheets import XLSX_CONTENT_TYPE
from civicgrid.population.selectors import area_for, default_area
from civicgrid.regions import maps
from civicgrid.regions.models import Division

RESIDENTS_PER_PAGE = 50
# The resident list's filters as its chips name them (dashboards.RESIDENT_FILTERS).
RESIDENT_FILTER_LABELS = (
    ("", gettext_lazy("全部")),
    ("out", gettext_lazy("目前在外")),
    ("unreported", gettext_lazy("今日未报告")),
    ("fever", gettext_lazy("今日发热")),
    ("observed", gettext_lazy("医学观察")),
)


def _area(request: HttpRequest) -> Division:
    code = request.GET.get("c", "")
    area = area_for(request.user, code) if code else default_area(request.user)
    if area is None:
        raise Http404
    return area


@role_required(*STAFF)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    if area.level < 5:
        return redirect(f"{request.path}overview/?c={area.short_code}")
    board = dashboards.community_dashboard(request.user, area)
    chart = {
        "hours": [f"{h}时" for h in board.hours],
        "out": board.out_by_hour,
        "in": board.in_by_hour,
    }
    return render(
        request,
        "community/dashboard.html",
        {"board": board, "chart": chart, "ancestors": area.ancestors()},
    )


@role_required(*STAFF)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    area = _area(request)
    if area.level >= 5:
        return redirect(f"/community/?c={area.short_code}")
    rows = dashboards.area_overview(request.user, area)
    chart = {
        "names": [r.label for r in rows],
        "out": [r.figures["out_today"] for r in rows],
        "in": [r.figures["in_today"] for r in rows],
    }
    labels = _figure_labels()
    figure = request.GET.get("fig", "")
    figure = figure if figure in labels else "out_today"
    # A map of the chosen figure where child shapes exist (a province's cities, a city's
    # counties); communities and townships have none, the page says so.
    division_map = maps.map_context(
        area.code,
        {r.code: r.figures[figure] for r in rows},
        drill=f"?c=__CODE__&fig={figure}",
        value_name=labels[figure],
    )
    return render(
        request,
        "community/overview.html",
        {
            "area": area,
            "rows": rows,
            "chart": chart,
            "ancestors": area.ancestors(),
            "division_map": division_map,
            "figure": figure,
            "figures": list(labels.items()),
        },
    )


def _figure_labels() -> dict[str, str]:
    return {
        "out_today": _("今日外出人次"),
        "in_today": _("今日进入人次"),
        "households": _("住户"),
        "reported": _("今日已报告住户"),
        "fever": _("发热"),
        "open_alerts": _("待核实预警"),
    }


def _resident_query(request: HttpRequest) -> exports.ListQuery:
    """The residents' list's filter and order from the address (an unknown filter: none)."""
    show = request.GET.get("show", "")
    return exports.ListQuery(
        show=show if show in dashboards.RESIDENT_FILTERS else "",
        busiest_first=request.GET.get("order") != "address",
    )


@role_required(*STAFF)
@require_GET
def resident_list(request: HttpRequest) -> HttpResponse:
    """Every resident of the community with the week's exits, the household's disinfections
    and fever reports, and today's report: the source's per-resident back office."""
    area = _area(request)
    if area.level < 5:
        return redirect(f"/community/overview/?c={area.short_code}")
    query = _resident_query(request)
    rows = dashboards.resident_rows(
        request.user, area.code, today=timezone.localdate(), busiest_first=query.busiest_first,
        show=query.show,
    )  # fmt: skip
    page = Paginator(rows, RESIDENTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for person in page.object_list:
        person.masked = masked_name(person.name)
    return render(
        request,
        "community/resident_list.html",
        {
            "area": area,
            "page": page,
            "busiest_first": query.busiest_first,
            "show": query.show,
            "filters": RESIDENT_FILTER_LABELS,
        },
    )


@role_required(*STAFF)
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", AlertStatus.OPEN)
    alerts = Alert.objects.visible_to(request.user).select_related("rule", "household")
    if status in AlertStatus.values:
        alerts = alerts.filter(status=status)
    return render(
        request,
        "community/alert_list.html",
        {"alerts": alerts[:200], "status": status, "statuses": AlertStatus.choices},
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = access_alert_for_user(request.user, alert_id, request=request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            actions.do_resolve_alert(
                request.user,
                alert=alert,
                status=request.POST.get("status", ""),
                finding=request.POST.get("finding", ""),
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("核实结果已记录。"))
            return redirect("community:alert_list")
    return render(
        request,
        "community/alert_detail.html",
        {"alert": alert, "errors": errors, "form": request.POST},
    )


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def rule_list(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        raw = request.POST.get("threshold", "").strip()
        try:
            actions.do_save_alert_rule(
                request.user,
                division_code=request.POST.get("division_code", ""),
                kind=request.POST.get("kind", ""),
                threshold=int(raw) if raw.isdigit() else None,
                is_active=request.POST.get("is_active") == "on",
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        except PermissionDenied:
            raise
        else:
            messages.success(request, _("预警规则已保存。"))
            return redirect("community:rule_list")
    found = list(AlertRule.objects.visible_to(request.user))
    rates = rules.hit_rates(found)
    names = community_names({r.division_code for r in found})
    for rule in found:
        rule.rates = rates[rule.pk]
        rule.community_name = names.get(rule.division_code, rule.division_code)
    communities = managed_communities(request.user)
    return render(
        request,
        "community/rule_list.html",
        {
            "rules": found,
            "communities": communities,
            "managed": {d.code for d in communities},
            "kinds": RuleKind.choices,
            "defaults": rules.DEFAULT_THRESHOLDS,
            "errors": errors,
            "form": request.POST if request.method == "POST" else _rule_form(request, found),
        },
    )


def _rule_form(request: HttpRequest, found: list[AlertRule]) -> dict[str, str]:
    """The form's values: the rule `?edit=<id>` names (one of those shown), to be tuned; else
    a new rule, switched on."""
    chosen = next((r for r in found if str(r.pk) == request.GET.get("edit")), None)
    if chosen is None:
        return {"is_active": "on"}
    return {
        "division_code": chosen.division_code,
        "kind": chosen.kind,
        "threshold": "" if chosen.threshold is None else str(chosen.threshold),
        "is_active": "on" if chosen.is_active else "",
    }


@role_required(*STAFF)
@require_GET
def correction_list(request: HttpRequest) -> HttpResponse:
    corrections = corrections_for(request.user)[:200]
    return render(request, "community/correction_list.html", {"corrections": corrections})


@role_required(*STAFF)
@require_POST
def correction_resolve(request: HttpRequest, correction_id: int) -> HttpResponse:
    correction = access_correction_for_user(request.user, correction_id, request=request)
    try:
        actions.do_resolve_pass_correction(
            request.user,
            correction=correction,
            accept=request.POST.get("accept") == "1",
            resolution=request.POST.get("resolution", ""),
        )
    except ValidationError as exc:
        messages.error(request, joined_errors(exc))
    return redirect("community:correction_list")


@role_required(*STAFF)
@require_GET
def export_list(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in exports.LISTS:
        raise Http404
    area = _area(request)
    query = _resident_query(request) if kind == "residents" else exports.ListQuery()
    content = exports.export_list(request.user, kind, area, query=query, request=request)
    title = exports.LISTS[kind].title
    if query.show:
        title = f"{title}-{dict(RESIDENT_FILTER_LABELS)[query.show]}"
    name = f"{area.name}-{title}-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
