"""What the figures were measured on, and how busy the machine was with other work meanwhile.

The server and the load generator share two cores with whatever else runs (a test suite, an
editor's indexer): `CpuShare` measures the CPU time spent outside the benchmark during each
scenario, so a low figure taken on a busy machine says so beside it.
"""

import os
import platform
import resource
import subprocess
import time
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
    [0] state, [1] ppid, ... [11] utime, [12] stime."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def parent_pid(pid: int) -> int | None:
    try:
        return int(_stat_fields(pid)[1])
    except (OSError, ValueError, IndexError):
        return None


@dataclass(frozen=True)
class _Proc:
    ppid: int
    cpu_seconds: float


def _process_table() -> dict[int, _Proc]:
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat_fields(entry.name)
        except (OSError, ValueError):
            continue  # the process ended meanwhile
        cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        table[int(entry.name)] = _Proc(int(fields[1]), cpu)
    return table


def _own_cpu_seconds() -> float:
    """This process and its reaped children (the load generator)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class _Sample:
    elapsed: float
    machine_busy: float
    own: float
    table: dict[int, _Proc]


@dataclass(frozen=True)
class CpuReport:
    others_share: float  # of all CPUs' capacity, used by processes outside the benchmark
    worker_split: list[float]  # each web worker's share of the web workers' CPU, largest first
    # CPU seconds the web workers and the database server's backends used: divided by the
    # requests served, a cost per request that a busy neighbour does not inflate.
    server_cpu_s: float = 0.0
    database_cpu_s: float = 0.0  # the database server's share of server_cpu_s
    harness_cpu_s: float = 0.0  # this harness and its load generator (not in server_cpu_s)

    @property
    def imbalanced(self) -> bool:
        """One web worker did (nearly) all the work while another idled: the load generator's
        keep-alive connections were all accepted by one worker and stayed there."""
        return len(self.worker_split) > 1 and self.worker_split[0] > IMBALANCE_SHARE


# With two workers an even split is 50/50; beyond this the run measured one worker, not two.
IMBALANCE_SHARE = 0.8


@dataclass
class CpuMeter:
    """Measures the CPU use between start() and stop().

    Ours: `civicgrid serve` (pid `serve_pid`) and its descendants (granian, its workers and the
    task worker), the database server (`db_pids`, e.g. the PostgreSQL postmaster) and its
    descendants (the backends), and this harness with its children (the load generator).
    Everything else busy meanwhile is the others' share. Web workers are the processes two
    levels below `serve`: granian's main process starts them.
    """

    serve_pid: int
    db_pids: frozenset[int] = frozenset()
    _started: _Sample | None = None

    def _sample(self) -> _Sample:
        return _Sample(os.times().elapsed, _machine_busy_seconds(), _own_cpu_seconds(),
                       _process_table())  # fmt: skip

    def _ours(self, table: dict[int, _Proc]) -> set[int]:
        """`serve` and its descendants (granian runs in a process group of its own, so the
        process group does not find its workers), the database server and its backends."""
        children: dict[int, list[int]] = {}
        for pid, proc in table.items():
            children.setdefault(proc.ppid, []).append(pid)
        ours, todo = set(), [self.serve_pid, *self.db_pids]
        while todo:
            pid = todo.pop()
            if pid in table and pid not in ours:
                ours.add(pid)
                todo.extend(children.get(pid, ()))
        return ours

    def start(self) -> None:
        self._started = self._sample()

    def stop(self) -> CpuReport:
        if self._started is None:
            raise RuntimeError("stop() before start()")
        before, after = self._started, self._sample()

        def used(pid: int) -> float:
            old = before.table.get(pid)
            return after.table[pid].cpu_seconds - (old.cpu_seconds if old else 0.0)

        ours = after.own - before.own
        ours += sum(used(pid) for pid in self._ours(after.table))
        capacity = (after.elapsed - before.elapsed) * (os.cpu_count() or 1)
        others = (after.machine_busy - before.machine_busy - ours) / capacity if capacity else 0
        web = {pid for pid, proc in after.table.items() if proc.ppid == self.serve_pid}
        workers = [used(pid) for pid, proc in after.table.items() if proc.ppid in web]
        total = sum(workers)
        split = sorted((w / total for w in workers), reverse=True) if total > 0 else []
        database = sum(
            used(pid)
            for pid, proc in after.table.items()
            if pid in self.db_pids or proc.ppid in self.db_pids
        )
        return CpuReport(
            min(1.0, max(0.0, others)), split, server_cpu_s=total + database,
            database_cpu_s=database, harness_cpu_s=after.own - before.own,
        )  # fmt: skip


def wait_for_quiet(max_wait: float, *, busy_below: float = 0.10) -> float | None:
    """Wait, up to `max_wait` seconds, for a second in which the machine's CPUs were busy less
    than `busy_below` of the time. Returns the busy share of the last second when it gave up,
    None once quiet. The idle server's task worker polls the queue: far below 10%."""
    deadline = time.monotonic() + max_wait
    while True:
        before, started = _machine_busy_seconds(), os.times().elapsed
        time.sleep(1)
        capacity = (os.times().elapsed - started) * (os.cpu_count() or 1)
        share = (_machine_busy_seconds() - before) / capacity if capacity else 0.0
        if share < busy_below:
            return None
        if time.monotonic() >= deadline:
            return share
