"""View decorators for who may open a page, before jurisdiction scoping narrows what they see."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def jurisdiction_required(view: View) -> View:
    """Staff who hold a jurisdiction (or superusers); anonymous visitors go to sign in.

    Residents are refused with 403: they have pages of their own.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_superuser or user.jurisdiction_codes()):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: str) -> Callable[[View], View]:
    """Users holding one of `roles` (or superusers); others 403, anonymous to sign in."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
