"""The server under test, started as `make run` starts it: `civicgrid serve` (granian WSGI
workers and a task worker) on a free loopback port, stopped with SIGTERM afterwards."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

REPO_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


class HarnessError(RuntimeError):
    """The benchmark could not run: the server did not set up, start or become healthy."""


def civicgrid_command() -> str:
    """The console script beside the running interpreter (.venv/bin/civicgrid)."""
    beside = Path(sys.executable).parent / "civicgrid"
    if beside.exists():
        return str(beside)
    raise HarnessError(f"{beside} not found: run the benchmarks with `make bench`")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, *, timeout: float = 5) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Server:
    """A context manager: set up the database, serve, wait for /healthz, stop on exit.

    `database_url` None means the default SQLite database under var/; `env` adds variables
    (e.g. CIVICGRID_DATA_DIR). Server output goes to `log_path`, whose tail is shown when
    something goes wrong.
    """

    def __init__(
        self, *, database_url: str | None, log_path: Path, start_timeout: float = 120,
        env: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.env.pop("DATABASE_URL", None)
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.log_path = log_path
        self.start_timeout = start_timeout
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.health: dict[str, object] = {}

    @property
    def pid(self) -> int:
        """`civicgrid serve`, also the process group of granian and the task worker."""
        if self.process is None:
            raise HarnessError("the server is not running")
        return self.process.pid

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> "Server":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            # Migrate and load the demo region (a no-op when already done).
            setup = subprocess.run(
                [civicgrid_command(), "setup"],
                cwd=REPO_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, check=False,
            )  # fmt: skip
        if setup.returncode != 0:
            raise HarnessError(f"`civicgrid setup` failed:\n{_tail(self.log_path)}")
        log = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(
                [civicgrid_command(), "serve", "--host", HOST, "--port", str(self.port)],
                cwd=REPO_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so a stuck child can be killed
            )  # fmt: skip
        finally:
            log.close()
        try:
            self._wait_healthy(self.process)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_healthy(self, process: "subprocess.Popen[bytes]") -> None:
        deadline = time.monotonic() + self.start_timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise HarnessError(
                    f"the server exited with {process.returncode} before it was healthy:\n"
                    f"{_tail(self.log_path)}"
                )
            try:
                status, body = get(self.port, "/healthz", timeout=2)
            except OSError as exc:
                last = str(exc)
            else:
                last = f"HTTP {status} {body[:200]!r}"
                if status == 200:
                    self.health = json.loads(body)
                    return
            time.sleep(0.25)
        raise HarnessError(
            f"/healthz not 200 after {self.start_timeout:.0f} s ({last}):\n{_tail(self.log_path)}"
        )

    def stop(self) -> None:
        """SIGTERM to `civicgrid serve`, which stops granian and the worker; kill if stuck."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            print("warning: the server ignored SIGTERM and was killed", file=sys.stderr)
        # Nothing of its process group may outlive it (a granian worker, the task worker).
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        else:
            print("warning: killed processes the server left behind", file=sys.stderr)
