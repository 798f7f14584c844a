"""Daily reporting at province scale: live statistics, freshness and submissions (issue 5).

    .venv/bin/python bench/bench_epidemic.py                 # 20,000 units × 90 days
    .venv/bin/python bench/bench_epidemic.py --units 2000 --days 30 --duration 5
    .venv/bin/python bench/bench_epidemic.py --database sqlite

`--database postgres` (the default): the server of `DATABASE_URL` (a fresh database
`civicgrid_bench_epidemic` on it), or (run as root) a throwaway cluster owned by
`civicgrid-ci`, as in `bench_import_people.py`; figures go to `bench/results/epidemic.json`.
`--database sqlite`: a file of its own, `bench/results/epidemic-sqlite-data/epidemic.sqlite3`
(WAL, as `make run` uses; removed and rebuilt unless `--reuse`), beside the keys the server
makes there; figures go to `bench/results/epidemic-sqlite.json`. Steps:

1. `civicgrid setup` (the demo region: all of Hebei's divisions).
2. `generate` (a child process): a 12-element daily form, `--units` reporting units (health
   rooms of distinct villages and communities drawn across Hebei) and their reports of the
   `--days` days before today, written set-based in SQL, then the live totals and tallies
   rolled up level by level from the reports, as the submit action would have left them, and
   ANALYZE. One statement template for both databases, with the few pieces that differ
   (`Dialect`): PostgreSQL's `jsonb_build_object` and seeded `random()`, SQLite's
   `json_object` and `abs(random()) % n` (not seedable: each SQLite build draws new figures);
   on SQLite the generator's connection takes a 1 GiB page cache. Before the server starts:
   on SQLite its long transactions would hold the one write lock past the busy timeout of the
   server's task worker, which then stops.
3. `civicgrid serve`, then statistics through the API with a provincial token, loaded with wrk
   (p95 ≤ 300 ms on PostgreSQL, ≤ 1 s on SQLite): the province by city, a city by county, a
   county by township and by community, and a township by unit over the last 30 days, and a
   90-day trend of the province, a city and a county. Each scenario is first asked twice
   alone; when the second answer (the first warms the caches) takes more than 2 s it is not
   loaded (wrk's connections would time out at 5 s and leave the workers busy into the next
   scenario) and those two requests stand for it. The reference beside each:
   the counted reports exported to Parquet (written as CSV by the database — PostgreSQL with
   COPY, SQLite through the sqlite3 module in batches — and turned into Parquet by DuckDB),
   and the same figures computed by DuckDB from that file, timed in-process over the same
   number of runs (capped by `--duckdb-runs`); the ratio is ours ÷ DuckDB's p95. Every
   scenario's API answers are then compared with DuckDB's figures (each child division's
   elements and the total, each day of a trend); differences are printed and recorded.
   `--no-duckdb` skips the reference and the comparison.
4. Freshness: submit a report through the API and poll the province's figure until it shows;
   the delay after the submit returns (target ≤ 1 s).
5. Submissions: threads POST new reports of today for distinct units through the API with
   county prevention offices' tokens (target ≥ 200 reports/s on PostgreSQL; SQLite writes one
   transaction at a time, so its figure is informative only).

`others' CPU` is the share of the machine other processes used meanwhile (see
bench/README.md); each statistics row also records the load average after it.

`--skip-statistics` measures only freshness and submissions (steps 1, 2, 4, 5), e.g. while
working on the submit path: `--units 2000 --days 30 --skip-statistics` builds in a few minutes.
`--in-process` measures no load at all: after step 2 it posts `--in-process` new reports of
today through Django's test client in one process (county tokens, as step 5 does) and prints
the CPU milliseconds (`time.process_time`: the web process's share, without PostgreSQL's) and
the SQL statements per submission — the fair before/after figure on a machine others keep
busy — and the CPU milliseconds the PostgreSQL backend serving it used meanwhile (from /proc:
the server must run on this machine), with plan and execution times per statement when
pg_stat_statements is loaded. `--profile` adds cProfile's top functions. `--reuse` measures
the set built earlier again without rebuilding it: `DATABASE_URL`'s database, or SQLite's file.
"""

import argparse
import http.client
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from bench_import_people import (
    RESULTS_DIR,
    Harness,
    ThrowawayCluster,
    fresh_database,
    run_step,
)
from load import LoadGenerator, LoadResult
from machine import CpuMeter, machine_info
from run import measure, postgres_info
from server import REPO_DIR, Server, civicgrid_command

FORM_CODE = "bench-daily"
TARGET_P95_MS = {"postgres": 300, "sqlite": 1000}  # by --database
TARGET_FRESHNESS_S = 1.0
TOO_SLOW_FOR_LOAD_S = 2.0  # a statistics answer slower than this alone is not loaded with wrk
TARGET_SUBMISSIONS = 200
ELEMENTS = [
    ("new_confirmed", "新增确诊病例", "new", 3),
    ("new_suspected", "新增疑似病例", "new", 3),
    ("new_asymptomatic", "新增无症状感染者", "new", 2),
    ("new_cured", "新增治愈出院", "new", 3),
    ("new_deaths", "新增死亡", "new", 1),
    ("cum_confirmed", "累计确诊病例", "cumulative", 60),
    ("cum_cured", "累计治愈出院", "cumulative", 40),
    ("in_hospital", "现有住院病例", "cumulative", 20),
    ("new_contacts", "新增密切接触者", "new", 20),
    ("under_observation", "在观察密切接触者", "cumulative", 80),
    ("fever_visits", "发热门诊就诊人次", "new", 50),
    ("tested", "核酸检测人数", "new", 100),
]  # (code, name, kind, upper bound of the generated figure)
# Midnight, for every form of the set: today's reports are never overdue while the benchmark
# runs. With a morning deadline the server's task worker reminds the 20,000 units that have not
# reported today (2,000 a form every ten minutes, each with its notification and audit record):
# CPU and audit-chain locks taken from the submissions measured beside it.
DEADLINE_HOUR = 24


def today() -> date:
    """The reporting day as the server sees it (Asia/Shanghai)."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


# --- the generator (child process) ------------------------------------------------------------


def step_generate(args: argparse.Namespace) -> dict[str, object]:
    """Form, units and reports, set-based; totals rolled up from the reports."""
    import random

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from civicgrid.accounts.actions import do_issue_api_token
    from civicgrid.accounts.choices import OrganisationType as T
    from civicgrid.accounts.models import Organisation
    from civicgrid.epidemic.demo import build_form
    from civicgrid.epidemic.models import ReportForm
    from civicgrid.regions.models import Division

    # Every form's deadline, the demo's too: the bench units are medical units, which the demo's
    # daily forms ask for as well (see DEADLINE_HOUR).
    ReportForm.objects.update(deadline_hour=DEADLINE_HOUR)
    form = ReportForm.objects.filter(code=FORM_CODE).first()
    if form is not None:
        return _fixtures(form)
    started = time.perf_counter()
    admin = get_user_model().objects.get(username="admin")
    elements = [(c, n, k, "人") for c, n, k, _ in ELEMENTS]
    form = build_form(
        admin, FORM_CODE, "每日疫情报告（基准）", [T.MEDICAL], DEADLINE_HOUR, elements, []
    )
    rng = random.Random(2020)  # noqa: S311 - benchmark data, not secrets
    villages = list(Division.objects.filter(level=5).values_list("code", "name"))
    chosen = sorted(rng.sample(villages, min(args.units, len(villages))))
    Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"{name[:90]}卫生室", type=T.MEDICAL, division_id=code, division_code=code
            )
            for code, name in chosen
        ],
        batch_size=5000,
    )
    units_at = time.perf_counter()
    last = today() - timedelta(days=1)
    days = [last - timedelta(days=n) for n in range(args.days - 1, -1, -1)]
    sql = Dialect(connection.vendor)
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in sql.prepare:
            cursor.execute(statement)
        reports = _insert_reports(cursor, sql, form.pk, days)
        reports_at = time.perf_counter()
        _roll_up(cursor, form.pk)
    totals_at = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("epidemic_report", "epidemic_elementtotal", "epidemic_reporttally"):
            cursor.execute(f"ANALYZE {table}")
    analysed_at = time.perf_counter()
    # Tokens: the province reads; county prevention offices submit for their units.
    province = Organisation.objects.get(name="河北省疫情防控办公室")
    do_issue_api_token(created_by=admin, organisation=province, name="bench-province")
    # Every county with units: a long submission run then reaches all of the province's units
    # (19,695 at province scale: 60 s at over 300 reports/s), spread as real days spread them.
    units = Organisation.objects.filter(name__endswith="卫生室").values_list(
        "division_code", flat=True
    )
    for county in sorted({code[:6] for code in units}):
        office = Organisation.objects.create(
            name="基准县疫情防控办公室", type=T.PREVENTION_OFFICE,
            division_id=f"{county}000000", division_code=f"{county}000000",
        )  # fmt: skip
        do_issue_api_token(created_by=admin, organisation=office, name=f"bench-{county}")
    result = _fixtures(form)
    result["seconds"] = {
        "units": round(units_at - started, 1),
        "reports": round(reports_at - units_at, 1),
        "totals": round(totals_at - reports_at, 1),
        "analyze": round(analysed_at - totals_at, 1),
    }
    result["reports"] = reports
    return result


class Dialect:
    """The generator's SQL pieces that differ between PostgreSQL and SQLite; the statements
    themselves are one template each (`_insert_reports`, `_roll_up`)."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        if vendor == "postgresql":
            self.prepare = ["SELECT setseed(0.2020)"]  # the same figures on every build
            self.json_object = "jsonb_build_object"
            self.empty_list = "'[]'::jsonb"
        else:
            # SQLite's random() takes no seed. The figures' cells are many: a large page cache
            # (1 GiB, this connection only) keeps the indexes' pages in memory while the
            # 24 million total cells go in, instead of rereading them from the file.
            self.prepare = ["PRAGMA cache_size = -1048576"]
            self.json_object = "json_object"
            self.empty_list = "'[]'"

    def below(self, top: int) -> str:
        """A random whole number from 0 to `top` - 1 (`%%`: a parameterised statement's %)."""
        if self.vendor == "postgresql":
            return f"floor(random() * {top})::int"
        return f"(abs(random()) %% {top})"


def _insert_reports(cursor, sql: Dialect, form: int, days: list[date]) -> int:  # type: ignore[no-untyped-def]
    """A submitted report of `form` for every bench unit (medical, "…卫生室") and day."""
    from django.db import connection
    from django.utils import timezone

    figures = ", ".join(f"'{code}', CAST({sql.below(top)} AS text)" for code, _, _, top in ELEMENTS)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    cursor.execute(
        f"""INSERT INTO epidemic_report (form_id, unit_id, division_code, date, "values",
                warnings, status, version, on_time, created_at, updated_at, submitted_at)
            WITH days (d) AS (VALUES {", ".join(["(%s)"] * len(days))})
            SELECT %s, o.id, o.division_code, days.d, {sql.json_object}({figures}),
                {sql.empty_list}, 'submitted', 1, {sql.below(10)} < 9, %s, %s, %s
            FROM accounts_organisation o CROSS JOIN days
            WHERE o.type = 'medical' AND o.name LIKE '%%卫生室'""",  # noqa: S608
        [*(connection.ops.adapt_datefield_value(d) for d in days), form, now, now, now],
    )
    return int(cursor.rowcount)  # -1 from Python's sqlite3 when the WITH came first


def _roll_up(cursor, form: int) -> None:  # type: ignore[no-untyped-def]
    """The live totals and tallies of `form` from its reports, as the submit action would
    have left them: level 5 from the reports, then each level from the one below it. Rows go
    in the order of the unique index (division, date, element): appended, not scattered."""
    cursor.execute(
        """INSERT INTO epidemic_elementtotal (form_id, element_id, division_code, level,
                date, hundredths)
            SELECT r.form_id, e.id, r.division_code, 5, r.date,
                sum(CAST(r."values" ->> e.code AS bigint) * 100)
            FROM epidemic_report r JOIN epidemic_dataelement e ON e.form_id = r.form_id
            WHERE r.form_id = %s GROUP BY r.form_id, r.division_code, r.date, e.id""",
        [form],
    )
    cursor.execute(
        """INSERT INTO epidemic_reporttally (form_id, division_code, level, date, reports,
                on_time)
            SELECT form_id, division_code, 5, date, count(*), count(*) FILTER (WHERE on_time)
            FROM epidemic_report WHERE form_id = %s GROUP BY form_id, division_code, date""",
        [form],
    )
    for level, digits in ((4, 9), (3, 6), (2, 4), (1, 2)):
        key = f"substr(division_code, 1, {digits}) || '{'0' * (12 - digits)}'"
        cursor.execute(
            f"""INSERT INTO epidemic_elementtotal (form_id, element_id, division_code,
                    level, date, hundredths)
                SELECT form_id, element_id, {key}, {level}, date, sum(hundredths)
                FROM epidemic_elementtotal WHERE form_id = %s AND level = {level + 1}
                GROUP BY form_id, {key}, date, element_id""",  # noqa: S608
            [form],
        )
        cursor.execute(
            f"""INSERT INTO epidemic_reporttally (form_id, division_code, level, date,
                    reports, on_time)
                SELECT form_id, {key}, {level}, date, sum(reports), sum(on_time)
                FROM epidemic_reporttally WHERE form_id = %s AND level = {level + 1}
                GROUP BY form_id, {key}, date""",  # noqa: S608
            [form],
        )


def _fixtures(form) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What the measuring side needs: ids, tokens (issued anew), units per county."""
    from civicgrid.accounts.actions import do_issue_api_token
    from civicgrid.accounts.models import ApiToken, Organisation
    from civicgrid.epidemic.models import ElementTotal, Report

    def token(name: str) -> str:
        found = ApiToken.objects.get(name=name)
        return do_issue_api_token(
            created_by=None, organisation=found.organisation, name=f"{name}-{time.time_ns()}",
            jurisdiction=found.jurisdiction,
        ).plaintext  # fmt: skip

    submitters = []
    for found in ApiToken.objects.filter(name__regex=r"^bench-\d{6}$"):
        reported = Report.objects.filter(form=form, date=today()).values("unit_id")
        units = list(
            Organisation.objects.filter(
                division_code__startswith=found.division_code[:6], name__endswith="卫生室"
            )
            .exclude(pk__in=reported)
            .values_list("pk", flat=True)
        )
        submitters.append({"token": token(found.name), "units": units})
    # The busiest county first: freshness takes its trials from the first submitter's units.
    submitters.sort(key=lambda submitter: -len(submitter["units"]))
    unit = Organisation.objects.filter(name__endswith="卫生室").order_by("pk").first()
    return {
        "form": form.pk,
        "province_token": token("bench-province"),
        "submitters": submitters,
        "sample_unit": unit.division_code if unit else "",
        "rows": {
            "reports": Report.objects.filter(form=form).count(),
            "totals": ElementTotal.objects.filter(form=form).count(),
        },
    }


def step_in_process(args: argparse.Namespace) -> dict[str, object]:
    """CPU ms and statements per API submission, through the test client in this process."""
    import cProfile
    import io
    import logging
    import pstats

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from civicgrid.epidemic.models import ReportForm

    settings.ALLOWED_HOSTS = ["*"]
    logging.getLogger("civicgrid.request").disabled = True  # one JSON line per request
    fx = _fixtures(ReportForm.objects.get(code=FORM_CODE))
    work = [(s["token"], unit) for s in fx["submitters"][1:] for unit in s["units"]]
    warmup = 20
    if len(work) < args.in_process + warmup + 1:
        raise RuntimeError(f"only {len(work)} units left without a report of today")
    client = Client()

    def post(token: str, unit: int) -> None:
        body = {"form": fx["form"], "unit": unit, "date": str(today()), "version": 0,
                "values": {code: "2" for code, *_ in ELEMENTS}}  # fmt: skip
        response = client.post("/api/v1/epidemic/reports", body, content_type="application/json",
                               headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        if response.status_code != 201:
            raise RuntimeError(
                f"submit answered {response.status_code}: {response.content[:300]!r}"
            )

    for token, unit in work[:warmup]:
        post(token, unit)
    executed: list[str] = []

    def count(run, sql, *rest):  # type: ignore[no-untyped-def]
        executed.append(sql)
        return run(sql, *rest)

    with connection.execute_wrapper(count):
        post(*work[warmup])
    batch = work[warmup + 1 : warmup + 1 + args.in_process]
    statements = _statement_stats(connection, reset=True)
    # CPU time, not wall time: waits for PostgreSQL would otherwise fill the listing.
    profile = cProfile.Profile(time.process_time) if args.profile else None
    if profile:
        profile.enable()
    backend = _backend_cpu_ms(connection)
    started, wall = time.process_time(), time.perf_counter()
    for token, unit in batch:
        post(token, unit)
    cpu_ms = (time.process_time() - started) / len(batch) * 1000
    wall_ms = (time.perf_counter() - wall) / len(batch) * 1000
    backend_after = _backend_cpu_ms(connection)
    if profile:
        profile.disable()
    pg_cpu_ms = (
        None if backend is None or backend_after is None
        else round((backend_after - backend) / len(batch), 2)
    )  # fmt: skip
    result: dict[str, object] = {
        "submissions": len(batch), "cpu_ms": round(cpu_ms, 2), "wall_ms": round(wall_ms, 2),
        "pg_cpu_ms": pg_cpu_ms, "statements": len(executed),
        "sql": [sql[:100] for sql in executed],
        "pg_statements": _statement_stats(connection, reset=False) if statements else [],
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
    }  # fmt: skip
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(30)
        result["profile"] = out.getvalue()
    return result


def _backend_cpu_ms(connection) -> float | None:  # type: ignore[no-untyped-def]
    """CPU milliseconds (user + system) the PostgreSQL backend of `connection` has used so far,
    from /proc (the server runs on this machine); None elsewhere or without the right."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _statement_stats(connection, *, reset: bool) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """pg_stat_statements of this database: reset it (True when it is there), or its
    statements by total time, with plan and execution milliseconds per call."""
    if connection.vendor != "postgresql":
        return []
    try:
        with connection.cursor() as cursor:
            if reset:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                # This database's statements only: others may be measuring theirs.
                cursor.execute(
                    "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database "
                    "WHERE datname = current_database()), 0)"
                )
                return [{"reset": True}]
            cursor.execute(
                """SELECT calls, total_plan_time, total_exec_time, left(query, 90)
                   FROM pg_stat_statements
                   WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                   ORDER BY total_plan_time + total_exec_time DESC LIMIT 20"""
            )
            return [
                {"calls": calls, "plan_ms": round(plan / calls, 3),
                 "exec_ms": round(run / calls, 3), "query": query}
                for calls, plan, run, query in cursor.fetchall()
            ]  # fmt: skip
    except Exception:  # no extension, or not loaded: the figures are optional
        return []


STEPS = {"generate": step_generate, "in_process": step_in_process}


# --- measuring --------------------------------------------------------------------------------


def request(port: int, method: str, path: str, token: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        conn.request(method, path, json.dumps(body) if body else None, headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def statistics_paths(fx: dict, days: int) -> dict[str, list[str]]:
    api = f"/api/v1/epidemic/forms/{fx['form']}"
    unit = fx["sample_unit"]
    end = today() - timedelta(days=1)
    month = f"start={end - timedelta(days=29)}&end={end}"
    quarter = f"start={end - timedelta(days=min(days, 90) - 1)}&end={end}"
    return {
        "province by city (30 days)": [f"{api}/statistics?within=13&{month}"],
        "city by county (30 days)": [f"{api}/statistics?within={unit[:4]}&{month}"],
        "county by township (30 days)": [f"{api}/statistics?within={unit[:6]}&{month}"],
        "county by community (30 days)": [
            f"{api}/statistics?within={unit[:6]}&by=community&{month}"
        ],
        "township by unit (30 days)": [f"{api}/statistics?within={unit[:9]}&{month}"],
        "90-day trend: province, city, county": [
            f"{api}/trend?element=new_confirmed&within={w}&{quarter}"
            for w in ("13", unit[:4], unit[:6])
        ],
    }


def timed_requests(port: int, path: str, token: str, count: int) -> list[float]:
    """Seconds each of `count` GETs of `path` took, one after the other; any answer but 200
    stops the benchmark."""
    took = []
    for _ in range(count):
        sent = time.perf_counter()
        status, _ = request(port, "GET", path, token)
        took.append(time.perf_counter() - sent)
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
    return took


def freshness(port: int, fx: dict, trials: int = 10) -> list[float]:
    """Seconds from a submit's answer until the province's figure shows it."""
    api = f"/api/v1/epidemic/forms/{fx['form']}/statistics?within=13&start={today()}"
    submitter = fx["submitters"][0]
    for _ in range(4):  # each web worker answers the figures once first (imports, plans)
        request(port, "GET", api, fx["province_token"])
    delays = []
    for unit in submitter["units"][-trials:]:
        _, before = request(port, "GET", api, fx["province_token"])
        old = float(before["total"]["values"].get("tested", 0))
        body = {"form": fx["form"], "unit": unit, "date": str(today()), "version": 0,
                "values": {code: "1" for code, *_ in ELEMENTS}}  # fmt: skip
        status, _ = request(port, "POST", "/api/v1/epidemic/reports", submitter["token"], body)
        returned = time.perf_counter()
        if status not in (200, 201):
            raise RuntimeError(f"submit answered {status}")
        while True:
            _, now = request(port, "GET", api, fx["province_token"])
            if float(now["total"]["values"].get("tested", 0)) >= old + 1:
                delays.append(time.perf_counter() - returned)
                break
            if time.perf_counter() - returned > 30:
                raise RuntimeError("the province never saw the submission")
    return delays


def submissions(port: int, fx: dict, threads: int, duration: float) -> dict[str, object]:
    """Closed loop: each thread posts new reports of today for its own units."""
    work = []
    for submitter in fx["submitters"][1:]:
        work += [(submitter["token"], unit) for unit in submitter["units"]]
    lanes = [work[i::threads] for i in range(threads)]
    done: list[float] = []
    bad: list[int] = []
    stop = time.perf_counter() + duration

    def lane(items: list[tuple[str, int]]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for token, unit in items:
            if time.perf_counter() > stop:
                break
            body = {"form": fx["form"], "unit": unit, "date": str(today()), "version": 0,
                    "values": {code: "2" for code, *_ in ELEMENTS}}  # fmt: skip
            sent = time.perf_counter()
            conn.request("POST", "/api/v1/epidemic/reports", json.dumps(body),
                         {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})  # fmt: skip
            response = conn.getresponse()
            response.read()
            if response.status in (200, 201):
                done.append(time.perf_counter() - sent)
            else:
                bad.append(response.status)
        conn.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=lane, args=(items,)) for items in lanes]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    done.sort()
    return {
        "reports": len(done), "seconds": round(elapsed, 1),
        "per_second": round(len(done) / elapsed, 1) if elapsed else 0.0,
        "p95_ms": round(1000 * done[int(0.95 * (len(done) - 1))], 1) if done else None,
        "errors": len(bad), "units_available": len(work),
    }  # fmt: skip


# --- the DuckDB reference -------------------------------------------------------------------


def export_parquet(url: str, form: int, target) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The counted reports of `form`, one column per element, into a Parquet file.

    The database writes them as CSV to a scratch file (PostgreSQL with COPY, SQLite row by row
    through the sqlite3 module); DuckDB reads that and writes the Parquet (its PostgreSQL and
    SQLite scanner extensions would need a download). Returns rows and seconds."""
    import duckdb

    started = time.perf_counter()
    scratch = target.with_suffix(".csv")
    figures = ", ".join(f""""values" ->> '{code}' AS {code}""" for code, *_ in ELEMENTS)
    select = (
        f"SELECT unit_id, division_code, date, {figures} FROM epidemic_report "  # noqa: S608
        f"WHERE form_id = {int(form)} AND status IN ('submitted', 'confirmed', 'locked')"
    )
    if url.startswith("sqlite"):
        _sqlite_csv(url, select, scratch)
    else:
        _postgres_csv(url, select, scratch)
    columns = {"unit_id": "BIGINT", "division_code": "VARCHAR", "date": "DATE"}
    columns.update({code: "DECIMAL(18, 2)" for code, *_ in ELEMENTS})
    con = duckdb.connect()
    try:
        con.execute(
            f"COPY (SELECT * FROM read_csv(?, header = true, columns = {columns!r})) "  # noqa: S608
            f"TO '{target}' (FORMAT parquet)",
            [str(scratch)],
        )
        rows = con.execute("SELECT count(*) FROM read_parquet(?)", [str(target)]).fetchone()[0]
    finally:
        con.close()
        scratch.unlink(missing_ok=True)
    return {"rows": rows, "seconds": round(time.perf_counter() - started, 1),
            "bytes": target.stat().st_size}  # fmt: skip


def _postgres_csv(url: str, select: str, scratch: Path) -> None:
    import psycopg

    with (
        psycopg.connect(url) as conn,
        conn.cursor() as cursor,
        scratch.open("wb") as out,
        cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv, HEADER)") as copy,
    ):
        for chunk in copy:
            out.write(chunk)


def _sqlite_csv(url: str, select: str, scratch: Path) -> None:
    """`select`'s rows as CSV with a header, fetched in batches (flat memory), read-only."""
    import csv
    import sqlite3

    conn = sqlite3.connect(f"file:{sqlite_path(url)}?mode=ro", uri=True)
    try:
        cursor = conn.execute(select)
        with scratch.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow([column[0] for column in cursor.description])
            while batch := cursor.fetchmany(50_000):
                writer.writerows(batch)
    finally:
        conn.close()


def set_up(url: str, env: dict[str, str], log_path: Path) -> None:
    """`civicgrid setup` on `url` (migrations, the demo region and accounts), as `Server` runs
    it before serving: the generator needs the divisions and the admin."""
    with log_path.open("wb") as log:
        done = subprocess.run(
            [civicgrid_command(), "setup"], cwd=REPO_DIR, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, **env, "DATABASE_URL": url}, check=False,
        )  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"civicgrid setup failed: see {log_path}")


def sqlite_database(path: Path, *, reuse: bool) -> str:
    """The URL of a SQLite database at `path`, removed first (with its WAL) unless `reuse`."""
    if not reuse:
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _file_bytes(url: str) -> int:
    """The SQLite database's size on disk, its WAL included."""
    path = sqlite_path(url)
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def sqlite_path(url: str) -> Path:
    """The file of a `sqlite:///…` URL (an absolute path: `sqlite:////abs/path`)."""
    return Path(url.removeprefix("sqlite:///"))


def duckdb_queries(fx: dict, days: int) -> dict[str, list[tuple[str, dict[str, object]]]]:
    """The statistics scenarios of `statistics_paths` as DuckDB SQL over the view `r`.

    As the API computes them: a new-count element summed over the range, a cumulative one read
    on the last day, grouped by the child division's code (or by unit below a township); the
    trend sums one element per day."""
    unit = fx["sample_unit"]
    end = today() - timedelta(days=1)
    month = (end - timedelta(days=29), end)
    quarter = (end - timedelta(days=min(days, 90) - 1), end)
    sums = ", ".join(
        f"sum({code}) FILTER (WHERE date = $end) AS {code}" if kind == "cumulative"
        else f"sum({code}) AS {code}"
        for code, _, kind, _ in ELEMENTS
    )  # fmt: skip

    def table(key: str, within: str) -> tuple[str, dict[str, object]]:
        sql = (f"SELECT {key} AS k, {sums} FROM r WHERE date BETWEEN $start AND $end "  # noqa: S608
               f"AND starts_with(division_code, $within) GROUP BY k ORDER BY k")  # fmt: skip
        return sql, {"start": month[0], "end": month[1], "within": within}

    def trend(within: str) -> tuple[str, dict[str, object]]:
        sql = ("SELECT date, sum(new_confirmed) FROM r WHERE date BETWEEN $start AND $end "
               "AND starts_with(division_code, $within) GROUP BY date ORDER BY date")  # fmt: skip
        return sql, {"start": quarter[0], "end": quarter[1], "within": within}

    return {
        "province by city (30 days)": [table("substr(division_code, 1, 4)", "13")],
        "city by county (30 days)": [table("substr(division_code, 1, 6)", unit[:4])],
        "county by township (30 days)": [table("substr(division_code, 1, 9)", unit[:6])],
        "county by community (30 days)": [table("division_code", unit[:6])],
        "township by unit (30 days)": [table("unit_id", unit[:9])],
        "90-day trend: province, city, county": [trend(w) for w in ("13", unit[:4], unit[:6])],
    }


def duckdb_reference(parquet, queries: dict, runs: dict[str, int]) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """p95 of each scenario's DuckDB query over the Parquet file, `runs[name]` times (the
    scenario's queries in turn, as wrk walks its paths), after one warm-up run each."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE VIEW r AS SELECT * FROM read_parquet('{parquet}')")  # noqa: S608
    out = {}
    try:
        for name, items in queries.items():
            for sql, params in items:
                con.execute(sql, params).fetchall()
            latencies = []
            for i in range(max(1, runs.get(name, 1))):
                sql, params = items[i % len(items)]
                sent = time.perf_counter()
                con.execute(sql, params).fetchall()
                latencies.append(time.perf_counter() - sent)
            latencies.sort()
            out[name] = {
                "runs": len(latencies),
                "p50_ms": round(1000 * latencies[len(latencies) // 2], 2),
                "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 2),
            }
    finally:
        con.close()
    return out


def run_reference(
    url: str, fx: dict, args: argparse.Namespace, rows: list, data_dir, port: int
) -> dict:  # type: ignore[no-untyped-def]
    """Export, then each scenario in DuckDB beside ours: p95s and ours ÷ DuckDB; and whether
    our answers hold DuckDB's figures."""
    parquet = data_dir / "epidemic-reports.parquet"
    exported = export_parquet(url, fx["form"], parquet)
    print(f"   DuckDB reference: {exported['rows']:,} reports to Parquet "
          f"({exported['bytes'] / 1e6:.1f} MB) in {exported['seconds']} s", flush=True)  # fmt: skip
    runs = {r["scenario"]: min(int(r["requests"]), args.duckdb_runs) for r in rows}
    figures = duckdb_reference(parquet, duckdb_queries(fx, args.days), runs)
    for row in rows:
        ref = figures.get(row["scenario"])
        if not ref:
            continue
        ratio = row["p95_ms"] / ref["p95_ms"] if ref["p95_ms"] else None
        row["duckdb"] = {**ref, "ratio_p95": round(ratio, 1) if ratio else None}
        print(f"   {row['scenario']}: ours p95 {row['p95_ms']:.1f} ms (HTTP, {args.connections} "
              f"connections) | DuckDB p95 {ref['p95_ms']:.2f} ms in-process over {ref['runs']} "
              f"runs | ratio {ratio or 0:.1f}×", flush=True)  # fmt: skip
    agreement = check_answers(port, fx, args.days, parquet)
    print(f"   answers: {agreement['checked']} of the API's answers compared with DuckDB's "
          f"figures over the reports, {len(agreement['mismatches'])} differ"
          + "".join(f"\n      {m}" for m in agreement["mismatches"]), flush=True)  # fmt: skip
    parquet.unlink(missing_ok=True)
    return {"export": exported, "duckdb_version": _duckdb_version(), "scenarios": figures,
            "agreement": agreement}  # fmt: skip


def check_answers(port: int, fx: dict, days: int, parquet) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Each scenario's API answers against DuckDB's figures from the exported reports: every
    element of every child division (by its code) and of the total, or of every day of a
    trend. Rows of units (no code) are checked through the total."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE VIEW r AS SELECT * FROM read_parquet('{parquet}')")  # noqa: S608
    paths, queries = statistics_paths(fx, days), duckdb_queries(fx, days)
    mismatches, checked = [], 0
    try:
        for name, items in queries.items():
            for path, (sql, params) in zip(paths[name], items, strict=True):
                status, answer = request(port, "GET", path, fx["province_token"])
                if status != 200:
                    mismatches.append(f"{path}: HTTP {status}")
                    continue
                ours, theirs = _answer_figures(answer), _duckdb_figures(con.execute(sql, params))
                for key in sorted(ours.keys() | theirs.keys()):
                    a, b = ours.get(key, {}), theirs.get(key, {})
                    if any(a.get(c, 0) != b.get(c, 0) for c in a.keys() | b.keys()):
                        mismatches.append(f"{path} {key}: API {a} ≠ DuckDB {b}")
                checked += 1
    finally:
        con.close()
    return {"checked": checked, "mismatches": mismatches[:20]}


def _answer_figures(answer: dict) -> dict[str, dict[str, Decimal]]:
    """An API answer as key → element → figure: a trend's days, or the statistics' rows that
    name a division and the total."""
    if "dates" in answer:
        return {
            d: {"value": Decimal(str(v))}
            for d, v in zip(answer["dates"], answer["values"], strict=True)
        }
    rows = [(r["code"], r["values"]) for r in answer["rows"] if r["code"]]
    rows.append(("total", answer["total"]["values"]))
    return {key: {c: Decimal(str(v)) for c, v in values.items()} for key, values in rows}


def _duckdb_figures(result) -> dict[str, dict[str, Decimal]]:  # type: ignore[no-untyped-def]
    """DuckDB's answer in `_answer_figures`' shape: a trend by day, or the statistics by
    division code (unit ids only count towards the total)."""
    columns = [c[0] for c in result.description]
    found = result.fetchall()
    if columns[0] == "date":
        return {str(d): {"value": v or Decimal(0)} for d, v in found}
    out: dict[str, dict[str, Decimal]] = {"total": {}}
    for key, *figures in found:
        values = {c: v or Decimal(0) for c, v in zip(columns[1:], figures, strict=True)}
        if isinstance(key, str):
            out[key] = values
        for c, v in values.items():
            out["total"][c] = out["total"].get(c, Decimal(0)) + v
    return out


def _duckdb_version() -> str:
    import duckdb

    return str(duckdb.__version__)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--step"]:
        return run_step(argv, STEPS, ("units", "days", "in-process", "profile"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres",
                        help="sqlite: a file of its own under bench/results/epidemic-sqlite-data, "
                        "results in epidemic-sqlite.json")  # fmt: skip
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--submit-threads", type=int, default=8)
    parser.add_argument(
        "--no-duckdb",
        dest="duckdb",
        action="store_false",
        help="skip the DuckDB reference (export of the reports to Parquet, same queries)",
    )
    parser.add_argument("--duckdb-runs", type=int, default=2000,
                        help="at most this many DuckDB runs per scenario (else as many as wrk made)")  # fmt: skip
    parser.add_argument("--skip-statistics", action="store_true",
                        help="only freshness and submissions (no statistics, no DuckDB)")  # fmt: skip
    parser.add_argument("--in-process", type=int, default=0, metavar="N",
                        help="no load: CPU ms and statements per submission over N submissions "
                        "through the test client")  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="with --in-process: cProfile")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database built by an earlier run as it is, no rebuild: DATABASE_URL's "
        "(postgres) or the data directory's file (sqlite)",
    )
    args = parser.parse_args(argv)
    load = argparse.Namespace(duration=args.duration, connections=args.connections, threads=2,
                              attempts=2, warmup=2, settle=15)  # fmt: skip
    sqlite = args.database == "sqlite"
    stem = "epidemic-sqlite" if sqlite else "epidemic"  # of the data directory, logs, results
    data_dir = RESULTS_DIR / f"{stem}-data"
    data_dir.mkdir(parents=True, exist_ok=True)
    cluster = None
    if sqlite:
        url = sqlite_database(data_dir / "epidemic.sqlite3", reuse=args.reuse)
    else:
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith("postgres"):
            cluster = ThrowawayCluster(database="civicgrid_bench_epidemic")
            url = cluster.start()
    try:
        if not cluster and not sqlite and not args.reuse:
            url, _drop = fresh_database(url, "civicgrid_bench_epidemic")
        env = {"CIVICGRID_DATA_DIR": str(data_dir)}
        # The set is written before the server starts: on SQLite the generator's long
        # transactions hold the one write lock past the busy timeout of the server's task
        # worker, which then stops (and `civicgrid serve` with it).
        set_up(url, env, RESULTS_DIR / f"setup-{stem}.log")
        print("generating the province-scale set …", flush=True)
        fx = Harness(data_dir, 0, __file__).step("generate", url, units=args.units, days=args.days)
        print(f"   {fx['rows']['reports']:,} reports, {fx['rows']['totals']:,} total cells; "
              f"seconds: {fx.get('seconds')}", flush=True)  # fmt: skip
        with Server(
            database_url=url, log_path=RESULTS_DIR / f"server-{stem}.log", env=env
        ) as server:
            if args.in_process:
                got = Harness(data_dir, 0, __file__).step(
                    "in_process", url, in_process=args.in_process, profile=int(args.profile)
                )
                print(got.pop("profile", ""), end="")
                print(f"   in process, {got['submissions']} submissions: {got['cpu_ms']} CPU ms "
                      f"(PostgreSQL's backend: {got['pg_cpu_ms']} ms) and {got['statements']} "
                      f"statements per submission (wall {got['wall_ms']} ms); loadavg "
                      f"{' '.join(got['loadavg'])}", flush=True)  # fmt: skip
                for sql in got["sql"]:
                    print(f"      {sql}")
                for row in got["pg_statements"]:
                    print(f"      {row['calls']:>6} × plan {row['plan_ms']:.3f} + exec "
                          f"{row['exec_ms']:.3f} ms  {row['query']}")  # fmt: skip
                return 0
            version, postmaster = (
                (f"SQLite {sqlite3.sqlite_version}", None) if sqlite else postgres_info(url)
            )
            meter = CpuMeter(server.pid, frozenset([postmaster]) if postmaster else frozenset())
            generator = LoadGenerator()
            rows = []
            scenarios = {} if args.skip_statistics else statistics_paths(fx, args.days)
            for name, paths in scenarios.items():
                # Two answers alone first (the first warms the caches). When the second is
                # slower than 2 s, each of wrk's connections would wait about twice as long on
                # two cores, past its 5 s timeout, and the workers would go on answering the
                # requests it gave up on into the next scenario: the two stand for the load.
                single = timed_requests(server.port, paths[0], fx["province_token"], 2)
                if single[-1] > TOO_SLOW_FOR_LOAD_S:
                    result = LoadResult("single requests (too slow to load)", len(single),
                                        sum(single), 1000 * min(single), 1000 * max(single),
                                        1000 * max(single), 0, 0)  # fmt: skip
                    cpu = None
                else:
                    result, cpu, _ = measure(generator, server.base_url, meter, load, paths=paths,
                                             headers={"Authorization": f"Bearer {fx['province_token']}"})  # fmt: skip
                met = result.p95_ms <= TARGET_P95_MS[args.database] and result.errors == 0
                loadavg = Path("/proc/loadavg").read_text().split()[:3]
                others = round(cpu.others_share, 3) if cpu else None
                rows.append({"scenario": name, **result.as_dict(), "loadavg": loadavg,
                             "others_cpu_share": others, "met": met})  # fmt: skip
                print(f"   {name}: {result.rps:.1f} req/s, p50 {result.p50_ms:.1f} ms, p95 "
                      f"{result.p95_ms:.1f} ms, errors {result.errors}, others "
                      f"{'?' if others is None else f'{others:.0%}'}, loadavg {' '.join(loadavg)}"
                      f"{'' if cpu else ' (' + result.generator + ')'}"
                      f"{'' if met else '  MISSED'}", flush=True)  # fmt: skip
            reference: dict[str, object] = {}
            if args.duckdb and rows:
                reference = run_reference(url, fx, args, rows, data_dir, server.port)
            delays = freshness(server.port, fx)
            print(f"   freshness: max {max(delays) * 1000:.0f} ms after the submit returned "
                  f"({len(delays)} trials)", flush=True)  # fmt: skip
            meter.start()
            submitted = submissions(server.port, fx, args.submit_threads, args.duration)
            cpu = meter.stop()
            submitted["others_cpu_share"] = round(cpu.others_share, 3)
            # What a report costs the server (web workers and PostgreSQL), without this
            # process's client threads, which share the two cores with it.
            reports = max(1, int(submitted["reports"]))
            submitted["server_cpu_ms"] = round(cpu.server_cpu_s * 1000 / reports, 2)
            submitted["database_cpu_ms"] = round(cpu.database_cpu_s * 1000 / reports, 2)
            submitted["client_cpu_ms"] = round(cpu.harness_cpu_s * 1000 / reports, 2)
            if sqlite:
                # One writer at a time: the 200/s target is PostgreSQL's.
                submitted["note"] = "SQLite: one writer at a time; informative only"
            print(f"   submissions: {submitted}", flush=True)
        summary = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine_info(REPO_DIR), "database": version,
            "target_p95_ms": TARGET_P95_MS[args.database],
            "database_bytes": _file_bytes(url) if sqlite else None,
            "units": args.units, "days": args.days, "generated": fx,
            "statistics": rows,
            "duckdb_reference": reference,
            "freshness_ms": [round(d * 1000, 1) for d in delays],
            "submissions": submitted,
        }  # fmt: skip
        for secret in ("province_token", "submitters"):
            summary["generated"].pop(secret, None)
        (RESULTS_DIR / f"{stem}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    finally:
        if cluster:
            cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
