"""Pages to start a register export, watch its progress and download it."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.core.models import ExportFile
from civicgrid.core.permissions import role_required
from civicgrid.population.exports import do_start_person_export, may_export_unmasked
from civicgrid.population.querysets import REGISTER_ROLES


@role_required(*REGISTER_ROLES)
@require_http_methods(["GET", "POST"])
def export_start(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            export = do_start_person_export(
                request.user,
                unmasked=request.POST.get("unmasked") == "on",
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            return redirect("population_exports:detail", export_id=export.pk)
    recent = (
        ExportFile.objects.filter(owner=request.user)
        .select_related("progress")
        .order_by("-created_at")[:10]
    )
    return render(
        request,
        "population/export_start.html",
        {"error": error, "recent": recent, "may_unmask": may_export_unmasked(request.user)},
    )


def _own_export(request: HttpRequest, export_id: int) -> ExportFile:
    export = (
        ExportFile.objects.select_related("progress")
        .filter(pk=export_id, owner=request.user)
        .first()
    )
    if export is None:
        raise Http404
    return export


@role_required(*REGISTER_ROLES)
@require_GET
def export_detail(request: HttpRequest, export_id: int) -> HttpResponse:
    export = _own_export(request, export_id)
    return render(
        request, "population/export_detail.html", {"export": export, "progress": export.progress}
    )


@role_required(*REGISTER_ROLES)
@require_GET
def export_download(request: HttpRequest, export_id: int) -> HttpResponse:
    export = _own_export(request, export_id)
    if not export.progress.finished or export.progress.failed:
        raise Http404
    response = HttpResponse(
        bytes(export.content),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(export.filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
