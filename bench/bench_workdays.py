"""The working-day calendar in process: how long a deadline computation takes.

    .venv/bin/python bench/bench_workdays.py            # a throwaway SQLite database
    DATABASE_URL=postgres://user@host/db .venv/bin/python bench/bench_workdays.py

Target (the brief of issue 8's calendar, no figure in the issue): counting 15 working days
must be cheap enough for the clerk queue to compute a deadline for every case on a page. Not
an API benchmark: it times the library calls the queue makes, in one process, on a database
made with `migrate` in a throwaway directory (with one administrator-entered year, 2027).
Measured:
  build          rebuilding the per-process table (2000–2099) after a change
  single call    `add_working_days(d, 15)` and `working_days_between` one by one, each paying
                 the version read (outside a request: one small SQL query per call)
  in a request   the same inside a request (one version read per request, then memory)
  batch          `add_working_days_many` over 100 cases (one version read)
Results go to bench/results/workdays.json with the load average (the machine is shared).
"""

import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
RESULTS = REPO_DIR / "bench" / "results" / "workdays.json"


def _setup(data_dir: Path) -> None:
    os.environ["CIVICGRID_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{data_dir / 'bench.sqlite3'}")
    os.environ["CIVICGRID_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "civicgrid.settings"
    sys.path.insert(0, str(REPO_DIR / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _per_call_us(func, rounds: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    return {
        "median_us": round(statistics.median(samples), 1),
        "p95_us": round(samples[int(len(samples) * 0.95) - 1], 1),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cg-workdays-") as tmp:
        _setup(Path(tmp))
        from django.core.signals import request_finished, request_started

        from civicgrid.core.workdays import calendar
        from civicgrid.core.workdays.actions import do_enter_calendar_year

        do_enter_calendar_year(actor=None, year=2027, text="2027-01-01 holiday 元旦")
        start = datetime.date(2026, 9, 23)
        starts = [start + datetime.timedelta(days=n) for n in range(100)]

        def rebuild() -> None:
            calendar.invalidate()
            calendar.current()

        def single() -> None:
            calendar.add_working_days(start, 15)

        def between() -> None:
            calendar.working_days_between(start, datetime.date(2027, 3, 1))

        request_started.send(sender=None)
        calendar.current()
        in_request = _per_call_us(single, 20000)
        request_finished.send(sender=None)
        results = {
            "database": os.environ["DATABASE_URL"].split(":", 1)[0],
            "build": _per_call_us(rebuild, 20),
            "single_call_add_15": _per_call_us(single, 2000),
            "single_call_between": _per_call_us(between, 2000),
            "in_request_add_15": in_request,
            "batch_100_add_15": _per_call_us(
                lambda: calendar.add_working_days_many(starts, 15), 500
            ),
            "loadavg": Path("/proc/loadavg").read_text().split()[:3],
            "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, value in results.items():
        print(f"{name:<22} {value}")


if __name__ == "__main__":
    main()
