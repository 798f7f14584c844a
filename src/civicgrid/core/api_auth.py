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
