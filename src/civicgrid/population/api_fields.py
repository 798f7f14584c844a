"""What the register's API routers share: who may read the register, and how an action's
refusal names its field."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from civicgrid.core.api_errors import ApiError
from civicgrid.population.querysets import may_use_register


def register_reader(request: HttpRequest) -> Any:
    """The request's principal, when their role may use the register; else 403."""
    if not may_use_register(request.auth):  # type: ignore[attr-defined]
        raise ApiError(403, "forbidden", "您的角色无权使用人口台账")
    return request.auth  # type: ignore[attr-defined]


@contextmanager
def fields_named(default: str | None = None, **by_code: str) -> Iterator[None]:
    """Name the field of a ValidationError an action raised, by its code (or `default`)."""
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        field = by_code.get(exc.code or "", default)
        raise ValidationError({field: exc.error_list} if field else exc.error_list) from exc
