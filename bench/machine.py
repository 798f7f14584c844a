"""What the figures were measured on, and how busy the machine was with other work meanwhile.

The server and the load generator share two cores with whatever else runs (a test suite, an
editor's indexer): `CpuShare` measures the CPU time spent outside the benchmark during each
scenario, so a low figure taken on a busy machine says so beside it.
"""

import os
import platform
import resource
import subprocess
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_commit(repo: Path) -> str:
    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
        return proc.stdout.strip()

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return (git("rev-parse", "--short", "HEAD") or "unknown") + ("+dirty" if dirty else "")


def machine_info(repo: Path) -> dict[str, object]:
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": git_commit(repo),
    }


def _machine_busy_seconds() -> float:
    """CPU seconds spent busy on all CPUs since boot (everything but idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


def _stat_fields(pid: int | str) -> list[str]:
    """/proc/<pid>/stat after the parenthesised command name (which may contain spaces):
    [0] state, [1] ppid, [2] pgrp, ... [11] utime, [12] stime."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def parent_pid(pid: int) -> int | None:
    try:
        return int(_stat_fields(pid)[1])
    except (OSError, ValueError, IndexError):
        return None


def _tree_cpu_seconds(pgid: int, parents: frozenset[int]) -> float:
    """CPU seconds used so far by the live processes of process group `pgid`, and by the
    processes in `parents` and their direct children (a database server's backends)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat_fields(entry.name)
        except (OSError, ValueError):
            continue  # the process ended meanwhile
        if int(fields[2]) == pgid or int(fields[1]) in parents or int(entry.name) in parents:
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def _own_cpu_seconds() -> float:
    """This process and its reaped children (the load generator)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class CpuShare:
    """Measures, between start() and stop(), the share of the machine's CPU capacity used by
    processes other than the server (its process group), its database server (`db_pids`,
    e.g. the PostgreSQL postmaster, with its backends) and this harness with its children."""

    server_pgid: int
    db_pids: frozenset[int] = frozenset()
    started: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def _sample(self) -> tuple[float, float, float]:
        return (
            _machine_busy_seconds(),
            _tree_cpu_seconds(self.server_pgid, self.db_pids) + _own_cpu_seconds(),
            os.times().elapsed,
        )

    def start(self) -> None:
        self.started = self._sample()

    def stop(self) -> float:
        """The others' share of all CPUs over the interval, 0.0 to 1.0."""
        busy, ours, elapsed = self._sample()
        busy0, ours0, elapsed0 = self.started
        capacity = (elapsed - elapsed0) * (os.cpu_count() or 1)
        if capacity <= 0:
            return 0.0
        return min(1.0, max(0.0, ((busy - busy0) - (ours - ours0)) / capacity))
