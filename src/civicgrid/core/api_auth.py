"""Authentication for the API: bearer tokens for systems, the session for pages."""

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer cg_<key id>_<secret>`; the token becomes `request.auth`."""

    def authenticate(self, request: HttpRequest, token: str):  # type: ignore[no-untyped-def]
        from civicgrid.accounts.actions import authenticate_api_token

        return authenticate_api_token(token)


class UserSessionAuth(SessionAuth):
    """The signed-in user (CSRF-checked for unsafe methods); the user becomes `request.auth`."""


# Scoped endpoints declare `auth=SCOPED_AUTH` and read the principal from `request.auth`.
SCOPED_AUTH = [ApiTokenAuth(), UserSessionAuth()]


def person_of_request(request: HttpRequest):  # type: ignore[no-untyped-def]
    """The signed-in user behind a request, for endpoints about one's own affairs (a
    resident's household, their survey answers): a 403 for an API token, which acts for an
    office rather than a person."""
    from civicgrid.accounts.models import User
    from civicgrid.core.api_errors import ApiError

    principal = getattr(request, "auth", None)  # set by django-ninja's authentication
    if not isinstance(principal, User):
        raise ApiError(403, "forbidden", "请以本人账号登录")
    return principal
