"""Shared test set-up: a real slice of the Hebei division data, loaded once per test database,
and the rows data migrations seed, put back after a transactional test empties the tables."""

from importlib import import_module

import pytest
from django.apps import apps

from civicgrid.regions.actions import do_import_divisions
from civicgrid.regions.division_files import PACKAGED_HEBEI, DivisionRow, read_division_rows

# Hebei, two of its cities, and whole subtrees of the places tests talk about:
# 阜城县 (Hengshui, the source article's county), its sibling 景县, and Qinhuangdao's
# development zone. Everything else stays out to keep set-up fast.
TEST_SUBTREES = ("131128", "131127", "130371")
TEST_SINGLES = ("130000000000", "131100000000", "130300000000")


def test_division_rows() -> list[DivisionRow]:
    return [
        row
        for row in read_division_rows(PACKAGED_HEBEI.read_bytes())
        if row.code in TEST_SINGLES or row.code.startswith(TEST_SUBTREES)
    ]


test_division_rows.__test__ = False  # type: ignore[attr-defined]  # not a test itself


def ensure_test_divisions() -> None:
    """Load the slice unless present: transactional tests empty every table when they end."""
    from civicgrid.regions.models import Division

    if not Division.objects.filter(code="131128000000").exists():
        do_import_divisions(test_division_rows())


def ensure_seeded_rows() -> None:
    """The divisions, and what data migrations seed (e-certificate types): a transactional test
    (race tests, the browser tests' live server) flushes every table when it ends."""
    from civicgrid.certificates.models import CertificateType

    ensure_test_divisions()
    if not CertificateType.objects.exists():
        import_module("civicgrid.certificates.migrations.0002_certificate_types").add_types(
            apps, None
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        ensure_seeded_rows()


@pytest.fixture(autouse=True)
def _fresh_division_responses():  # type: ignore[no-untyped-def]
    # Tests change divisions inside transactions that never commit, so the cache's
    # on-commit clearing never runs; start every test with an empty cache instead.
    from civicgrid.regions import response_cache

    response_cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # Argon2 is deliberately slow; tests that check hashing itself restore it explicitly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _sms_to_memory(settings):  # type: ignore[no-untyped-def]
    # The in-memory backend is a real backend (like Django's locmem mail); tests read `outbox`.
    from civicgrid.core import sms

    settings.SMS_BACKEND = "civicgrid.core.sms.LocmemSmsBackend"
    sms.outbox.clear()


@pytest.fixture
def personas(db):  # type: ignore[no-untyped-def]
    from civicgrid.core.testing import create_personas

    ensure_seeded_rows()
    return create_personas()
