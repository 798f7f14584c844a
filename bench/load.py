"""Load generators: wrk when available, else a small Python one with keep-alive connections.

Both run in processes of their own (never inside the server), send traffic to loopback only,
and stop by themselves after `duration` seconds.
"""

import http.client
import itertools
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

# wrk calls done() once at the end; it prints one JSON line that we parse. Latencies are in
# microseconds; `status` counts responses with a status of 400 or more.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
  if extra_report then io.write('WRK_EXTRA ' .. extra_report() .. '\\n') end
end
"""
# With a mix of paths and extra headers: each wrk thread walks the paths round-robin from its
# own starting point, so the threads do not ask the same thing in step.
WRK_MIX_SCRIPT = """
local paths = {%s}
local headers = {%s}
local counter = 1
setup = function(thread)
  thread:set("start", math.random(#paths))
end
init = function(args)
  counter = start or 1
end
request = function()
  counter = counter %% #paths + 1
  return wrk.format("GET", paths[counter], headers)
end
"""


def _lua_string(text: str) -> str:
    if any(ch in text for ch in '"\\\n') or not text.isascii():
        raise LoadError(f"not a plain ASCII string for the wrk script: {text!r}")
    return f'"{text}"'


def wrk_script(paths: list[str] | None = None, headers: dict[str, str] | None = None) -> str:
    """The Lua script: the report, and a request mix when paths or headers are given
    (percent-encode the paths: plain ASCII only)."""
    if not paths:
        if headers:
            raise LoadError("headers go with a list of paths")
        return WRK_SCRIPT
    listed = ", ".join(_lua_string(path) for path in paths or [])
    fields = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in (headers or {}).items())
    return WRK_MIX_SCRIPT % (listed, fields) + WRK_SCRIPT


class LoadError(RuntimeError):
    """The load generator itself failed (not the server under test)."""


@dataclass(frozen=True)
class LoadResult:
    generator: str
    requests: int
    duration_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    bad_status: int  # responses outside 2xx (wrk: status >= 400)
    socket_errors: int  # connect, read, write errors and timeouts
    # What a custom wrk script's `extra_report()` returned (a JSON object), e.g. its own counts.
    extra: dict[str, object] | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def errors(self) -> int:
        return self.bad_status + self.socket_errors

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "rps": round(self.rps, 1), "errors": self.errors}


def _check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise LoadError(f"refusing to send load to {host!r}: loopback only")


# --- wrk ---------------------------------------------------------------------------------


def find_wrk(*, install: bool) -> str | None:
    """The wrk binary; as root on Debian, install the `wrk` package when it is missing."""
    found = shutil.which("wrk")
    if found or not install or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("wrk not found: installing Debian's wrk package ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install_cmd = ["apt-get", "install", "-y", "-qq", "wrk"]
    quiet = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    if subprocess.run(install_cmd, check=False, **quiet).returncode != 0:
        # The package lists may be missing or stale on a fresh machine.
        subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
        subprocess.run(install_cmd, check=False, **quiet)
    return shutil.which("wrk")


def run_wrk(
    wrk: str, url: str, *, duration: float, connections: int, threads: int,
    paths: list[str] | None = None, headers: dict[str, str] | None = None,
    script: str | None = None,
) -> LoadResult:  # fmt: skip
    """`script`: Lua of the caller's own (request(), response(), and optionally an
    `extra_report()` returning a JSON object string), run with the standard report."""
    _check_loopback(url)
    lua = (script + WRK_SCRIPT) if script else wrk_script(paths, headers)
    script_path = Path(__file__).with_name("results") / "wrk-report.lua"
    script_path.parent.mkdir(exist_ok=True)
    script_path.write_text(lua)
    script = str(script_path)
    cmd = [
        wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s",
        "--timeout", "5s", "-s", script, url,
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30, check=False)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if proc.returncode != 0 or line is None:
        raise LoadError(f"wrk failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout}")
    data = json.loads(line.removeprefix("WRK_JSON "))
    extra = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WRK_EXTRA ")), None)
    return LoadResult(
        generator="wrk",
        requests=data["requests"],
        duration_s=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        bad_status=data["status"],
        socket_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
        extra=json.loads(extra.removeprefix("WRK_EXTRA ")) if extra else None,
    )


# --- the Python fallback -----------------------------------------------------------------


def _connection_loop(
    host: str, port: int, paths: list[str], headers: dict[str, str], deadline: float,
    out: dict[str, list],
) -> None:  # fmt: skip
    """One keep-alive connection requesting `paths` in turn until the deadline."""
    latencies: list[float] = []
    bad_status = socket_errors = 0
    conn = http.client.HTTPConnection(host, port, timeout=5)
    start = random.randrange(len(paths))  # noqa: S311 - load mix, not secrets
    for path in itertools.cycle(paths[start:] + paths[:start]):
        if time.perf_counter() >= deadline:
            break
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            socket_errors += 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=5)
            continue
        latencies.append(time.perf_counter() - started)
        if not 200 <= response.status < 300:
            bad_status += 1
    conn.close()
    out["latencies"].append(latencies)
    out["counts"].append((bad_status, socket_errors))


def _process_main(
    url: str, connections: int, duration: float, queue: "multiprocessing.Queue[object]",
    paths: list[str] | None, headers: dict[str, str] | None,
) -> None:  # fmt: skip
    """One generator process: `connections` threads, each with one connection."""
    parts = urlsplit(url)
    paths = paths or [parts.path + (f"?{parts.query}" if parts.query else "")]
    out: dict[str, list] = {"latencies": [], "counts": []}
    started = time.perf_counter()
    deadline = started + duration
    workers = [
        threading.Thread(
            target=_connection_loop,
            args=(parts.hostname, parts.port or 80, paths, headers or {}, deadline, out),
        )
        for _ in range(connections)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    latencies = [lat for chunk in out["latencies"] for lat in chunk]
    queue.put(
        {
            "latencies": latencies,
            "bad_status": sum(c[0] for c in out["counts"]),
            "socket_errors": sum(c[1] for c in out["counts"]),
            "elapsed": time.perf_counter() - started,
        }
    )


def _percentile(ordered: list[float], share: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_python(
    url: str, *, duration: float, connections: int, threads: int,
    paths: list[str] | None = None, headers: dict[str, str] | None = None,
) -> LoadResult:  # fmt: skip
    """`threads` processes (like wrk's threads, each its own GIL) sharing the connections."""
    _check_loopback(url)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    per_process = [connections // threads + (i < connections % threads) for i in range(threads)]
    processes = [
        context.Process(target=_process_main, args=(url, n, duration, queue, paths, headers))
        for n in per_process
        if n
    ]
    for process in processes:
        process.start()
    reports = [queue.get(timeout=duration + 60) for _ in processes]
    for process in processes:
        process.join(timeout=10)
    latencies = sorted(lat for report in reports for lat in report["latencies"])
    return LoadResult(
        generator="python",
        requests=len(latencies),
        duration_s=max(report["elapsed"] for report in reports),
        p50_ms=_percentile(latencies, 0.50) * 1000,
        p95_ms=_percentile(latencies, 0.95) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000,
        bad_status=sum(report["bad_status"] for report in reports),
        socket_errors=sum(report["socket_errors"] for report in reports),
    )


class LoadGenerator:
    """wrk if we have (or can install) it, else the Python generator."""

    def __init__(self, choice: str = "auto", *, install: bool = True) -> None:
        self.wrk = find_wrk(install=install) if choice in ("auto", "wrk") else None
        if choice == "wrk" and self.wrk is None:
            raise LoadError("wrk was asked for but is not installed")
        self.name = "wrk" if self.wrk else "python"

    def describe(self) -> str:
        if not self.wrk:
            return "python (threads + http.client keep-alive, one process per thread group)"
        proc = subprocess.run([self.wrk, "-v"], capture_output=True, text=True, check=False)
        version = (proc.stdout or proc.stderr).splitlines()[:1]
        return version[0].strip() if version else "wrk"

    def run(
        self, url: str, *, duration: float, connections: int, threads: int,
        paths: list[str] | None = None, headers: dict[str, str] | None = None,
        script: str | None = None,
    ) -> LoadResult:  # fmt: skip
        """Load `url`, or with `paths` (and `headers`) a mix of paths on its host, each
        connection walking them in turn; `script` (wrk only) makes the requests itself."""
        options = {"duration": duration, "connections": connections, "threads": threads,
                   "paths": paths, "headers": headers}  # fmt: skip
        if self.wrk:
            return run_wrk(self.wrk, url, script=script, **options)
        if script:
            raise LoadError("a custom request script needs wrk")
        return run_python(url, **options)
