"""Pages of bulk staff onboarding: upload, live progress and result, the per-row report."""

import uuid
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.accounts.choices import Role
from civicgrid.accounts.forms_onboarding import OnboardingForm
from civicgrid.accounts.models import OnboardingBatch, User
from civicgrid.accounts.onboarding import (
    COLUMNS,
    REPORT_HEADERS,
    RowResult,
    RowStatus,
    do_start_onboarding_batch,
    report_rows,
)
from civicgrid.core.models import TaskProgress
from civicgrid.core.permissions import role_required
from civicgrid.core.spreadsheets import XLSX_CONTENT_TYPE, SpreadsheetError, write_report

# Errors listed on the result page; the downloadable report has every row.
ERRORS_SHOWN = 50
RECENT_BATCHES = 5


def access_onboarding_batch_for_user(user: User, key: object) -> OnboardingBatch:
    """The batch `user` started; 404 alike for a missing batch and someone else's."""
    batch = OnboardingBatch.objects.filter(key=key, created_by=user).first() if key else None
    if batch is None:
        raise Http404
    return batch


@never_cache
@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def onboarding(request: HttpRequest) -> HttpResponse:
    if request.GET.get("batch"):
        return _batch_status(request, request.GET["batch"])
    if request.GET.get("template") == "xlsx":
        return _xlsx_response(write_report([], [c.label for c in COLUMNS]), _("工作人员导入模板"))
    form = OnboardingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = do_start_onboarding_batch(
                request.user,
                file_name=upload.name,
                data=upload.read(),
                mode=form.cleaned_data["mode"],
                dry_run=request.POST.get("action") == "check",
            )
        except SpreadsheetError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect(f"{reverse('accounts:onboarding')}?batch={batch.key}")
    recent = OnboardingBatch.objects.filter(created_by=request.user)[:RECENT_BATCHES]
    return render(request, "accounts/onboarding.html", {"form": form, "recent": recent})


def _batch_status(request: HttpRequest, key: str) -> HttpResponse:
    """The batch's bar and, once finished, its result: a whole page, or the htmx partial."""
    try:
        batch = access_onboarding_batch_for_user(request.user, _uuid(key))
    except ValueError:
        raise Http404 from None
    context = {
        "batch": batch,
        "progress": TaskProgress.objects.filter(key=batch.key).first(),
        "errors": _shown_errors(batch),
        "status_url": f"{reverse('accounts:onboarding')}?batch={batch.key}",
    }
    template = (
        "accounts/_onboarding_status.html" if request.htmx else "accounts/onboarding_batch.html"
    )
    return render(request, template, context)


def _uuid(text: str) -> str:
    return str(uuid.UUID(text))


def _shown_errors(batch: OnboardingBatch) -> list[RowResult]:
    if not batch.is_finished:
        return []
    rows = (RowResult.from_list(values) for values in batch.report)
    return [row for row in rows if row.status == RowStatus.ERROR][:ERRORS_SHOWN]


@role_required(Role.ADMINISTRATOR)
@require_GET
def onboarding_report(request: HttpRequest, key: object) -> HttpResponse:
    batch = access_onboarding_batch_for_user(request.user, key)
    if not batch.is_finished or not batch.report:
        raise Http404
    rows = report_rows(map(RowResult.from_list, batch.report), written=batch.written)
    name = batch.file_name.rsplit(".", 1)[0]
    return _xlsx_response(
        write_report(rows, REPORT_HEADERS, title=_("逐行结果")),
        _("%(name)s-导入结果") % {"name": name},
    )


def _xlsx_response(data: bytes, stem: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"report.xlsx\"; filename*=UTF-8''{quote(stem + '.xlsx')}"
    )
    return response
