"""Pages of the register import: upload → column mapping → check (every problem by row and
column) → import with a live progress bar → result, and the xlsx of problems."""

import contextlib
import re
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.core.masking import mask_id_number, mask_mobile
from civicgrid.core.models import TaskProgress
from civicgrid.core.permissions import role_required
from civicgrid.core.spreadsheets import XLSX_CONTENT_TYPE, SpreadsheetError, write_report
from civicgrid.population.import_forms import ImportMappingForm, ImportRunForm, ImportUploadForm
from civicgrid.population.importing.batches import (
    do_check_import,
    do_start_import,
    do_upload_import,
)
from civicgrid.population.importing.columns import COLUMNS, column_label
from civicgrid.population.importing.places import IMPORT_ROLES
from civicgrid.population.importing.sources import open_source
from civicgrid.population.models import ImportBatch

RECENT_BATCHES = 5
SAMPLE_ROWS = 5
# The page lists the first problems; the xlsx has them all.
PAGE_PROBLEMS = 100
_DIGITS = re.compile(r"[0-9０-９]")
# Twelve digits in the column proposed as 社区/村代码: a division code, not a number to hide.
_DIVISION_CODE = re.compile(r"^[0-9]{12}$")


def access_import_batch_for_user(user: object, key: object) -> ImportBatch:
    """The batch `user` uploaded; 404 alike for a missing batch and someone else's."""
    batch = ImportBatch.objects.filter(key=key, created_by=user).first() if key else None
    if batch is None:
        raise Http404
    return batch


@never_cache
@role_required(*IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    if request.GET.get("template") == "xlsx":
        return _xlsx(
            write_report([], [c.label for c in COLUMNS], title=_("人口登记表")), _("人口登记表模板")
        )
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = do_upload_import(
                request.user,
                file_name=upload.name,
                data=upload.read(),
                place_code=form.cleaned_data["place_code"],
            )
        except SpreadsheetError as exc:
            form.add_error("file", str(exc))
        except ValidationError as exc:
            form.add_error("place_code", exc)
        else:
            return redirect("population:import_mapping", key=batch.key)
    recent = ImportBatch.objects.filter(created_by=request.user)[:RECENT_BATCHES]
    return render(
        request,
        "population/import_upload.html",
        {"form": form, "recent": recent, "columns": COLUMNS},
    )


@never_cache
@role_required(*IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, key: object) -> HttpResponse:
    batch = access_import_batch_for_user(request.user, key)
    if batch.status not in (ImportBatch.Status.MAPPING, ImportBatch.Status.CHECKED):
        return redirect("population:import_batch", key=batch.key)
    form = ImportMappingForm(request.POST or None, batch=batch)
    if request.method == "POST" and form.is_valid():
        try:
            do_check_import(request.user, batch, mapping=form.mapping())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("population:import_batch", key=batch.key)
    columns = [(form[f"col_{i}"], _sample_column(batch, i)) for i in range(len(batch.headers))]
    return render(
        request,
        "population/import_mapping.html",
        {"batch": batch, "form": form, "columns": columns},
    )


def _sample_column(batch: ImportBatch, position: int) -> list[str]:
    """The first values of a column, with anything that looks like an ID or mobile number
    masked: the page shows them before anyone has said which column holds what. Division
    codes in the column proposed as 社区/村代码 are shown: a person checks them here."""
    if not hasattr(batch, "_sample"):
        try:
            source = open_source(file_name=batch.file_name, data=bytes(batch.file_data))
            batch._sample = [row.cells for row in source.sample(SAMPLE_ROWS)]  # type: ignore[attr-defined]
        except SpreadsheetError:
            batch._sample = []  # type: ignore[attr-defined]
    codes = batch.mapping.get(str(position)) == "division_code"
    return [
        _masked_sample(cells[position] if position < len(cells) else "", division_codes=codes)
        for cells in batch._sample  # type: ignore[attr-defined]
    ]


def _masked_sample(value: str, *, division_codes: bool) -> str:
    if division_codes and _DIVISION_CODE.match(value):
        return value
    digits = len(_DIGITS.findall(value))
    return mask_id_number(value) if digits >= 15 else mask_mobile(value) if digits >= 11 else value


@never_cache
@role_required(*IMPORT_ROLES)
@require_GET
def import_batch(request: HttpRequest, key: object) -> HttpResponse:
    """The batch's bar while it runs, then the check or the result: a page, or the htmx part."""
    batch = access_import_batch_for_user(request.user, key)
    context = {
        "batch": batch,
        "progress": TaskProgress.objects.filter(key=batch.progress_key).first()
        if batch.progress_key
        else None,
        "problems": [
            {"row": p[0], "column": column_label(p[1]), "cell": p[2], "message": p[3], "name": p[4]}
            for p in batch.preview[:PAGE_PROBLEMS]
        ],
        "run_form": ImportRunForm(initial={"mode": batch.mode}),
    }
    template = "population/import_status.html" if request.htmx else "population/import_batch.html"
    return render(request, template, context)


@role_required(*IMPORT_ROLES)
@require_POST
def import_run(request: HttpRequest, key: object) -> HttpResponse:
    batch = access_import_batch_for_user(request.user, key)
    form = ImportRunForm(request.POST)
    if form.is_valid():
        # Already started, or not checked: the batch page says where it stands.
        with contextlib.suppress(ValidationError):
            do_start_import(request.user, batch, mode=form.cleaned_data["mode"])
    return redirect("population:import_batch", key=batch.key)


@role_required(*IMPORT_ROLES)
@require_GET
def import_report(request: HttpRequest, key: object) -> HttpResponse:
    batch = access_import_batch_for_user(request.user, key)
    if not batch.error_report:
        raise Http404
    stem = _("%(name)s-问题清单") % {"name": batch.file_name.rsplit(".", 1)[0]}
    return _xlsx(bytes(batch.error_report), stem)


def _xlsx(data: bytes, stem: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"report.xlsx\"; filename*=UTF-8''{quote(stem + '.xlsx')}"
    )
    return response
