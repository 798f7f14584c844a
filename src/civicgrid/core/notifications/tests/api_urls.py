"""The project's URLs plus a test API carrying the notifications router.

`civicgrid.api` mounts the router at /api/v1/notifications; until it does, the API tests reach
the router here. `api_path()` prefers the real mount whenever it exists.
"""

from django.urls import NoReverseMatch, path, reverse
from ninja import NinjaAPI

from civicgrid.api import UnicodeJSONRenderer
from civicgrid.core.notifications.api import router
from civicgrid.urls import urlpatterns as project_urlpatterns

test_api = NinjaAPI(renderer=UnicodeJSONRenderer(), urls_namespace="notifications_test_api")
test_api.add_router("/notifications", router)

urlpatterns = [*project_urlpatterns, path("api/notifications-test/", test_api.urls)]


def api_path(suffix: str = "") -> str:
    """`/api/v1/notifications<suffix>` once mounted there, else the test API's path."""
    for namespace in ("api", "notifications_test_api"):
        try:
            return reverse(f"{namespace}:notifications_list") + suffix
        except NoReverseMatch:
            continue
    raise AssertionError("the notifications router is mounted nowhere")
