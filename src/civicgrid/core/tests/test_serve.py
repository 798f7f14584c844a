"""`civicgrid serve` as `make run` starts it: the web server and the task worker, for real.

The server runs on a copy of the test database (SQLite: the schema is all it needs) with the
tests' keys, on a free port; the test talks HTTP to it and then stops it with SIGTERM.
"""

import contextlib
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="serves a copy of the SQLite test database"
)

CLI = Path(sys.executable).parent / "civicgrid"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _assert_group_gone(pgid: int, within: float) -> None:
    deadline = time.monotonic() + within
    while _group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _group_alive(pgid), "a web or task worker outlived civicgrid serve"


@pytest.fixture
def server(tmp_path, django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        source = sqlite3.connect(connection.settings_dict["NAME"])
        copy = sqlite3.connect(tmp_path / "db.sqlite3")
        source.backup(copy)
        source.close()
        copy.close()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "civicgrid.settings",
    }
    log = tmp_path / "serve.log"
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [str(CLI), "serve", "--port", str(port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, to check nothing outlives it
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _, _ = _request(port, "GET", "/healthz")
                if status == 200:  # the web workers answer and the task worker beats
                    break
            except OSError:
                pass
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        yield port, process
    finally:
        # The whole group, even when `serve` itself is gone: nothing it started may linger.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_serves_pages_assets_and_the_api_over_kept_alive_connections_and_stops_on_sigterm(
    server,
) -> None:  # type: ignore[no-untyped-def]
    port, process = server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        # One connection, several requests: keep-alive holds.
        conn.request("GET", "/api/v1/ping")
        ping = conn.getresponse()
        assert ping.status == 200
        assert json.loads(ping.read()) == {"ok": True, "service": "civicgrid"}
        conn.request("GET", "/static/core/favicon.svg")
        asset = conn.getresponse()
        assert asset.status == 200
        assert asset.getheader("Content-Type") == "image/svg+xml"
        assert b"<svg" in asset.read()
        conn.request("GET", "/accounts/login/")
        page = conn.getresponse()
        assert page.status == 200
        assert "csrftoken" in (page.getheader("Set-Cookie") or "")
        assert "登录".encode() in page.read()
    finally:
        conn.close()

    # A write without a session's CSRF token is refused in JSON; the request id comes back.
    status, headers, body = _request(
        port, "POST", "/api/v1/community/scans",
        body=json.dumps({"token": "x", "direction": "out"}).encode(),
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert status == 403, body
    assert "CSRF" in json.loads(body)["message"]
    assert len(headers["x-request-id"]) == 32

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    _assert_group_gone(process.pid, within=10)


def test_a_failure_after_the_servers_started_stops_them_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # An empty database: the web and task workers start, then the banner's look-up of the
    # demo accounts fails. Before, that left granian and the task worker running, orphaned.
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [str(CLI), "serve", "--port", str(_free_port())],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert process.wait(timeout=60) != 0
        _assert_group_gone(process.pid, within=20)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
