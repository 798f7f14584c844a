"""`civicgrid serve` as `make run` starts it: the web server and the task worker, for real.

The server runs on a copy of the test database (SQLite: the schema is all it needs) with the
tests' keys, on a free port, in a session of its own; the test talks HTTP to it and then stops
it with SIGTERM, or with SIGINT to its process group as a terminal's Ctrl-C does. Whatever
stops it, no process of its session may remain (granian runs in a process group of its own).
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

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="serves a copy of the SQLite test database"
    ),
    # pytest-django creates the test database only for a run with tests that ask for it: this
    # file alone must ask too, or the copy is of an empty file.
    pytest.mark.django_db,
]

CLI = Path(sys.executable).parent / "civicgrid"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _session_members(sid: int) -> list[int]:
    """The live processes of session `sid` (Linux's /proc; zombies are gone already)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # After "pid (command)": state, ppid, pgrp, session.
        state, _ppid, _pgrp, session = stat.rsplit(")", 1)[1].split()[:4]
        if int(session) == sid and state != "Z":
            members.append(int(entry.name))
    return members


def _assert_session_gone(sid: int, within: float) -> None:
    deadline = time.monotonic() + within
    while _session_members(sid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _session_members(sid), "a web or task worker outlived civicgrid serve"


def _kill_session(sid: int) -> None:
    for pid in _session_members(sid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


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
        start_new_session=True,  # its own session, to check nothing outlives it
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
        yield port, process, log
    finally:
        # The whole session, even when `serve` itself is gone: nothing it started may linger.
        _kill_session(process.pid)
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
    port, process, _log = server
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
    _assert_session_gone(process.pid, within=10)


def test_ctrl_c_stops_the_web_workers_gracefully(server) -> None:  # type: ignore[no-untyped-def]
    """A terminal's Ctrl-C signals the foreground process group: `serve` passes it on as
    SIGTERM, and granian's workers stop at once instead of being killed after its timeout."""
    _port, process, log = server
    os.killpg(process.pid, signal.SIGINT)
    assert process.wait(timeout=30) == 0
    _assert_session_gone(process.pid, within=10)
    output = log.read_text()
    assert "Granian shutdown completed" in output
    assert "refused to gracefully stop" not in output, output[-2000:]


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
        _assert_session_gone(process.pid, within=20)
    finally:
        _kill_session(process.pid)
        process.wait()
