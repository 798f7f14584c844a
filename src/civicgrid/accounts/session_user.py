"""The user a request's session was read with, handed to the authentication backend.

core.session_store reads a session and its signed-in user in one statement. Django's
`auth.get_user` then asks the backend for the user by id, without the request; while it does,
this request's session is offered here and AccountBackend takes the user from it when the id
matches (and still checks it as Django does). Outside that call nothing is offered, so no user
read for one request can be taken by another.
"""

from contextvars import ContextVar
from typing import Any

from django.contrib import auth
from django.contrib.auth import middleware
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

_offered: ContextVar[Any] = ContextVar("offered_session", default=None)


def loaded_user(pk: Any) -> Any:
    """The user the offered session was read with, if that is the user `pk`; else None."""
    user = getattr(_offered.get(), "loaded_user", None)
    return user if user is not None and user.pk == pk else None


def get_user(request: HttpRequest) -> Any:
    """`request.user`, as Django's middleware finds it, with the session offered."""
    if not hasattr(request, "_cached_user"):
        token = _offered.set(request.session)
        try:
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
        finally:
            _offered.reset(token)
    return request._cached_user  # type: ignore[attr-defined]


class AuthenticationMiddleware(middleware.AuthenticationMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: get_user(request))  # type: ignore[assignment]
