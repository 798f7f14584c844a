"""The inbox pages: list, unread badge (polled by htmx), mark read, settings."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from civicgrid.core.notifications.access import access_notification_for_user
from civicgrid.core.notifications.actions import (
    do_mark_all_notifications_read,
    do_mark_notification_read,
    do_update_notification_preferences,
)
from civicgrid.core.notifications.forms import HELP_URGENT, PreferencesForm
from civicgrid.core.notifications.models import Notification
from civicgrid.core.notifications.preferences import channels_by_category, preferences_of
from civicgrid.core.types import Account, AccountRequest, HtmxRequest

PAGE_SIZE = 20


def _badge_context(user: Account) -> dict[str, object]:
    unread = Notification.objects.for_recipient(user).unread().count()
    return {"unread_count": unread, "unread_label": "99+" if unread > 99 else str(unread)}


@never_cache
@login_required
@require_GET
def inbox(request: AccountRequest) -> HttpResponse:
    notifications = Notification.objects.for_recipient(request.user).unread_first()
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "notifications/inbox.html", {"page": page, **_badge_context(request.user)}
    )


@never_cache
@require_GET
def badge(request: HtmxRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        # Signed out in another tab: tell htmx to stop polling rather than redirect the nav.
        return HttpResponseStopPolling() if request.htmx else HttpResponse(status=401)
    return render(request, "notifications/_badge.html", _badge_context(request.user))


@login_required
@require_POST
def mark_read(request: AccountRequest, notification_id: int) -> HttpResponse:
    notification = access_notification_for_user(request.user, notification_id)
    do_mark_notification_read(request.user, notification)
    if request.htmx:
        context = {"notification": notification, "oob": True, **_badge_context(request.user)}
        return render(request, "notifications/_item_marked.html", context)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: AccountRequest) -> HttpResponse:
    do_mark_all_notifications_read(request.user)
    return redirect("notifications:inbox")


@login_required
@require_POST
def open_notification(request: AccountRequest, notification_id: int) -> HttpResponse:
    """Mark read and go to the page the notification is about (a local path, checked on write)."""
    notification = access_notification_for_user(request.user, notification_id)
    do_mark_notification_read(request.user, notification)
    return redirect(notification.url or "notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AccountRequest) -> HttpResponse:
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        channels=channels_by_category(),
        current=preferences_of(request.user),
    )
    quiet_start, quiet_end = settings.SMS_QUIET_HOURS
    if request.method == "POST" and form.is_valid():
        do_update_notification_preferences(request.user, preferences=form.switches())
        messages.success(request, _("通知设置已保存。"))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "help_urgent": HELP_URGENT,
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
        },
    )
