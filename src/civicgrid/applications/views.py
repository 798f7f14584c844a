"""Applicant pages (phone-first): apply with a multi-step form that saves as it goes, check the
answers, submit; my applications; follow a case by number, supply requested material, rate.

Each view parses, looks the object up through `applications.access` (404 alike for missing and
not yours), calls one action and redirects; a rejected action shows the page again with the
error beside the field it names, and nothing saved.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.applications import actions, clock, selectors
from civicgrid.applications.access import (
    access_attachment_for_user,
    access_case_for_user,
    access_draft_for_user,
)
from civicgrid.applications.choices import Rating
from civicgrid.applications.models import Attachment, Case, Draft
from civicgrid.catalog.models import ServiceItem
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction


def error_dict(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}


def flat_errors(exc: ValidationError) -> dict[str, str]:
    return {k: "；".join(v) for k, v in error_dict(exc).items()}


def file_names(attachments: Any) -> dict[str, str]:
    return {str(a.reference): a.original_name for a in attachments}


@login_required
@require_GET
def my_applications(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "applications/my_applications.html",
        {
            "drafts": list(selectors.my_drafts(request.user)[:20]),
            "cases": list(selectors.my_cases(request.user)[:50]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, item_code: str) -> HttpResponse:
    """The item's application start: what is needed, then "开始填写" (or "继续填写")."""
    item = get_object_or_404(ServiceItem.objects.select_related("department"), code=item_code)
    if request.method == "POST":
        try:
            draft = actions.do_start_draft(request.user, item=item)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您不能申请该事项"))
        else:
            return redirect(
                "applications:draft_step", draft_id=draft.pk, step_key=draft.current_step
            )
    existing = selectors.my_drafts(request.user).filter(item=item).first()
    return render(
        request,
        "applications/apply.html",
        {
            "item": item,
            "materials": list(item.materials.all()),
            "existing": existing,
            "has_form": item.form_definitions.exists(),
        },
    )


def _editable_draft(request: HttpRequest, draft_id: int) -> Draft:
    draft = access_draft_for_user(request.user, draft_id, request=request)
    if draft.owner_id != request.user.pk:
        raise Http404
    return draft


@login_required
@require_http_methods(["GET", "POST"])
def draft_step(request: HttpRequest, draft_id: int, step_key: str) -> HttpResponse:
    from civicgrid.applications.formspec import step_action

    draft = _editable_draft(request, draft_id)
    if draft.submitted_at is not None:
        case = Case.objects.filter(draft=draft).first()
        return (
            redirect("applications:case_track", number=case.number)
            if case
            else redirect("applications:my_applications")
        )
    spec = draft.form_definition.spec
    try:
        step = spec.step(step_key)
    except KeyError:
        raise Http404 from None
    data: Any = None
    errors: dict[str, str] = {}
    if request.method == "POST":
        changed = step_action(spec, step_key, request.POST)
        if changed is not None:
            data = changed
        else:
            files = {key: request.FILES.getlist(key) for key in request.FILES}
            try:
                draft, next_key = actions.do_save_draft_step(
                    request.user, draft=draft, step_key=step_key, data=request.POST, files=files
                )
            except ValidationError as exc:
                errors, data = flat_errors(exc), request.POST
            else:
                if "save_exit" in request.POST:
                    messages.success(request, _("已保存，可随时在“我的办件”中继续填写。"))
                    return redirect("applications:my_applications")
                if next_key is None:
                    return redirect("applications:draft_check", draft_id=draft.pk)
                return redirect("applications:draft_step", draft_id=draft.pk, step_key=next_key)
    previous = spec.previous_step(step_key, draft.answers)
    return render(
        request,
        "applications/draft_step.html",
        {
            "draft": draft,
            "item": draft.item,
            "spec": spec,
            "step": step,
            "answers": draft.answers,
            "data": data,
            "errors": errors,
            "names": file_names(draft.attachments.all()),
            "previous": previous,
        },
        status=422 if errors else 200,
    )


def _check_page(
    request: HttpRequest, draft: Draft, errors: dict[str, str] | None = None
) -> HttpResponse:
    from civicgrid.applications.formspec import validate_complete

    spec = draft.form_definition.spec
    missing = errors if errors is not None else validate_complete(spec, draft.answers)
    return render(
        request,
        "applications/draft_check.html",
        {
            "draft": draft,
            "item": draft.item,
            "spec": spec,
            "answers": draft.answers,
            "errors": missing,
            "names": file_names(draft.attachments.all()),
            "change_url": reverse("applications:draft_step", args=[draft.pk, "__step__"]),
            "certificate_materials": [m for m in draft.item.materials.all() if m.certificate_type],
        },
        status=422 if errors else 200,
    )


@login_required
@require_GET
def draft_check(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _editable_draft(request, draft_id)
    if draft.submitted_at is not None:
        return redirect("applications:draft_step", draft_id=draft.pk, step_key="-")
    return _check_page(request, draft)


@login_required
@require_POST
def draft_submit(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = _editable_draft(request, draft_id)
    try:
        case = actions.do_submit_draft(request.user, draft=draft)
    except ValidationError as exc:
        return _check_page(request, draft, errors=flat_errors(exc))
    messages.success(request, _("申请已提交，申请编号 %(n)s。") % {"n": case.number})
    return redirect("applications:case_track", number=case.number)


@login_required
@require_GET
def track_search(request: HttpRequest) -> HttpResponse:
    number = "".join(request.GET.get("number", "").split())
    if number:
        found = Case.objects.visible_to(request.user).filter(number=number).first()
        if found is not None:
            return redirect("applications:case_track", number=found.number)
        messages.error(
            request, _("未找到申请编号为 %(n)s 的办件，请核对编号。") % {"n": number[:30]}
        )
    return render(request, "applications/track_search.html", {"number": number})


def _track_page(
    request: HttpRequest, case: Case, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    applicant = actions.is_applicant(request.user, case)
    delivery = getattr(case, "delivery", None) if hasattr(case, "delivery") else None
    return render(
        request,
        "applications/case_track.html",
        {
            "case": case,
            "applicant": applicant,
            "events": case.events.all(),
            "remaining": clock.remaining(case.due_date, paused=case.is_paused)
            if case.is_open
            else None,
            "open_request": case.open_request,
            "materials": case.materials.all(),
            "attachments": case.attachments.all(),
            "delivery": delivery,
            "evaluation": getattr(case, "evaluation", None)
            if hasattr(case, "evaluation")
            else None,
            "may_rate": applicant and selectors.applicant_may_rate(case),
            "ratings": Rating.choices,
            "errors": errors or {},
        },
        status=422 if errors else 200,
    )


@login_required
@require_GET
def case_track(request: HttpRequest, number: str) -> HttpResponse:
    case = access_case_for_user(request.user, number, request=request)
    return _track_page(request, case)


def run_case_action(
    request: HttpRequest, case: Case, run: Any, done: str, *, page: Any, to: str
) -> HttpResponse:
    """Run one action on `case`: on success a message and a redirect to the case (URL name
    `to`); a rule violation shows `page` again with the errors; a wrong role a message."""
    try:
        run(case)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return page(request, Case.objects.get(pk=case.pk), errors=error_dict(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(to, number=case.number)
    messages.success(request, done)
    return redirect(to, number=case.number)


def _applicant_action(request: HttpRequest, number: str, run: Any, done: str) -> HttpResponse:
    case = access_case_for_user(request.user, number, request=request)
    return run_case_action(request, case, run, done, page=_track_page, to="applications:case_track")


@login_required
@require_POST
def case_supply(request: HttpRequest, number: str) -> HttpResponse:
    return _applicant_action(
        request,
        number,
        lambda case: actions.do_supply_material(
            request.user,
            case=case,
            files=request.FILES.getlist("files"),
            note=request.POST.get("note", ""),
        ),
        _("补正材料已提交，恢复计时。"),
    )


@login_required
@require_POST
def case_rate(request: HttpRequest, number: str) -> HttpResponse:
    return _applicant_action(
        request,
        number,
        lambda case: actions.do_rate_case(
            request.user,
            case=case,
            rating=request.POST.get("rating", ""),
            comment=request.POST.get("comment", ""),
        ),
        _("感谢您的评价。"),
    )


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
}


@login_required
@require_GET
def attachment(request: HttpRequest, reference: Any) -> HttpResponse:
    """An attachment, to whoever may see its case or draft; downloads by others than the one
    who uploaded it are written to the audit trail."""
    found: Attachment = access_attachment_for_user(request.user, reference, request=request)
    if found.uploaded_by_id != request.user.pk:
        record_audit(
            actor=request.user,
            action=AuditAction.VIEW,
            target=found,
            division_code=found.case.division_code if found.case_id else "",
            request=request,
            details={"case": found.case.number if found.case_id else ""},
        )
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=found.kind not in ("pdf", "png", "jpeg"),
        filename=found.original_name,
        content_type=CONTENT_TYPES.get(found.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
