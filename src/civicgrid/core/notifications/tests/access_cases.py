"""Access cases of the inbox pages and API: everyone signed in has an inbox; a notification is
its recipient's alone, so everybody else (superusers included) gets 404 for it."""

from django.urls import NoReverseMatch, reverse

from civicgrid.core.testing import UNAUTHORIZED, AccessCase, Personas

PUBLIC: dict[str, str] = {}

EVERYONE = ("resident_a", "county_a_officer", "volunteer_a", "admin")
OTHERS = ("resident_b", "county_a_officer", "province_officer", "admin")


def residents_notification(p: Personas) -> tuple[int]:
    from civicgrid.core.notifications.actions import notify

    (notification,) = notify(p.resident_a, "system_announcement", {"title": "通知", "body": "内容"})
    return (notification.pk,)


CASES = [
    AccessCase("notifications:inbox", allowed=EVERYONE),
    AccessCase("notifications:preferences", allowed=EVERYONE),
    AccessCase("notifications:badge", allowed=EVERYONE, anonymous=UNAUTHORIZED),
    AccessCase("notifications:mark_all_read", allowed=EVERYONE, method="post", ok_status=(302,)),
    AccessCase(
        "notifications:mark_read",
        args=residents_notification,
        method="post",
        allowed=("resident_a",),
        denied=OTHERS,
        ok_status=(302,),
    ),
    AccessCase(
        "notifications:open",
        args=residents_notification,
        method="post",
        allowed=("resident_a",),
        denied=OTHERS,
        ok_status=(302,),
    ),
]


def _api_is_mounted() -> bool:
    try:
        reverse("api:notifications_list")
    except NoReverseMatch:
        return False
    return True


# The API cases join the matrix once civicgrid.api mounts the router (api.add_router).
if _api_is_mounted():
    CASES += [
        AccessCase("api:notifications_list", allowed=EVERYONE, anonymous=UNAUTHORIZED),
        AccessCase("api:notifications_unread_count", allowed=EVERYONE, anonymous=UNAUTHORIZED),
        AccessCase("api:notifications_preferences", allowed=EVERYONE, anonymous=UNAUTHORIZED),
        AccessCase(
            "api:notifications_read_all",
            method="post",
            allowed=EVERYONE,
            anonymous=UNAUTHORIZED,
        ),
        AccessCase(
            "api:notifications_mark_read",
            args=residents_notification,
            method="post",
            allowed=("resident_a",),
            denied=OTHERS,
            anonymous=UNAUTHORIZED,
        ),
    ]
