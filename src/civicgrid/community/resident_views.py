"""A resident's own pages (/community/me/): the summary the source article describes (outings
this week, disinfections, household fever status), today's household health report, the
disinfection log, and every pass recorded about them, each with a way to ask for a correction."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.community import actions, dashboards
from civicgrid.community.choices import DisinfectionArea, DisinfectionMethod, Symptom
from civicgrid.community.models import HealthReport
from civicgrid.community.views import errors_of, joined_errors
from civicgrid.epidemic.observation import active_observation_of, slot_label
from civicgrid.population.choices import PersonStatus
from civicgrid.population.declarations import person_of


def _household(request: HttpRequest):  # type: ignore[no-untyped-def]
    person = person_of(request.user)
    if person is None or person.household is None:
        return None
    return person.household


@login_required
@require_GET
def my_home(request: HttpRequest) -> HttpResponse:
    summary = dashboards.resident_summary(request.user)
    # Their own medical observation, if the line list has one: where they report their checks.
    observation = active_observation_of(summary.person) if summary else None
    last = observation.last_check if observation is not None else None
    return render(
        request,
        "community/me_home.html",
        {
            "summary": summary,
            "observation": observation,
            "last_check": slot_label(*last) if last else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_health(request: HttpRequest) -> HttpResponse:
    household = _household(request)
    if household is None:
        return redirect("community:me")
    members = list(household.members.filter(status=PersonStatus.LIVING_HERE).order_by("pk"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        entries = [
            actions.EntryInput(
                person_id=int(pk),
                temperature=request.POST.get(f"t_{pk}", ""),
                symptoms=tuple(request.POST.getlist(f"s_{pk}")),
            )
            for pk in request.POST.getlist("person")
            if pk.isdigit()
        ]
        try:
            actions.do_report_household_health(request.user, household=household, entries=entries)
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("今天的家庭健康情况已报告，谢谢。"))
            return redirect("community:me")
    today = HealthReport.objects.filter(
        household=household, report_date=timezone.localdate()
    ).first()
    previous = {e.person_id: e for e in today.entries.all()} if today else {}
    row_errors = {}
    for index, pk in enumerate(request.POST.getlist("person"), start=1):
        row_errors[pk] = [
            m for k, v in errors.items() if k.startswith(f"entries.{index}.") for m in v
        ]
    rows = [
        {
            "person": m,
            "temperature": request.POST.get(f"t_{m.pk}")
            or (previous[m.pk].temperature if m.pk in previous else ""),
            "symptoms": request.POST.getlist(f"s_{m.pk}")
            or (previous[m.pk].symptoms if m.pk in previous else []),
            "errors": row_errors.get(str(m.pk), []),
        }
        for m in members
    ]
    return render(
        request,
        "community/me_health.html",
        {"rows": rows, "symptoms": Symptom.choices, "errors": errors, "already": today is not None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_disinfection(request: HttpRequest) -> HttpResponse:
    household = _household(request)
    if household is None:
        return redirect("community:me")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        raw = parse_datetime(request.POST.get("done_at", "") or "")
        done_at = timezone.make_aware(raw) if raw is not None and timezone.is_naive(raw) else raw
        try:
            actions.do_log_disinfection(
                request.user,
                household=household,
                done_at=done_at,  # type: ignore[arg-type]
                area=request.POST.get("area", ""),
                method=request.POST.get("method", ""),
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("消毒记录已保存。"))
            return redirect("community:me")
    return render(
        request,
        "community/me_disinfection.html",
        {
            "errors": errors,
            "form": request.POST,
            "now": timezone.localtime().replace(second=0, microsecond=0, tzinfo=None),
            "areas": DisinfectionArea.choices,
            "methods": DisinfectionMethod.choices,
            "recent": household.disinfections.all()[:10],
            "since": timezone.localdate() - datetime.timedelta(days=7),
        },
    )


@login_required
@require_GET
def my_passes(request: HttpRequest) -> HttpResponse:
    return render(
        request, "community/me_passes.html", {"passes": dashboards.passes_about(request.user)[:200]}
    )


@login_required
@require_POST
def my_pass_correct(request: HttpRequest, pass_id: int) -> HttpResponse:
    record = dashboards.passes_about(request.user).filter(pk=pass_id).first()
    if record is None:
        raise Http404
    try:
        actions.do_request_pass_correction(
            request.user, record=record, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, joined_errors(exc))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("更正申请已提交，社区工作人员处理后会通知您。"))
    return redirect("community:my_passes")
