"""Pages of the service catalogue: public and phone-first for browsing; the import page for
administrators and department staff (desktop)."""

from __future__ import annotations

import contextlib
import uuid
from urllib.parse import quote, urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.catalog import search, selectors
from civicgrid.catalog.choices import Audience, ItemLevel
from civicgrid.catalog.forms import ImportForm, SearchForm
from civicgrid.catalog.import_runs import (
    access_catalog_import_for,
    do_check_catalog_upload,
    do_start_catalog_import,
)
from civicgrid.catalog.importing import COLUMNS, may_import
from civicgrid.catalog.models import CatalogImport, LifeEvent, ServiceMaterial
from civicgrid.core.models import TaskProgress
from civicgrid.core.spreadsheets import XLSX_CONTENT_TYPE, SpreadsheetError, write_report

PAGE_SIZE = 20
RECENT_IMPORTS = 5


def _rate_chart(rates: list[selectors.OnlineRate]) -> dict[str, list]:  # type: ignore[type-arg]
    return {
        "names": [r.label for r in rates],
        "percents": [float(r.percent) if r.percent is not None else 0 for r in rates],
        "target": float(selectors.ONLINE_RATE_TARGET),
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Search box, browse by life event / department / level, results, and the online rate."""
    form = SearchForm(request.GET)
    filters = form.filters()
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    page = (form.cleaned_data.get("page") if form.is_valid() else None) or 1
    browsing = bool(query or any(v is not None for v in filters.values()))
    results = search.search(query, **filters) if browsing else []
    window = results[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    params = {k: v for k, v in {"q": query, **filters}.items() if v not in (None, "")}
    events = selectors.life_events_with_counts()
    by_level = selectors.online_rates_by_level()
    context = {
        "form": form,
        "query": query,
        "filters": filters,
        "browsing": browsing,
        "results": window,
        "count": len(results),
        "page": page,
        "previous_url": f"?{urlencode({**params, 'page': page - 1})}" if page > 1 else "",
        "next_url": f"?{urlencode({**params, 'page': page + 1})}"
        if page * PAGE_SIZE < len(results)
        else "",
        "person_events": [e for e in events if e.audience == Audience.PERSON],
        "enterprise_events": [e for e in events if e.audience == Audience.ENTERPRISE],
        "departments": selectors.departments_with_counts(),
        "levels": ItemLevel.choices,
        "active_event": LifeEvent.objects.filter(code=filters["life_event"]).first()
        if filters["life_event"]
        else None,
        "rate_total": selectors.online_rate(),
        "rates": by_level,
        "chart": _rate_chart(by_level),
        "target": selectors.ONLINE_RATE_TARGET,
        "may_import": request.user.is_authenticated and may_import(request.user),
    }
    return render(request, "catalog/home.html", context)


@require_GET
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.item_detail(code)
    if item is None:
        raise Http404(_("没有该服务事项"))
    materials = list(item.materials.all())
    context = {
        "item": item,
        "materials": [(m, selectors.template_url(m)) for m in materials],
        "apply_url": selectors.optional_url("applications:apply", item.code)
        if item.online
        else None,
        "book_url": selectors.optional_url("appointments:book", item.code)
        if item.by_appointment
        else None,
    }
    return render(request, "catalog/item_detail.html", context)


@require_GET
def material_template(request: HttpRequest, code: str, material_id: int) -> FileResponse:
    material = (
        ServiceMaterial.objects.filter(
            pk=material_id, item__code=code, item__in=selectors.published_items()
        )
        .exclude(template="")
        .first()
    )
    if material is None:
        raise Http404(_("没有该模板"))
    name = material.template.name.rsplit("/", 1)[-1]
    response = FileResponse(material.template.open("rb"), as_attachment=True)
    response["Content-Disposition"] = (
        f"attachment; filename=\"template\"; filename*=UTF-8''{quote(name)}"
    )
    return response


@require_GET
def online_rate(request: HttpRequest) -> HttpResponse:
    """The rate per level and per department, optionally inside a division (`?within=1311`)."""
    try:
        within = selectors.normalised_within(request.GET.get("within"))
    except ValueError:
        within = None
    by_level = selectors.online_rates_by_level(within=within)
    context = {
        "total": selectors.online_rate(within=within),
        "by_level": by_level,
        "by_department": selectors.online_rates_by_department(within=within),
        "chart": _rate_chart(by_level),
        "target": selectors.ONLINE_RATE_TARGET,
        "within": within,
    }
    return render(request, "catalog/online_rate.html", context)


def _may_import_or_deny(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not may_import(request.user):
        raise PermissionDenied
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def import_items(request: HttpRequest) -> HttpResponse:
    """Upload a catalogue sheet: it is checked at once (a dry run, nothing written), then the
    person confirms the import on the import's own page, where it runs as a task."""
    if (denied := _may_import_or_deny(request)) is not None:
        return denied
    if request.GET.get("template") == "xlsx":
        data = write_report([], [str(c.label) for c in COLUMNS], title=_("服务事项表"))
        return _xlsx(data, "catalog.xlsx", _("服务事项导入模板"))
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = do_check_catalog_upload(
                request.user, data=upload.read(), filename=upload.name, request=request
            )
        except SpreadsheetError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("catalog:import_batch", key=batch.key)
    recent = CatalogImport.objects.filter(created_by=request.user)[:RECENT_IMPORTS]
    return render(request, "catalog/import.html", {"form": form, "recent": recent})


@never_cache
@require_GET
def import_batch(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """One import: the check's result and the confirm button, the live bar while the task
    runs, then the result; the htmx poll gets the status part only."""
    if (denied := _may_import_or_deny(request)) is not None:
        return denied
    batch = access_catalog_import_for(request.user, key)
    context = {
        "batch": batch,
        "progress": TaskProgress.objects.filter(key=batch.progress_key).first()
        if batch.progress_key
        else None,
        "problems": [{"row": r, "column": c, "message": m} for r, c, m in batch.problems],
    }
    template = "catalog/_import_status.html" if request.htmx else "catalog/import_batch.html"
    return render(request, template, context)


@require_POST
def import_run(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """The person confirms a checked import: it is queued as a task."""
    if (denied := _may_import_or_deny(request)) is not None:
        return denied
    batch = access_catalog_import_for(request.user, key)
    # Already queued or not checked: the import's page says where it stands.
    with contextlib.suppress(ValidationError):
        do_start_catalog_import(request.user, batch)
    return redirect("catalog:import_batch", key=batch.key)


@require_GET
def import_report(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """Every problem of an import as .xlsx: row, code, name, column and reason."""
    if (denied := _may_import_or_deny(request)) is not None:
        return denied
    batch = access_catalog_import_for(request.user, key)
    if not batch.error_report:
        raise Http404
    stem = _("%(name)s-问题清单") % {"name": batch.file_name.rsplit(".", 1)[0]}
    return _xlsx(bytes(batch.error_report), "report.xlsx", stem)


def _xlsx(data: bytes, ascii_name: str, stem: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(stem + '.xlsx')}"
    )
    return response
