"""How the register's API names the field an action's refusal is about."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError


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
