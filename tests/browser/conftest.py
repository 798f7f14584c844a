"""Headless Chromium (Debian's, not a Playwright download) against pytest-django's live server.

Every test here uses `live_server`, so it runs as a TransactionTestCase: the database is
emptied after each test. The division slice is put back before each test and again after its
teardown, so neither these tests nor the ones that run after them on the same xdist worker
find the divisions gone.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings

from civicgrid.conftest import test_division_rows
from civicgrid.regions.actions import do_import_divisions
from civicgrid.regions.models import Division

CHROMIUM = Path(os.environ.get("CIVICGRID_CHROMIUM", "/usr/bin/chromium"))
# Flags for running as root in a container, and for a quiet browser that fetches nothing
# on its own (no component updates, sync, QUIC probes or first-run pages).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

_DB_BLOCKER = pytest.StashKey[object]()
NO_CHROMIUM = (
    f"Chromium not found at {CHROMIUM}: browser tests need Debian's chromium "
    "(apt-get install chromium), or CIVICGRID_CHROMIUM pointing at one"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Skip before any fixture runs: no test database or live server for tests that cannot run.
    if CHROMIUM.exists():
        return
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.skip(reason=NO_CHROMIUM))


# Per module, not per session: Playwright's sync API allows one instance per thread, and other
# browser tests (the form engine's, under src/) start their own; a session-long one here made
# them fail whenever xdist gave a worker one of these modules first.
@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
    # Playwright's sync API keeps an asyncio loop registered as running on this thread, so
    # Django would refuse ORM calls from the test (SynchronousOnlyOperation) while the browser
    # is up. The ORM here is used synchronously by the test alone; lift the guard meanwhile.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_api.sync_playwright().start()
    try:
        # launch() gives every run a fresh temporary profile (its own --user-data-dir).
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_with_camera(browser: Any) -> Iterator[Callable[[Path], Any]]:
    """`browser_with_camera(video)`: a second Chromium whose camera plays `video` (a .y4m
    file, looped) and which grants pages the camera without asking."""
    launched: list[Any] = []

    def launch(video: Path) -> Any:
        flags = [
            *CHROMIUM_FLAGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ]
        launched.append(
            browser.browser_type.launch(executable_path=str(CHROMIUM), args=flags, headless=True)
        )
        return launched[-1]

    yield launch
    for camera_browser in launched:
        camera_browser.close()


@pytest.fixture(scope="session", autouse=True)
def _remember_db_blocker(request: pytest.FixtureRequest, django_db_blocker: object) -> None:
    request.config.stash[_DB_BLOCKER] = django_db_blocker


# The session's divisions as first seen on this worker, to put back quickly after a flush.
_DIVISIONS: list[Division] = []


def restore_divisions() -> None:
    """Make the test slice of divisions present again if a transactional flush removed it.

    A flush empties every table, so "any division at all" means "the slice is there".
    """
    if Division.objects.exists():
        if not _DIVISIONS:
            _DIVISIONS.extend(Division.objects.order_by("level", "code"))
    elif _DIVISIONS:
        Division.objects.bulk_create(_DIVISIONS, batch_size=500)  # parents first, by level
    else:
        do_import_divisions(test_division_rows())


@pytest.fixture(autouse=True)
def divisions(transactional_db: None) -> None:
    """The test slice of divisions, even if an earlier transactional test emptied the tables."""
    restore_divisions()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    result = yield
    # Runs after every fixture's teardown, so after the transactional flush: put back what the
    # session set-up loaded, for whichever test this worker runs next. After the last test the
    # test database is already gone, and nothing needs it.
    blocker = item.config.stash.get(_DB_BLOCKER, None)
    if nextitem is not None and blocker is not None and "live_server" in item.fixturenames:  # type: ignore[attr-defined]
        with blocker.unblock():  # type: ignore[attr-defined]
            restore_divisions()
    return result


@pytest.fixture(scope="session")
def english_catalogue() -> None:
    """The compiled English catalogue (`make test` compiles it; this covers a bare `pytest`).

    Written to a temporary name and renamed, so a second xdist worker never reads half a file.
    """
    for locale_dir in map(Path, settings.LOCALE_PATHS):
        for po_path in locale_dir.glob("*/LC_MESSAGES/django.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}")
            polib.pofile(str(po_path)).save_as_mofile(str(partial))
            partial.replace(mo_path)


def _new_page(browser, live_server, **options):  # type: ignore[no-untyped-def]
    # A Chinese browser: LocaleMiddleware follows Accept-Language, and zh-hans is the default.
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []

    def on_console(message) -> None:  # type: ignore[no-untyped-def]
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", on_console)
    tab.js_errors = errors  # type: ignore[attr-defined]  # what the page's scripts complained about
    return context, tab


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    """A desktop tab (1280 px) in a fresh context: no cookies from other tests."""
    context, tab = _new_page(browser, live_server, viewport=DESKTOP)
    yield tab
    context.close()


@pytest.fixture
def phone(browser, live_server):  # type: ignore[no-untyped-def]
    """A phone tab (390 px wide, mobile viewport rules and touch, like a real phone browser)."""
    context, tab = _new_page(
        browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield tab
    context.close()


@pytest.fixture
def sign_in(live_server):  # type: ignore[no-untyped-def]
    """`sign_in(tab, user)`: give the tab's browser context a real session for `user`, replacing
    any it had (the sign-in forms have browser tests of their own)."""
    from django.test import Client

    def give_session(tab, user) -> None:  # type: ignore[no-untyped-def]
        tab.context.clear_cookies()
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        tab.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )

    return give_session
