"""Search in the population register at the API: in a grid (about 330 households) and in a
county (500,000 persons), on SQLite and on PostgreSQL 15.

    .venv/bin/python bench/bench_search.py                        # both databases, the target
    .venv/bin/python bench/bench_search.py --database sqlite      # SQLite only
    .venv/bin/python bench/bench_search.py --by-kind              # also each kind of query alone
    .venv/bin/python bench/bench_search.py --data-dir /tmp/cg-search   # build once, reuse after
    DATABASE_URL=postgres://user@host/db .venv/bin/python bench/bench_search.py

Target (issue 4): search in a grid (330 households) and in a county (500,000 persons), p95 at
most 50 ms at the API.

The data: a fresh database with the demo region (`civicgrid setup`: the demo grids of 阜城县's
阜城镇 filled with ~330 generated households each, and the demo accounts), plus a generated
register file (`population.demo.write_register_csv`, cached in bench/results/import-files/) of
the county's other townships, loaded through the bulk importer, so that 阜城县 (131128) holds
500,000 persons (`--persons`). Databases are made as `bench_import_people.py` makes them: SQLite
(WAL) in a throwaway directory; PostgreSQL in a fresh database `civicgrid_bench_search` on the
server of DATABASE_URL or, run as root, in a throwaway PostgreSQL 15 cluster owned by the
unprivileged user `civicgrid-ci`. With `--data-dir DIR` the SQLite database, the keys and the
PostgreSQL database (on DATABASE_URL's server) are kept and reused by the next run with the
same DIR; new migrations are applied to them by `civicgrid setup`.

The load: the real server (`bench/server.py`: `civicgrid serve`, granian WSGI workers) on a
loopback port, loaded by wrk from a separate process (`bench/load.py`; the harness defaults of
`make bench`: 2 s warm-up, 10 s measured, 2 threads) at 4 and at 16 keep-alive connections,
each connection walking a mix of searches: 10 each of a full name, pinyin initials, an address
fragment (households only: persons are not searched by address), the last 4 digits of a mobile
and a whole ID number (found by its look-up hash), drawn from the register with a fixed seed.
Every query must answer 200 with at least one hit (checked first). A closed loop of c
connections on 2 cores waits about c × the service time / 2 for each answer, so 4 connections
show a busy server's latency and 16 (make bench's level) a saturated one; the target is read
at each. Four scenarios:
  grid households / grid persons     `grid_worker_2`'s session (one grid of 东南关, 330
                                     households), the grid worker's phone tool and the API
  county persons / county households a bearer token of 阜城县's prevention office
Results go to bench/results/search.json.

`--in-process` measures instead what each kind of query costs, without the server or load:
each scenario's queries answered in the benchmark's own process (django.test.Client), with the
Python CPU, the PostgreSQL backend's CPU (from /proc) and the statements per request. On a
machine shared with other work those figures hold where wrk's latencies do not.

What a county household search costs (PostgreSQL, in-process, Nov 2026): the statements after
authentication for a search by text (the matches counted from the members' and addresses'
indexes, the page's ids, the page's rows, the members with their tags: 4 in all), each planned for its
values (population.plans: generic plans of prepared statements read the whole county); ≈ 8 ms
of Python and 2–7 ms of database CPU per request.
"""

import argparse
import functools
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from bench_import_people import (
    PG_BIN,
    Harness,
    ThrowawayCluster,
    configure_django,
    ensure_file,
    fresh_database,
    step_generate,
    step_import,
)
from load import LoadError, LoadGenerator, LoadResult
from machine import CpuMeter, CpuReport, machine_info
from run import measure, postgres_info
from server import REPO_DIR, HarnessError, Server, civicgrid_command

RESULTS_DIR = REPO_DIR / "bench" / "results"
PG_DATABASE = "civicgrid_bench_search"
COUNTY = "131128"  # 阜城县
DEMO_TOWNSHIP = "131128100"  # 阜城镇: the demo grids; the generated file leaves it out
GRID_WORKER = "grid_worker_2"  # one grid of 东南关 (the demo assigns grid_worker_1 two)
COUNTY_ORGANISATION = "阜城县疫情防控办公室"
TARGET_P95_MS = 50
QUERIES_PER_KIND = 10
KINDS = ("name", "initials", "address", "mobile4", "id_number")
SEED = 2020
# The county file's generator seed: not the demo register's (population.demo.SEED), whose
# people (the same ID numbers) the import would otherwise move out of the demo grids.
FILE_SEED = 2027
API = "/api/v1/population"


# --- steps run in child processes -------------------------------------------------------------


def step_setup(args: argparse.Namespace) -> dict[str, object]:
    """`civicgrid setup` (migrate, demo region, accounts and register), then count the county."""
    started = time.perf_counter()
    done = subprocess.run([civicgrid_command(), "setup"], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"civicgrid setup failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return {"seconds": round(time.perf_counter() - started, 1), **register_counts()}


def register_counts() -> dict[str, int]:
    from civicgrid.core.division_codes import subtree_range
    from civicgrid.population.models import Household, Person

    low, high = subtree_range(COUNTY)
    in_county = {"division_code__gte": low, "division_code__lte": high}
    return {
        "county_persons": Person.objects.filter(**in_county).count(),
        "county_households": Household.objects.filter(**in_county).count(),
    }


def _query(kind: str, person, rng: random.Random, *, fragments: bool) -> str:  # type: ignore[no-untyped-def]
    """What someone would type to find `person` by `kind`. An address: in a grid, a fragment
    after the community (`15号楼 1单元`, `东街10号`); across the county, where addresses are
    matched from their start (selectors.searches_fragments), the community and more."""
    if kind == "name":
        return person.name
    if kind == "initials":
        return person.name_initials
    if kind == "mobile4":
        return person.mobile_last4
    if kind == "id_number":
        return person.id_number.reveal()
    parts = person.household.address.split(" ")
    if fragments:
        return " ".join(parts[1 : rng.randint(2, len(parts))])
    return " ".join(parts[: rng.randint(2, len(parts))])


def _sample_queries(persons, rng: random.Random, *, fragments: bool) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """QUERIES_PER_KIND queries of each kind, each from a different person of `persons`."""
    ids = list(persons.values_list("pk", flat=True))
    chosen = rng.sample(ids, min(len(ids), 5 * QUERIES_PER_KIND * len(KINDS)))
    people = iter(persons.model.objects.select_related("household").filter(pk__in=chosen))
    queries: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for kind in KINDS:
        while len(queries[kind]) < QUERIES_PER_KIND:
            person = next(people)
            if kind == "mobile4" and not person.mobile_last4:
                continue
            queries[kind].append(_query(kind, person, rng, fragments=fragments))
    return queries


def step_fresh_rows(args: argparse.Namespace) -> dict[str, object]:
    """The first `persons` rows of `file` whose ID number is not in the register yet, as a
    file of the data directory."""
    import csv

    from civicgrid.core.crypto import lookup_hash
    from civicgrid.population.models import Person

    known = set(Person.objects.values_list("id_number_hash", flat=True))
    target = Path(args.data_dir) / "county-fresh.csv"
    written = 0
    with (
        Path(args.file).open(encoding="utf-8", newline="") as source,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        rows, writer = csv.reader(source), csv.writer(out, lineterminator="\n")
        writer.writerow(next(rows))
        for row in rows:
            if written == args.persons:
                break
            if lookup_hash("id_number", row[1]) not in known:
                writer.writerow(row)
                written += 1
    return {"file": str(target), "rows": written}


def step_prepare(args: argparse.Namespace) -> dict[str, object]:
    """The grid worker's session, the county office's token, and the queries to send."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from civicgrid.accounts.actions import do_issue_api_token
    from civicgrid.accounts.models import Organisation, User
    from civicgrid.core.division_codes import subtree_range
    from civicgrid.population.models import Household, Person

    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of a large import: statistics, and the
        # visibility map that lets a search read an index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE population_person")
            cursor.execute("VACUUM ANALYZE population_household")
    rng = random.Random(SEED)  # noqa: S311 - a benchmark's sample, not a secret
    worker = User.objects.get(username=GRID_WORKER)
    grids = list(worker.grid_assignments.values_list("grid_id", flat=True))
    client = Client()
    client.force_login(worker)
    office = Organisation.objects.get(name=COUNTY_ORGANISATION)
    token = do_issue_api_token(created_by=None, organisation=office, name="bench_search")
    low, high = subtree_range(COUNTY)
    county = Person.objects.filter(division_code__gte=low, division_code__lte=high)
    return {
        **register_counts(),
        "grid_households": Household.objects.filter(grid_id__in=grids).count(),
        "grid_persons": Person.objects.filter(grid_id__in=grids).count(),
        "grids": grids,
        "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
        "token": token.plaintext,
        "grid_queries": _sample_queries(
            Person.objects.filter(grid_id__in=grids), rng, fragments=True
        ),
        "county_queries": _sample_queries(county, rng, fragments=False),
    }


def _counted(statements: list[str], execute, sql, *rest):  # type: ignore[no-untyped-def]
    """An execute wrapper that notes each statement (`connection.execute_wrapper`)."""
    statements.append(sql)
    return execute(sql, *rest)


def step_profile(args: argparse.Namespace) -> dict[str, object]:
    """Each scenario's queries, kind by kind, answered in this process (django.test.Client,
    no server, no load generator): the Python CPU and the database backend's CPU per request
    (PostgreSQL: /proc/<pg_backend_pid()>/stat, so it must run on the same machine), and the
    statements per request. What a request costs, whoever else shares the CPUs."""
    from django.db import connection
    from django.test import Client

    from civicgrid.accounts.models import User

    fixtures = json.loads(Path(args.file).read_text())
    backend_pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]

    def backend_cpu() -> float:
        if backend_pid is None:
            return 0.0
        fields = Path(f"/proc/{backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    rows = []
    for scenario in scenarios(fixtures):
        client = Client()
        headers = {}
        if scenario["name"].startswith("grid"):
            client.force_login(User.objects.get(username=GRID_WORKER))
        else:
            headers = {"HTTP_AUTHORIZATION": scenario["headers"]["Authorization"]}
        for kind, paths in scenario["paths"].items():
            for path in paths:  # warm: caches, prepared statements
                status = client.get(path, **headers).status_code
                if status != 200:
                    raise RuntimeError(f"{scenario['name']} {path}: HTTP {status}")
            statements: list[str] = []
            with connection.execute_wrapper(functools.partial(_counted, statements)):
                client.get(paths[0], **headers)
            db0, cpu0, wall0 = backend_cpu(), time.process_time(), time.perf_counter()
            for _ in range(args.rounds):
                for path in paths:
                    client.get(path, **headers)
            n = args.rounds * len(paths)
            rows.append({"scenario": scenario["name"], "kind": kind, "requests": n,
                         "python_cpu_ms": round((time.process_time() - cpu0) * 1000 / n, 2),
                         "db_cpu_ms": round((backend_cpu() - db0) * 1000 / n, 2),
                         "wall_ms": round((time.perf_counter() - wall0) * 1000 / n, 2),
                         "statements": len(statements)})  # fmt: skip
    return {"rows": rows}


STEPS = {
    "profile": step_profile,
    "generate": step_generate,
    "import": step_import,
    "setup": step_setup,
    "fresh_rows": step_fresh_rows,
    "prepare": step_prepare,
}


def run_step(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", choices=STEPS)
    parser.add_argument("--data-dir")
    parser.add_argument("--database-url")
    parser.add_argument("--settle", type=float, default=0)
    for name in ("file", "within", "excluding"):
        parser.add_argument(f"--{name}", default="")
    parser.add_argument("--persons", type=int)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--damaged", type=float)
    args = parser.parse_args(argv)
    configure_django(Path(args.data_dir), args.database_url)
    result = STEPS[args.step](args)
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)
    return 0


# --- building the county ----------------------------------------------------------------------


def build(harness: Harness, url: str, persons: int) -> dict[str, object]:
    """The demo region plus the county's generated register, unless already there."""
    counts = harness.step("setup", url)
    print(f"   setup in {counts['seconds']} s: {counts['county_persons']:,} persons in the county")
    missing = persons - counts["county_persons"]
    if missing > 0:
        # A few more rows than needed: those whose ID number the demo register already holds
        # (the same county, drawn at random) are left out, or the import would move demo
        # people, residents' households among them, out of the demo grids.
        spare = missing + missing // 20
        generated = ensure_file(harness, "county", spare, COUNTY, 0.0, FILE_SEED, DEMO_TOWNSHIP)
        fresh = harness.step("fresh_rows", url, file=generated, persons=missing)
        imported = harness.step("import", url, file=fresh["file"])
        print(f"   imported {imported['rows']:,} persons in {imported['seconds']} s", flush=True)
    return harness.step("prepare", url)


# --- measuring --------------------------------------------------------------------------------


def scenarios(fixtures: dict) -> list[dict[str, object]]:
    """(name, headers, paths by kind) of the four scenarios."""
    grid = {"Cookie": fixtures["cookie"]}
    county = {"Authorization": f"Bearer {fixtures['token']}"}
    made = []
    for scope, headers in (("grid", grid), ("county", county)):
        queries = fixtures[f"{scope}_queries"]
        endpoints = ("households", "persons") if scope == "grid" else ("persons", "households")
        for endpoint in endpoints:
            paths = {
                kind: [f"{API}/{endpoint}?{urlencode({'q': q})}" for q in queries[kind]]
                for kind in KINDS
                if endpoint == "households" or kind != "address"  # persons have no address
            }
            made.append({"name": f"{scope} {endpoint}", "headers": headers, "paths": paths})
    return made


def check_answers(server: Server, scenario: dict) -> list[str]:
    """Every query answers 200 with at least one hit (a benchmark of empty answers proves
    little); returns the problems."""
    import http.client

    problems = []
    for kind, paths in scenario["paths"].items():
        for path in paths:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            try:
                conn.request("GET", path, headers=scenario["headers"])
                response = conn.getresponse()
                body = response.read()
            finally:
                conn.close()
            if response.status != 200:
                problems.append(f"{kind} {path}: HTTP {response.status} {body[:200]!r}")
            elif not json.loads(body)["count"]:
                problems.append(f"{kind} {path}: nothing found")
    return problems


def row_for(name: str, result: LoadResult, cpu: CpuReport) -> dict[str, object]:
    """The figures of one measurement; `cpu_ms_per_request` is the server's CPU (web workers
    and database backends) per answer: what a request costs, whoever else shares the CPUs."""
    row = {"scenario": name, **result.as_dict(), "others_cpu_share": round(cpu.others_share, 3),
           "cpu_ms_per_request": round(cpu.server_cpu_s * 1000 / max(1, result.requests), 2)}  # fmt: skip
    if name.startswith("ping"):
        return {**row, "target": "(ceiling)", "met": True}
    met = result.p95_ms <= TARGET_P95_MS and result.errors == 0
    return {**row, "target": f"p95<={TARGET_P95_MS} ms", "met": met}


def run_database(
    label: str, url: str, fixtures: dict, generator: LoadGenerator, args: argparse.Namespace,
    env: dict[str, str],
) -> dict[str, object]:  # fmt: skip
    log_path = RESULTS_DIR / f"server-search-{label}.log"
    print(f"\n== {label}: starting `civicgrid serve` (log: {log_path.relative_to(REPO_DIR)})")
    with Server(database_url=url, log_path=log_path, env=env) as server:
        version, postmaster = postgres_info(url) if label == "postgresql" else ("SQLite", None)
        meter = CpuMeter(server.pid, frozenset([postmaster]) if postmaster else frozenset())
        rows = []
        # The framework's ceiling beside the searches, at each level: on a shared machine a
        # search's share of it says more than its absolute figures.
        ping = {"name": "ping (no database)", "headers": {}, "paths": {"ping": ["/api/v1/ping"]}}
        for scenario in [ping, *scenarios(fixtures)]:
            for problem in check_answers(server, scenario) if scenario is not ping else ():
                print(f"   warning: {scenario['name']}: {problem}")
            mixes = [(scenario["name"], [p for ps in scenario["paths"].values() for p in ps])]
            if args.by_kind and scenario is not ping:
                mixes += [(f"{scenario['name']}: {kind}", paths)
                          for kind, paths in scenario["paths"].items()]  # fmt: skip
            for (name, paths), connections in itertools.product(mixes, args.connections):
                level = argparse.Namespace(**{**vars(args), "connections": connections})
                result, cpu, _attempts = measure(
                    generator, server.base_url, meter, level,
                    paths=paths, headers=scenario["headers"],
                )  # fmt: skip
                name = f"{name} @{connections}"
                rows.append(row_for(name, result, cpu))
                print(f"   {name}: {result.rps:.0f} req/s, p50 {result.p50_ms:.1f} ms, "
                      f"p95 {result.p95_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
                      f"errors {result.errors}, {rows[-1]['cpu_ms_per_request']} ms of server CPU "
                      f"per request, others used {cpu.others_share:.0%} of the CPUs"
                      f"{'' if rows[-1]['met'] else '  MISSED'}", flush=True)  # fmt: skip
    return {"database": label, "version": version, "results": rows}


def run_in_process(
    harness: Harness, label: str, url: str, fixtures: dict, args: argparse.Namespace
) -> dict[str, object]:
    """`--in-process`: each kind of query's CPU per request, without a server (step_profile)."""
    path = Path(harness.data_dir) / "search-fixtures.json"
    path.write_text(json.dumps(fixtures, ensure_ascii=False))
    print(f"\n== {label}: in-process, {args.rounds} rounds of each kind's queries", flush=True)
    rows = harness.step("profile", url, file=path, rounds=args.rounds)["rows"]
    print(f"  {'scenario':<20} {'kind':<10} {'Python CPU ms':>13} {'DB CPU ms':>9} "
          f"{'wall ms':>8} {'statements':>10}")  # fmt: skip
    for r in rows:
        print(f"  {r['scenario']:<20} {r['kind']:<10} {r['python_cpu_ms']:>13.1f} "
              f"{r['db_cpu_ms']:>9.1f} {r['wall_ms']:>8.1f} {r['statements']:>10}")  # fmt: skip
    with open("/proc/loadavg") as loadavg:
        print(f"  load average: {loadavg.read().strip()}")
    return {"database": label, "version": label, "in_process": rows, "results": []}


def print_table(run: dict) -> None:
    print(f"\n{run['version']}:")
    header = f"  {'scenario':<32} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} " \
             f"{'errors':>6} {'CPU ms/req':>10}  {'target':<14} {'result':<6} {'others':>6}"  # fmt: skip
    print(header)
    print("  " + "-" * (len(header) - 2))
    for r in run["results"]:
        print(f"  {r['scenario']:<32} {r['rps']:>6.0f} {r['p50_ms']:>7.1f} {r['p95_ms']:>7.1f} "
              f"{r['p99_ms']:>7.1f} {r['errors']:>6} {r['cpu_ms_per_request']:>10.1f}  {r['target']:<14} "
              f"{'ok' if r['met'] else 'MISSED':<6} {r['others_cpu_share']:>6.0%}")  # fmt: skip


def postgres_target(
    args: argparse.Namespace, cleanups: list, database: str = PG_DATABASE
) -> tuple[str | None, str]:
    """The PostgreSQL database `database` to build in, and where it is."""
    env_url = os.environ.get("DATABASE_URL", "")
    if env_url.startswith(("postgres://", "postgresql://")):
        if args.data_dir:  # kept for the next run: create it only when missing
            import psycopg

            base = env_url.rsplit("/", 1)[0]
            with psycopg.connect(env_url, autocommit=True) as conn:
                found = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [database]
                ).fetchone()
                if not found:
                    conn.execute(f"CREATE DATABASE {database}")
            return f"{base}/{database}", "the server of DATABASE_URL (kept)"
        url, drop = fresh_database(env_url, database)
        cleanups.append(drop)
        return url, "the server of DATABASE_URL"
    if os.geteuid() == 0 and (PG_BIN / "initdb").exists():
        cluster = ThrowawayCluster(database)
        cleanups.append(cluster.stop)
        return cluster.start(), f"a throwaway cluster on port {cluster.port}"
    return None, "skipped (set DATABASE_URL, or run as root with PostgreSQL 15)"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--step" in argv:
        return run_step(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=500_000, help="persons in the county")
    parser.add_argument("--database", choices=("all", "sqlite", "postgres"), default="all")
    parser.add_argument("--data-dir", help="build here and keep it; reuse it when it exists")
    parser.add_argument("--by-kind", action="store_true", help="also each kind of query alone")
    parser.add_argument("--in-process", action="store_true",
                        help="instead of the server under load: each kind's CPU per request, "
                             "answered in-process (Python, database backend, statements)")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=3, help="--in-process: rounds per kind")
    parser.add_argument("--duration", type=float, default=10, help="seconds measured")
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument(
        "--connections", type=int, nargs="+", default=[4, 16],
        help="keep-alive connections; each scenario is measured at each level",
    )  # fmt: skip
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--attempts", type=int, default=3,
                        help="measure again when one web worker got every connection")  # fmt: skip
    parser.add_argument("--settle", type=float, default=15,
                        help="wait up to this many seconds for a quiet machine first")  # fmt: skip
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    args = parser.parse_args(argv)

    keep = bool(args.data_dir)
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="civicgrid-bench-search-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    harness = Harness(data_dir, 0, script=__file__)
    env = {"CIVICGRID_DATA_DIR": str(data_dir), "CIVICGRID_LOG_LEVEL": "WARNING"}
    machine = machine_info(REPO_DIR)
    runs, cleanups = [], []
    try:
        generator = LoadGenerator(args.generator)
        print(f"machine: {machine['nproc']} CPUs, {machine['cpu']}, {machine['platform']}\n"
              f"load generator: {generator.describe()}; {args.threads} threads, "
              f"{args.connections} connections, {args.warmup:g} s warm-up + "
              f"{args.duration:g} s per scenario\ncommit: {machine['commit']}")  # fmt: skip
        targets = []
        if args.database in ("all", "sqlite"):
            targets.append(("sqlite", f"sqlite:///{data_dir / 'search.sqlite3'}", "a file"))
        if args.database in ("all", "postgres"):
            pg_url, where = postgres_target(args, cleanups)
            if pg_url:
                targets.append(("postgresql", pg_url, where))
            else:
                print(f"PostgreSQL: {where}")
        for label, url, where in targets:
            print(f"\n== {label} ({where}): building the county", flush=True)
            started = time.perf_counter()
            fixtures = build(harness, url, args.persons)
            print(f"   {fixtures['county_persons']:,} persons in {fixtures['county_households']:,}"
                  f" households in the county; the grid worker's grid: "
                  f"{fixtures['grid_households']} households, {fixtures['grid_persons']} persons "
                  f"(ready after {time.perf_counter() - started:.0f} s)", flush=True)  # fmt: skip
            if args.in_process:
                run = run_in_process(harness, label, url, fixtures, args)
                runs.append(run)
                continue
            run = run_database(label, url, fixtures, generator, args, env)
            run["data"] = {k: fixtures[k] for k in ("county_persons", "county_households",
                                                    "grid_households", "grid_persons")}  # fmt: skip
            runs.append(run)
    except (HarnessError, LoadError, RuntimeError) as exc:
        print(f"\nbench: harness failure: {exc}", file=sys.stderr)
        return 1
    finally:
        for cleanup in reversed(cleanups):
            cleanup()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    for run in runs:
        print_table(run)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / "search.json"
    out.write_text(json.dumps({
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "load": {"generator": generator.name, "threads": args.threads,
                 "connections": args.connections, "warmup_s": args.warmup,
                 "duration_s": args.duration, "queries_per_kind": QUERIES_PER_KIND},
        "target_p95_ms": TARGET_P95_MS,
        "runs": runs,
    }, ensure_ascii=False, indent=2) + "\n")  # fmt: skip
    missed = sum(not r["met"] for run in runs for r in run["results"])
    print(f"\n{missed} scenario(s) missed the target; results in {out.relative_to(REPO_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
