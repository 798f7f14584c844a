"""How the community API answers an action's refusal: a bad gate code 400, a refused input 422
naming each field, a refused role 403."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.community.tokens import TokenError
from civicgrid.core.api_errors import ApiError


def invalid(exc: ValidationError) -> ApiError:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    fields = [{"field": k, "message": m} for k, ms in errors.items() for m in ms]
    code = getattr(exc, "code", None) or "invalid_input"
    return ApiError(422, code, "；".join(f["message"] for f in fields), fields=fields)


def call(func: Any, *args: Any, **kwargs: Any) -> Any:
    """`func(*args, **kwargs)`, its refusals turned into the API's answers."""
    try:
        return func(*args, **kwargs)
    except TokenError as exc:
        raise ApiError(400, f"token_{exc.code}", exc.message) from None
    except ValidationError as exc:
        raise invalid(exc) from None
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", str(exc) or "您没有办理此事项的权限") from None
