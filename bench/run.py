"""`make bench`: serve CivicGrid for real and put each scenario under load.

Runs against SQLite (var/), and also against PostgreSQL when DATABASE_URL points to one.
Prints one table per database, each figure beside its target, and writes
bench/results/latest.json. Exits non-zero only when the harness fails (the server did not
start, the load generator broke), never for a missed target: that is printed as MISSED.
"""

import argparse
import json
import os
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from load import LoadError, LoadGenerator, LoadResult
from machine import CpuMeter, CpuReport, machine_info, parent_pid, wait_for_quiet
from scenarios import SCENARIOS, Scenario
from server import REPO_DIR, HarnessError, Server, get

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# Above this share of the CPUs used by other processes, the figures are called out as noisy.
BUSY_WARNING = 0.10


def postgres_info(url: str) -> tuple[str, int | None]:
    """The server's version and, when it runs on this machine, its postmaster's pid."""
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            row = conn.execute("SELECT current_setting('server_version'), pg_backend_pid()")
            version, backend_pid = row.fetchone() or ("?", None)
    except Exception as exc:  # best effort: only for the report
        return f"PostgreSQL (version unknown: {exc.__class__.__name__})", None
    postmaster = parent_pid(backend_pid) if backend_pid else None
    return f"PostgreSQL {version}", postmaster


def databases(choice: str) -> list[tuple[str, str | None]]:
    """(label, DATABASE_URL) pairs to benchmark; None is the default SQLite database."""
    url = os.environ.get("DATABASE_URL", "")
    is_postgres = url.startswith(("postgres://", "postgresql://"))
    chosen: list[tuple[str, str | None]] = []
    if choice in ("all", "sqlite"):
        chosen.append(("sqlite", None))
    if choice in ("all", "postgres") and is_postgres:
        chosen.append(("postgresql", url))
    if choice == "postgres" and not is_postgres:
        raise HarnessError("--database postgres needs DATABASE_URL=postgres://...")
    return chosen


def selected_scenarios(names: list[str]) -> list[Scenario]:
    """Scenarios whose name contains any of `names` (all when empty), ceiling always first."""
    picked = [s for s in SCENARIOS if not names or any(n in s.name for n in names)]
    ceilings = [s for s in SCENARIOS if s.ceiling]
    return ceilings + [s for s in picked if not s.ceiling]


def _split(report: CpuReport) -> str:
    return "/".join(f"{share:.0%}".rstrip("%") for share in report.worker_split) or "-"


def measure(
    generator: LoadGenerator, url: str, meter: CpuMeter, args: argparse.Namespace,
    **mix: object,
) -> tuple[LoadResult, CpuReport, int]:  # fmt: skip
    """Warm up, then measure; again (on fresh connections) when one web worker got them all.
    `mix` (paths, headers) goes to the load generator."""
    common = {"connections": args.connections, "threads": args.threads, **mix}
    if args.settle > 0:
        busy = wait_for_quiet(args.settle)
        if busy is not None:
            print(f"   note: the machine stayed busy ({busy:.0%} of the CPUs); measuring anyway")
    for attempt in range(1, args.attempts + 1):
        if args.warmup > 0:
            generator.run(url, duration=args.warmup, **common)
        meter.start()
        result = generator.run(url, duration=args.duration, **common)
        cpu = meter.stop()
        if not cpu.imbalanced or attempt == args.attempts:
            return result, cpu, attempt
        print(
            f"   one web worker served nearly every connection (CPU split {_split(cpu)},"
            f" {result.rps:.0f} req/s): measuring again"
        )
    raise AssertionError("unreachable")


def run_database(
    label: str, url: str | None, scenarios: list[Scenario], generator: LoadGenerator,
    args: argparse.Namespace,
) -> dict[str, object]:  # fmt: skip
    log_path = RESULTS_DIR / f"server-{label}.log"
    print(f"\n== {label}: starting `civicgrid serve` (log: {log_path.relative_to(REPO_DIR)})")
    started = time.monotonic()
    with Server(database_url=url, log_path=log_path) as server:
        database = server.health.get("database", {})
        vendor = database.get("vendor", "?") if isinstance(database, dict) else "?"
        version, postmaster = (
            postgres_info(url) if url else (f"SQLite {sqlite3.sqlite_version}", None)
        )
        meter = CpuMeter(server.pid, frozenset([postmaster]) if postmaster else frozenset())
        print(f"   healthy after {time.monotonic() - started:.1f} s on {server.base_url}")
        print(f"   database: {version} (vendor reported by /healthz: {vendor})")
        rows = []
        ceiling_rps: float | None = None
        for scenario in scenarios:
            status, body = get(server.port, scenario.path)
            if status != scenario.expect_status:
                print(
                    f"   warning: {scenario.path} answered {status}, "
                    f"expected {scenario.expect_status}: {body[:200]!r}"
                )
            result, cpu, attempts = measure(generator, server.base_url + scenario.path, meter, args)
            if scenario.ceiling:
                ceiling_rps = result.rps
            misses = scenario.target.misses(
                rps=result.rps, p99_ms=result.p99_ms, ceiling_rps=ceiling_rps
            )
            row = {
                "scenario": scenario.name,
                "path": scenario.path,
                **result.as_dict(),
                "share_of_ceiling": round(result.rps / ceiling_rps, 3) if ceiling_rps else None,
                "others_cpu_share": round(cpu.others_share, 3),
                "worker_cpu_split": [round(share, 3) for share in cpu.worker_split],
                "attempts": attempts,
                "target": scenario.target.describe(),
                "met": not misses,
                "missed": misses,
            }
            rows.append(row)
            print(
                f"   {scenario.name}: {result.rps:.0f} req/s, p99 {result.p99_ms:.1f} ms, "
                f"web workers' CPU split {_split(cpu)}, "
                f"other processes used {cpu.others_share:.0%} of the CPUs"
                f"{'' if not misses else '  MISSED'}",
                flush=True,
            )
    return {"database": label, "version": version, "vendor": vendor, "results": rows}


def print_table(run: dict[str, object]) -> None:
    header = (
        "scenario", "req/s", "p50 ms", "p99 ms", "errors", "vs ceiling", "target", "result",
        "workers' CPU", "others' CPU",
    )  # fmt: skip
    lines = [header]
    for r in run["results"]:  # type: ignore[attr-defined]
        share = r["share_of_ceiling"]
        lines.append(
            (
                r["scenario"],
                f"{r['rps']:.0f}",
                f"{r['p50_ms']:.2f}",
                f"{r['p99_ms']:.2f}",
                str(r["errors"]),
                "-" if share is None else f"{share:.0%}",
                r["target"],
                "ok" if r["met"] else "MISSED",
                "/".join(f"{x:.0%}".rstrip("%") for x in r["worker_cpu_split"]) or "-",
                f"{r['others_cpu_share']:.0%}",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    numeric = {1, 2, 3, 4, 5, 8, 9}
    print(f"\n{run['version']}:")
    for n, line in enumerate(lines):
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(line)
        ]
        print("  " + "  ".join(cells).rstrip())
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))
    for r in run["results"]:  # type: ignore[attr-defined]
        if r["missed"]:
            print(f"  MISSED {r['scenario']}: " + "; ".join(r["missed"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds measured per scenario")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of unmeasured load first")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="load generator threads")
    parser.add_argument(
        "--attempts", type=int, default=3,
        help="measure again when one web worker got every connection (at most this often)",
    )  # fmt: skip
    parser.add_argument(
        "--settle", type=float, default=15,
        help="wait up to this many seconds for other processes to go quiet before a scenario",
    )  # fmt: skip
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--no-install", action="store_true", help="never apt-get install wrk")
    parser.add_argument(
        "--database", choices=("all", "sqlite", "postgres"), default="all",
        help="all: SQLite, plus PostgreSQL when DATABASE_URL points to one",
    )  # fmt: skip
    parser.add_argument(
        "--scenario", action="append", default=[], help="only scenarios whose name contains this"
    )
    args = parser.parse_args(argv)

    try:
        generator = LoadGenerator(args.generator, install=not args.no_install)
        chosen = databases(args.database)
        scenarios = selected_scenarios(args.scenario)
        machine = machine_info(REPO_DIR)
        print(
            f"machine: {machine['nproc']} CPUs, {machine['cpu']}, {machine['platform']}\n"
            f"load generator: {generator.describe()}; {args.threads} threads, "
            f"{args.connections} connections, {args.warmup:g} s warm-up + "
            f"{args.duration:g} s per scenario\n"
            f"commit: {machine['commit']}"
        )
        runs = [run_database(label, url, scenarios, generator, args) for label, url in chosen]
    except (HarnessError, LoadError) as exc:
        print(f"\nbench: harness failure: {exc}", file=sys.stderr)
        return 1

    for run in runs:
        print_table(run)
    RESULTS_DIR.mkdir(exist_ok=True)
    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "load": {
            "generator": generator.name,
            "threads": args.threads,
            "connections": args.connections,
            "warmup_s": args.warmup,
            "duration_s": args.duration,
        },
        "runs": runs,
    }
    out = RESULTS_DIR / "latest.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    rows = [r for run in runs for r in run["results"]]  # type: ignore[attr-defined]
    missed = sum(not r["met"] for r in rows)
    busiest = max((r["others_cpu_share"] for r in rows), default=0)
    if busiest > BUSY_WARNING:
        print(
            f"\nnote: other processes used up to {busiest:.0%} of the CPUs during a measurement;"
            " figures are low by about that much. Rerun on an idle machine to compare."
        )
    print(f"\n{missed} target(s) missed; results in {out.relative_to(REPO_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
