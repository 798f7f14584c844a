"""Kernel pages: the home page, the health endpoint and the background-task demonstration."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.core.actions import do_start_demo_task
from civicgrid.core.health import check_health
from civicgrid.core.models import TaskProgress
from civicgrid.core.permissions import jurisdiction_required
from civicgrid.core.types import AccountRequest


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = check_health()
    age = report.worker_heartbeat_age_seconds
    return JsonResponse(
        {
            "status": "ok" if report.ok else "unavailable",
            "database": {"ok": report.database_ok, "vendor": report.database_vendor},
            "worker": {
                "ok": report.worker_ok,
                "heartbeat_age_seconds": None if age is None else round(age, 1),
            },
        },
        status=200 if report.ok else 503,
    )


@jurisdiction_required
@require_http_methods(["GET", "POST"])
def task_demo(request: AccountRequest) -> HttpResponse:
    progress = do_start_demo_task(request.user) if request.method == "POST" else None
    if progress is not None and request.htmx:
        return render(request, "core/_progress.html", {"progress": progress})
    recent = TaskProgress.objects.filter(owner=request.user).order_by("-created_at")[:5]
    return render(request, "core/task_demo.html", {"progress": progress, "recent": recent})


@never_cache
@jurisdiction_required
@require_GET
def task_progress(request: AccountRequest, key: str) -> HttpResponse:
    # Same 404 for "no such task" and "someone else's task".
    progress = TaskProgress.objects.filter(key=key, owner=request.user).first()
    if progress is None:
        raise Http404
    return render(request, "core/_progress.html", {"progress": progress})
