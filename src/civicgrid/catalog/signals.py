"""Bump the catalogue version when anything search reads changes (see `catalog.search`).

Signals are the house's way for optional reactions such as a search index; the workflow never
depends on them. An import of thousands of rows bumps once (`one_bump`), not once per row.
"""

import contextvars
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models.signals import m2m_changed, post_delete, post_save

from civicgrid.catalog.models import (
    CatalogVersion,
    LifeEvent,
    ServiceItem,
    ServiceMaterial,
    Synonym,
)

_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "catalog_bump_deferred", default=False
)


def bump_catalog_version() -> None:
    """A new version, inside the caller's transaction (a rollback takes it back too).

    A random number rather than a counter: a counter repeats after a rollback or a restored
    backup, and a process would then keep an index of a catalogue that no longer exists.
    """
    if _deferred.get():
        return
    version = secrets.randbits(62)
    if not CatalogVersion.objects.filter(pk=1).update(version=version):
        CatalogVersion.objects.get_or_create(pk=1, defaults={"version": version})


@contextmanager
def one_bump() -> Iterator[None]:
    """Writes inside bump the version once, at the end (skipped if the block raises)."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)
    bump_catalog_version()


def _changed(sender, **kwargs) -> None:  # type: ignore[no-untyped-def]
    if kwargs.get("raw"):
        return  # loading fixtures
    bump_catalog_version()


def _m2m_changed(sender, action, **kwargs) -> None:  # type: ignore[no-untyped-def]
    if action in ("post_add", "post_remove", "post_clear"):
        bump_catalog_version()


def connect() -> None:
    # Organisations are left out (a save of any of them would cost every app a query); a
    # renamed department shows under its new name in search after the next catalogue change.
    for model in (ServiceItem, ServiceMaterial, LifeEvent, Synonym):
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalog_version_{model.__name__}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"catalog_version_del_{model.__name__}"
        )
    m2m_changed.connect(
        _m2m_changed, sender=ServiceItem.life_events.through, dispatch_uid="catalog_version_m2m"
    )
