"""The staff audit search (superusers for now) and the resident's "谁查看了我的数据"."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from civicgrid.core.audit import selectors
from civicgrid.core.audit.actions import record_audit_now
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.audit.forms import AuditSearchForm

View = Callable[..., HttpResponse]


def superuser_required(view: View) -> View:
    """Superusers only; anonymous visitors go to sign in, everyone else gets 403.

    A refused attempt to read the audit trail is itself recorded. Jurisdiction-scoped access
    for officers comes later, through `visible_to` on the division code of each record.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_superuser:
            record_audit_now(
                actor=user,
                action=AuditAction.ACCESS_DENIED,
                target=("page", request.path),
                request=request,
            )
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@never_cache
@require_GET
@superuser_required
def record_list(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        page = selectors.RecordPage([], None)
    else:
        filters = form.cleaned_data if form.is_bound else {}
        page = selectors.search_records(filters, before=filters.get("before"))
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "audit/record_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@never_cache
@require_GET
@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    try:
        before = int(request.GET["before"])
    except (KeyError, ValueError):
        before = None
    page = selectors.reads_of_my_data(request.user, before=before)
    return render(request, "audit/my_data.html", {"page": page})
