"""The entry points of import worker processes.

Spawned workers start as fresh interpreters: this module imports nothing of Django's models
until `init` has set Django up, so it can be unpickled first. A failure while setting up is kept
and raised by the first task, so the parent sees it instead of a pool that keeps restarting
workers that die.
"""

from __future__ import annotations

import os
from typing import Any

_setup_error: BaseException | None = None


def init(setup: dict[str, Any]) -> None:
    """Pool initializer: Django without a database connection, the parent's keys, language
    and time zone, and the row plan."""
    global _setup_error
    try:
        os.environ["DJANGO_SETTINGS_MODULE"] = setup["settings_module"]
        import django

        django.setup()
        from django.conf import settings
        from django.utils import translation

        settings.CIVICGRID_DATA_KEYS = setup["data_keys"]
        settings.CIVICGRID_LOOKUP_KEY = setup["lookup_key"]
        settings.TIME_ZONE = setup["time_zone"]
        translation.activate(setup["language"])
        import pickle

        from civicgrid.population.importing.rows import set_plan

        set_plan(pickle.loads(setup["plan"]))  # noqa: S301 - from the parent process
    except BaseException as exc:  # reported by the first task
        _setup_error = exc


def _check() -> None:
    if _setup_error is not None:
        raise RuntimeError(f"import worker could not start: {_setup_error!r}") from _setup_error


def validate(chunk: list[Any]) -> Any:
    _check()
    from civicgrid.population.importing.rows import validate_chunk

    return validate_chunk(chunk)


def validate_block(block: tuple[int, bytes]) -> Any:
    _check()
    from civicgrid.population.importing.rows import validate_block as validate

    return validate(block)
