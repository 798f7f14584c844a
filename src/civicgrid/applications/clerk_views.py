"""Clerk pages (desktop): the queue by department, item, status and time left; a case with its
answers, attachments, history and the actions of its current step; the department report with
the bad-rating follow-ups."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.applications import actions, disclosure, formspec, selectors
from civicgrid.applications.access import access_follow_up_for_user, access_worked_case_for_user
from civicgrid.applications.choices import CaseStatus, DeliveryMethod, StepKind, TimeLeft
from civicgrid.applications.models import Case, WorkflowStep
from civicgrid.applications.views import file_names, run_case_action
from civicgrid.catalog.models import ServiceItem
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.paging import Paging, page_of

PAGE_SIZE = 50


def _require_clerk_side(request: HttpRequest) -> None:
    if not selectors.is_clerk_side(request.user):
        raise PermissionDenied


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _require_clerk_side(request)
    departments = list(selectors.queue_departments(request.user))
    department_id = _int(request.GET.get("department"))
    status = request.GET.get("status") if request.GET.get("status") in CaseStatus.values else None
    time_left = (
        request.GET.get("time_left") if request.GET.get("time_left") in TimeLeft.values else None
    )
    item_id = _int(request.GET.get("item"))
    offset = _int(request.GET.get("offset")) or 0
    rows = selectors.queue_rows(
        selectors.clerk_queue(
            request.user,
            department_id=department_id,
            item_id=item_id,
            status=status,
            time_left=time_left,
        )
    )
    page = page_of(rows, Paging(limit=PAGE_SIZE, offset=offset))
    items = ServiceItem.objects.filter(department__in=departments).only("id", "code", "name")
    query = request.GET.copy()
    query.pop("offset", None)
    return render(
        request,
        "applications/clerk_queue.html",
        {
            "rows": selectors.with_remaining(page["items"]),
            # One reverse for the page instead of one per row.
            "case_url_prefix": reverse("applications:clerk_queue"),
            "count": page["count"],
            "offset": offset,
            "next_offset": offset + PAGE_SIZE if offset + PAGE_SIZE < page["count"] else None,
            "previous_offset": max(0, offset - PAGE_SIZE) if offset else None,
            "query": query.urlencode(),
            "departments": departments,
            "items": list(items[:300]),
            "statuses": CaseStatus.choices,
            "time_lefts": TimeLeft.choices,
            "chosen": {
                "department": department_id,
                "item": item_id,
                "status": status or "",
                "time_left": time_left or "",
            },
        },
    )


def _detail(
    request: HttpRequest,
    case: Case,
    errors: dict[str, list[str]] | None = None,
    *,
    revealed: dict[str, Any] | None = None,
    status: int | None = None,
) -> HttpResponse:
    spec = case.form_definition.spec
    steps = list(WorkflowStep.objects.filter(item_id=case.item_id).order_by("position"))
    current = case.current_step
    return render(
        request,
        "applications/clerk_case.html",
        {
            "case": case,
            "spec": spec,
            "names": file_names(case.attachments.all()),
            "attachments": case.attachments.all(),
            "materials": case.materials.all(),
            "events": case.events.select_related("actor"),
            "requests": case.material_requests.all(),
            "steps": steps,
            "may_act": actions.may_act(request.user, case),
            "step_kind": current.kind if current else "",
            "kinds": StepKind,
            "delivery_methods": DeliveryMethod.choices,
            "remaining": selectors.with_remaining([case])[0].remaining if case.is_open else None,
            "delivery": getattr(case, "delivery", None) if hasattr(case, "delivery") else None,
            "errors": errors or {},
            # ID and mobile numbers masked unless this response is an audited reveal.
            "answers": case.answers if revealed is None else revealed,
            "mask_answers": revealed is None,
            "revealed": revealed is not None,
            "may_reveal": disclosure.may_reveal_answers(request.user, case),
            "has_personal": bool(formspec.personal_values(spec, case.answers)),
        },
        status=status or (422 if errors else 200),
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = access_worked_case_for_user(request.user, number, request=request)
    # A read of the case (its answers with ID and mobile numbers masked).
    record_audit(
        actor=request.user,
        action=AuditAction.VIEW,
        target=case,
        division_code=case.division_code,
        subject_key=f"user:{case.applicant_user_id}",
        request=request,
        details={"number": case.number},
    )
    return _detail(request, case)


@login_required
@require_POST
def reveal(request: HttpRequest, number: str) -> HttpResponse:
    """The case page with the answers' ID and mobile numbers in full: a reason is required and
    every person concerned gets a `view_unmasked` audit record."""
    case = access_worked_case_for_user(request.user, number, request=request)
    try:
        answers = disclosure.do_reveal_case_answers(
            request.user, case=case, reason=request.POST.get("reason", ""), request=request
        )
    except ValidationError as exc:
        return _detail(request, case, {"reveal": exc.messages})
    response = _detail(request, case, revealed=answers)
    response["Cache-Control"] = "no-store"
    return response


def _clerk_action(request: HttpRequest, number: str, run: Any, done: str) -> HttpResponse:
    case = access_worked_case_for_user(request.user, number, request=request)
    return run_case_action(request, case, run, done, page=_detail, to="applications:clerk_case")


@login_required
@require_POST
def advance(request: HttpRequest, number: str) -> HttpResponse:
    return _clerk_action(
        request,
        number,
        lambda case: actions.do_advance_case(
            request.user, case=case, note=request.POST.get("note", "")
        ),
        _("已办理，办件进入下一步骤。"),
    )


@login_required
@require_POST
def request_material(request: HttpRequest, number: str) -> HttpResponse:
    items = [line for line in request.POST.get("items", "").splitlines() if line.strip()]
    return _clerk_action(
        request,
        number,
        lambda case: actions.do_request_material(
            request.user, case=case, items=items, note=request.POST.get("note", "")
        ),
        _("已通知申请人补正材料，暂停计时。"),
    )


@login_required
@require_POST
def refuse(request: HttpRequest, number: str) -> HttpResponse:
    return _clerk_action(
        request,
        number,
        lambda case: actions.do_refuse_case(
            request.user, case=case, reason=request.POST.get("reason", "")
        ),
        _("已作出不予许可决定并通知申请人。"),
    )


@login_required
@require_POST
def complete(request: HttpRequest, number: str) -> HttpResponse:
    p = request.POST
    return _clerk_action(
        request,
        number,
        lambda case: actions.do_complete_case(
            request.user,
            case=case,
            method=p.get("method", ""),
            recipient=p.get("recipient", ""),
            recipient_mobile=p.get("recipient_mobile", ""),
            address=p.get("address", ""),
            carrier=p.get("carrier", ""),
            tracking_number=p.get("tracking_number", ""),
            pickup_place=p.get("pickup_place", ""),
        ),
        _("办件已办结，结果已送达申请人。"),
    )


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    _require_clerk_side(request)
    return render(
        request,
        "applications/department_report.html",
        {
            "lines": selectors.department_report(request.user),
            "follow_ups": list(selectors.open_follow_ups(request.user)[:100]),
        },
    )


@login_required
@require_POST
def close_follow_up(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    follow_up = access_follow_up_for_user(request.user, follow_up_id, request=request)
    try:
        actions.do_close_follow_up(
            request.user, follow_up=follow_up, action_taken=request.POST.get("action_taken", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("整改情况已记录。"))
    return redirect("applications:department_report")
