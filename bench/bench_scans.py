"""Gate scans at the API, and the community dashboard over 30 days of passes, on PostgreSQL 15.

    .venv/bin/python bench/bench_scans.py                         # both targets
    .venv/bin/python bench/bench_scans.py --duration 10           # a quicker look
    .venv/bin/python bench/bench_scans.py --data-dir /tmp/cg-scans  # build once, reuse after
    DATABASE_URL=postgres://user@host/db .venv/bin/python bench/bench_scans.py

Targets (issue 6):
- Scan ingest through the real server and PostgreSQL with durable commits (fsync and
  synchronous_commit on), from a load generator in another process: at least 600 scans/s
  sustained for 60 s with p99 at most 150 ms, reported beside the framework ceiling (ping)
  of the same run. Every acknowledged scan is in the database afterwards, and a phone that
  retries gets no duplicate.
- The community dashboard with 30 days of scans for 5,000 residents: p95 at most 200 ms.

The data: `civicgrid setup` (the demo region, accounts and register) in a fresh database, as
`bench_search.py` builds it (a fresh database on the server of DATABASE_URL, or run as root a
throwaway PostgreSQL 15 cluster owned by `civicgrid-ci`, durable), whose demo gives 东南关 (the
demo community) three gates and its default alert rules (`community.demo`). Then `--residents`
resident accounts for the people of the community's register, each with a session (the
phone's sign-in, kept 90 days) and a CSRF cookie, as the scan page's phone sends them.

The scan load: wrk (a Lua script, `SCAN_SCRIPT`) posts `{"token", "direction"}` to
`/api/v1/community/scans` as those residents, round-robin, each alternating out and in, with
a fresh `Idempotency-Key` per scan; a share (`--retry-share`, 10 %) of the requests are
retries: the exact request (key, session, body) sent RETRY_LAG requests before, as a phone
re-sends a scan whose answer it lost. wrk counts the answers (a new pass: 201; a replay:
`Idempotent-Replayed: true`; a double tap caught by the database: 200; a retry racing its
original: 409). Afterwards the database is counted: new passes must equal the 201s that were
not replays, no pass may be a duplicate, every idempotency record must be complete.

The dashboard: passes for 30 days are generated in one INSERT … SELECT, in time order as gates
write them (an exit and an entry a day for each of 5,000 people of the community, at
spread-out times, today's up to now), after the register of 东南关 is filled up to 5,000 people with generated households
through the bulk importer (as `bench_search.py` fills the county). The scan run's passes are
deleted first (at 600/s a minute gives every resident seven more passes today than the data
holds). Then the community staff's dashboard page (`/community/?code=…`) and the API
(`/api/v1/community/dashboard/…`) are loaded with the staff member's session; p95 is read at
4 and 16 connections.

The scans and the ping also report the server's CPU per request (web workers and the
PostgreSQL backends, `machine.CpuMeter`): what a scan costs, which a busy neighbour inflates far
less than it does the throughput. The residents are the same in every run, so each run first
deletes the passes earlier runs of the same day gave them: otherwise each resident's exits
would pass the demo rule's limit (5 a day) from the third run or so, that run would raise each
one's first alert of the day (an insert and the grid workers' notifications), and the
community's day would hold several days' worth of passes for the dashboard to count.

Results go to bench/results/scans.json.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

from bench_import_people import (
    Harness,
    ensure_file,
    run_step,
    step_generate,
    step_import,
)
from bench_search import postgres_target, step_setup
from load import LoadError, LoadGenerator, LoadResult
from machine import CpuMeter, machine_info, wait_for_quiet
from run import measure, postgres_info
from server import REPO_DIR, HarnessError, Server

RESULTS_DIR = REPO_DIR / "bench" / "results"
PG_DATABASE = "civicgrid_bench_scans"
COMMUNITY = "131128100001"  # 东南关居民委员会 (accounts.demo.COMMUNITY)
STAFF = "community_staff"
SCAN_PATH = "/api/v1/community/scans"
TARGET_SCANS_PER_S = 600
TARGET_SCAN_P99_MS = 150
TARGET_DASHBOARD_P95_MS = 200
DASHBOARD_RESIDENTS = 5_000
DASHBOARD_DAYS = 30
RETRY_LAG = 64  # a retry re-sends the request made this many requests earlier (by then answered)
FILE_SEED = 2031  # the generated households' seed: not the demo register's, nor bench_search's
CSRF_TOKEN = "benchscanscsrftokenbenchscans123"  # noqa: S105 - 32 characters, a CSRF cookie secret

# Each wrk thread takes its own slice of the residents (lines of DATA) and walks it in turn;
# each resident alternates out and in, so no two scans of one resident in one direction come
# within the double-tap window (two rounds of the slice take longer). The measured run goes on
# where its warm-up stopped (STARTS: each thread's scans so far), not from the slice's start:
# else a resident the warm-up reached late would pass out again one round (not two) later.
SCAN_SCRIPT = """
local DATA, TOKENS, THREADS, RETRY, LAG, RUN = "%(data)s", {%(tokens)s}, %(threads)d, %(retry)f,
  %(lag)d, "%(run)s"
local STARTS = {%(starts)s}
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
init = function(args)
  local all = {}
  for line in io.lines(DATA) do table.insert(all, line) end
  mine, outside, ring = {}, {}, {}
  start = STARTS[id] or 0
  for i = id, #all, THREADS do
    table.insert(mine, all[i])
  end
  for j = 1, #mine do  -- outside after the scans so far: an odd number of them
    local before = j <= start and math.floor((start - j) / #mine) + 1 or 0
    outside[j] = before %% 2 == 1
  end
  sent, retries, created, replayed, deduped, conflicts, other = 0, 0, 0, 0, 0, 0, 0
  samples = ""
  math.randomseed(id * 7919)
end
request = function()
  if sent > LAG and math.random() < RETRY then
    retries = retries + 1
    return ring[(sent + 1) %% LAG]  -- the oldest of the last LAG requests
  end
  sent = sent + 1
  local i = (start + sent - 1) %% #mine + 1
  outside[i] = not outside[i]
  local body = string.format('{"token":"%%s","direction":"%%s"}',
    TOKENS[(sent %% #TOKENS) + 1], outside[i] and "out" or "in")
  local req = wrk.format("POST", "%(path)s", {
    ["Cookie"] = mine[i] .. "; csrftoken=%(csrf)s", ["X-CSRFToken"] = "%(csrf)s",
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("%%s-%%d-%%d", RUN, id, sent)}, body)
  ring[sent %% LAG] = req
  return req
end
response = function(status, headers, body)
  -- Header names are case-insensitive: some servers send them lower-cased.
  if headers["Idempotent-Replayed"] or headers["idempotent-replayed"] then
    replayed = replayed + 1
  elseif status == 201 then created = created + 1
  elseif status == 200 then deduped = deduped + 1
  elseif status == 409 then conflicts = conflicts + 1
  else
    other = other + 1
    if #samples < 600 then samples = samples .. status .. " " .. body:sub(1, 120) .. " | " end
  end
end
extra_report = function()
  local t = {sent = 0, retries = 0, created = 0, replayed = 0, deduped = 0, conflicts = 0,
             other = 0}
  local samples, walked = "", {}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(t) do t[name] = t[name] + thread:get(name) end
    samples = samples .. thread:get("samples")
    table.insert(walked, thread:get("start") + thread:get("sent"))
  end
  samples = samples:gsub('[\\\\"%%c]', "'")
  return string.format('{"sent":%%d,"retries":%%d,"created":%%d,"replayed":%%d,' ..
    '"deduped":%%d,"conflicts":%%d,"other":%%d,"samples":"%%s","walked":[%%s]}', t.sent,
    t.retries, t.created, t.replayed, t.deduped, t.conflicts, t.other, samples,
    table.concat(walked, ","))
end
"""
COUNTS = ("sent", "retries", "created", "replayed", "deduped", "conflicts", "other")


# --- steps run in child processes -------------------------------------------------------------


def _staff():  # type: ignore[no-untyped-def]
    from civicgrid.accounts.models import User

    return User.objects.get(username=STAFF)


def gate_tokens() -> list[str]:
    """The poster tokens of the community's gates: the demo's (`community.demo`, loaded by
    `civicgrid setup`), made now if the database predates it."""
    from civicgrid.community import tokens
    from civicgrid.community.demo import do_load_demo_community
    from civicgrid.community.models import Checkpoint

    do_load_demo_community()
    gates = Checkpoint.objects.filter(division_code=COMMUNITY, is_active=True).order_by("pk")
    return [tokens.poster_token(gate) for gate in gates[:3]]


def _forget_todays_scans() -> int:
    """Delete the passes the benchmark's residents made today (earlier runs, or this run's
    scans); VACUUM now rather than autovacuum in a measured minute. How many were deleted."""
    from django.db import connection
    from django.utils import timezone

    from civicgrid.community.models import PassRecord

    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    _, deleted = PassRecord.objects.filter(
        user__username__startswith="bench_r", scanned_at__gte=midnight
    ).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {PassRecord._meta.db_table}")
    return deleted.get(PassRecord._meta.label, 0)


def step_forget_scans(args: argparse.Namespace) -> dict[str, object]:
    return {"deleted": _forget_todays_scans()}


def step_prepare(args: argparse.Namespace) -> dict[str, object]:
    """Gates, rules, and resident accounts with sessions; the sessions go to `args.file`."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from civicgrid.accounts.models import User
    from civicgrid.population.choices import PersonStatus
    from civicgrid.population.models import Person

    started = time.perf_counter()
    gates = gate_tokens()
    _forget_todays_scans()
    people = list(
        Person.objects.filter(
            division_code=COMMUNITY, status=PersonStatus.LIVING_HERE, household__isnull=False
        ).order_by("pk")[: args.residents]
    )
    existing = set(
        User.objects.filter(username__startswith="bench_r").values_list("username", flat=True)
    )
    # People who already have an account of their own (the demo residents) keep it.
    taken = set(User.objects.exclude(id_number_hash=None).values_list("id_number_hash", flat=True))
    people = [p for p in people if p.id_number_hash not in taken or f"bench_r{p.pk}" in existing]
    User.objects.bulk_create(
        [
            User(
                username=f"bench_r{p.pk}",
                full_name=p.name,
                is_resident=True,
                id_number=p.id_number.reveal(),
                password="!",  # noqa: S106 - unusable: residents sign in with an SMS code
            )
            for p in people
            if f"bench_r{p.pk}" not in existing
        ],
        batch_size=1000,
    )
    users = User.objects.filter(username__in=[f"bench_r{p.pk}" for p in people])
    backend = settings.AUTHENTICATION_BACKENDS[0]
    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    lines = []
    for user in users.iterator():
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        lines.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    Path(args.file).write_text("\n".join(lines) + "\n")
    return {"residents": len(lines), "tokens": gates,
            "seconds": round(time.perf_counter() - started, 1), **step_count(args)}  # fmt: skip


def step_count(args: argparse.Namespace) -> dict[str, object]:
    """What the database holds: passes (all, and duplicates of one tap), idempotency records."""
    from django.db.models import Count

    from civicgrid.community.models import PassRecord
    from civicgrid.core.models import IdempotencyRecord

    scans = IdempotencyRecord.objects.filter(path=SCAN_PATH)
    return {
        "passes": PassRecord.objects.count(),
        "duplicate_taps": PassRecord.objects.values("subject_key", "direction", "tap_window")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count(),
        "idempotency_records": scans.count(),
        "idempotency_incomplete": scans.filter(status_code__isnull=True).count(),
    }


def step_durability(args: argparse.Namespace) -> dict[str, object]:
    from django.db import connection

    with connection.cursor() as cursor:
        settings = {}
        for name in ("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    return settings


def step_dashboard_data(args: argparse.Namespace) -> dict[str, object]:
    """30 days of passes for DASHBOARD_RESIDENTS people of the community, in one statement:
    an exit in the morning and an entry in the afternoon each day, minutes spread by person;
    today's only up to now. Returns the counts and the staff member's session cookie."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from civicgrid.community.models import Checkpoint, PassRecord
    from civicgrid.population.choices import PersonStatus
    from civicgrid.population.models import Person

    started = time.perf_counter()
    gate = Checkpoint.objects.filter(division_code=COMMUNITY, is_active=True).order_by("pk")[0]
    people = Person.objects.filter(
        division_code=COMMUNITY, status=PersonStatus.LIVING_HERE, household__isnull=False
    )
    if not PassRecord.objects.filter(subject_key__startswith="bench:").exists():
        ids = list(people.order_by("pk").values_list("pk", flat=True)[:DASHBOARD_RESIDENTS])
        now = timezone.now()
        midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        first_day = midnight - timedelta_days(DASHBOARD_DAYS - 1)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO community_passrecord (checkpoint_id, division_code, grid_id,
                    direction, kind, proof, person_id, household_id, visitor_name,
                    visitor_mobile, visitor_mobile_hash, visitor_reason, visitor_host,
                    scanned_at, subject_key, tap_window)
                SELECT %s, p.division_code, p.grid_id, d.direction, 'resident', 'poster',
                    p.id, p.household_id, '', NULL, NULL, '', '', t.at,
                    'bench:' || p.id, floor(extract(epoch FROM t.at) / 10)::bigint
                FROM population_person p
                CROSS JOIN generate_series(0, %s) AS day(n)
                CROSS JOIN (VALUES ('out', 7), ('in', 10)) AS d(direction, hour)
                CROSS JOIN LATERAL (SELECT %s::timestamptz + make_interval(days => day.n,
                    hours => d.hour, mins => ((p.id * 37) %% 600)::int) AS at) AS t
                WHERE p.id = ANY(%s) AND t.at <= %s
                ORDER BY t.at
                """,
                [gate.pk, DASHBOARD_DAYS - 1, first_day, ids, now],
            )
            cursor.execute("ANALYZE community_passrecord")
    client = Client()
    client.force_login(_staff())
    return {
        "residents": min(people.count(), DASHBOARD_RESIDENTS),
        "passes": PassRecord.objects.count(),
        "generated_passes": PassRecord.objects.filter(subject_key__startswith="bench:").count(),
        "seconds": round(time.perf_counter() - started, 1),
        "cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
    }


def step_community_people(args: argparse.Namespace) -> dict[str, object]:
    from civicgrid.population.models import Person

    return {"persons": Person.objects.filter(division_code=COMMUNITY).count()}


def timedelta_days(days: int):  # type: ignore[no-untyped-def]
    import datetime

    return datetime.timedelta(days=days)


STEPS = {
    "setup": step_setup,
    "generate": step_generate,
    "import": step_import,
    "prepare": step_prepare,
    "count": step_count,
    "durability": step_durability,
    "dashboard_data": step_dashboard_data,
    "community_people": step_community_people,
    "forget_scans": step_forget_scans,
}


# --- measuring --------------------------------------------------------------------------------


def scan_script(
    data: Path, tokens: list[str], args: argparse.Namespace, run: str,
    starts: list[int] | None = None,
) -> str:  # fmt: skip
    """The wrk script of one run (`run` prefixes its keys), each thread going on after `starts`
    scans of its slice (a warm-up's `walked`)."""
    listed = ", ".join(f'"{token}"' for token in tokens)
    return SCAN_SCRIPT % {"data": data, "tokens": listed, "threads": args.threads,
                          "retry": args.retry_share, "lag": RETRY_LAG, "run": run,
                          "starts": ", ".join(str(int(n)) for n in starts or []),
                          "path": SCAN_PATH, "csrf": CSRF_TOKEN}  # fmt: skip


def add_counts(total: dict[str, int], result: LoadResult) -> None:
    extra = result.extra or {}
    for name in COUNTS:
        total[name] = total.get(name, 0) + int(extra.get(name, 0))  # type: ignore[call-overload]
    if extra.get("samples"):
        print(f"   unexpected answers: {extra['samples']}")


def check_scan(server: Server, cookie: str, token: str) -> None:
    """One scan by hand: it must be accepted (else the load would measure refusals)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("POST", SCAN_PATH, body=json.dumps({"token": token, "direction": "out"}),
                     headers={"Cookie": f"{cookie}; csrftoken={CSRF_TOKEN}",
                              "X-CSRFToken": CSRF_TOKEN, "Content-Type": "application/json"})  # fmt: skip
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status not in (200, 201):
        raise HarnessError(f"a scan answered {response.status}: {body[:300]!r}")


def run_scans(
    harness: Harness, url: str, server: Server, fixtures: dict, generator: LoadGenerator,
    meter: CpuMeter, args: argparse.Namespace,
) -> dict[str, object]:  # fmt: skip
    """Warm-up and the measured run, with wrk's answer counts and the database's before and
    after (every request of both runs is counted)."""
    data = Path(fixtures["file"])
    check_scan(server, data.read_text().split("\n", 1)[0], fixtures["tokens"][0])
    before = harness.step("count", url)
    total: dict[str, int] = {}
    common = {"connections": args.connections, "threads": args.threads}
    stamp = datetime.now(UTC).strftime("%H%M%S")
    if args.settle > 0 and (busy := wait_for_quiet(args.settle)) is not None:
        print(f"   note: the machine stayed busy ({busy:.0%} of the CPUs); measuring anyway")
    warm = generator.run(
        server.base_url, duration=args.warmup,
        script=scan_script(data, fixtures["tokens"], args, f"w{stamp}"),
        **common,
    )  # fmt: skip
    add_counts(total, warm)
    meter.start()
    result = generator.run(
        server.base_url, duration=args.scan_duration,
        script=scan_script(
            data, fixtures["tokens"], args, f"m{stamp}", (warm.extra or {}).get("walked", [])
        ),
        **common,
    )  # fmt: skip
    cpu = meter.stop()
    add_counts(total, result)
    after = harness.step("count", url)
    new_passes = after["passes"] - before["passes"]
    new_records = after["idempotency_records"] - before["idempotency_records"]
    # Requests still in flight when wrk stops are served, but their answers are never read:
    # at most one per connection and run. (The scan checked by hand came before `before`.)
    unanswered = new_passes - total["created"]
    checks = {
        # Every scan acknowledged as new (201, not a replay) is a pass in the database, and
        # beyond them only the unanswered ones are.
        "every acknowledged scan stored": 0 <= unanswered <= 2 * args.connections,
        "no duplicate taps": after["duplicate_taps"] == 0,
        # A retry is replayed (or told its original is still running), never executed again:
        # an executed retry would answer 200 from the double-tap guard.
        "no retry executed": total["deduped"] == 0,
        "retries replayed": total["replayed"] + total["conflicts"] <= total["retries"],
        "one record per scan": total["other"] > 0 or new_records == new_passes,
        "no half-done record": after["idempotency_incomplete"] == 0,
        "no refused scan": total["other"] == 0,
    }
    scans_per_s = result.extra["created"] / result.duration_s if result.extra else 0.0  # type: ignore[operator]
    met = (result.rps >= TARGET_SCANS_PER_S and result.p99_ms <= TARGET_SCAN_P99_MS
           and all(checks.values()) and result.socket_errors == 0)  # fmt: skip
    return {"scenario": "scans", **result.as_dict(), "new_passes_per_s": round(scans_per_s, 1),
            "others_cpu_share": round(cpu.others_share, 3),
            "cpu_ms_per_request": cpu_ms_per_request(cpu, result),
            "database_ms_per_request": database_ms_per_request(cpu, result),
            "worker_cpu_split": [round(s, 3) for s in cpu.worker_split],
            "counts": total, "database_before": before, "database_after": after,
            "new_passes": new_passes, "unanswered_in_flight": unanswered, "checks": checks,
            "target": f">={TARGET_SCANS_PER_S}/s, p99<={TARGET_SCAN_P99_MS} ms", "met": met}  # fmt: skip


def run_ping(server: Server, generator: LoadGenerator, meter: CpuMeter, args) -> dict:  # type: ignore[no-untyped-def]
    level = argparse.Namespace(**{**vars(args), "duration": args.duration})
    result, cpu, _ = measure(generator, server.base_url + "/api/v1/ping", meter, level)
    return {"scenario": "ping (ceiling)", **result.as_dict(),
            "others_cpu_share": round(cpu.others_share, 3),
            "cpu_ms_per_request": cpu_ms_per_request(cpu, result),
            "database_ms_per_request": database_ms_per_request(cpu, result), "target": "-", "met": True}  # fmt: skip


def cpu_ms_per_request(cpu, result: LoadResult) -> float:  # type: ignore[no-untyped-def]
    """CPU of the web workers and the database's backends per request served: what a request
    costs, which a busy neighbour does not inflate as it does the throughput."""
    return round(cpu.server_cpu_s * 1000 / max(1, result.requests), 2)


def database_ms_per_request(cpu, result: LoadResult) -> float:  # type: ignore[no-untyped-def]
    """The database backends' part of `cpu_ms_per_request`."""
    return round(cpu.database_cpu_s * 1000 / max(1, result.requests), 2)


def run_dashboard(server: Server, generator: LoadGenerator, meter: CpuMeter, fixtures: dict,
                  args: argparse.Namespace) -> list[dict]:  # fmt: skip
    headers = {"Cookie": fixtures["cookie"]}
    rows = []
    for name, path in (("dashboard page", f"/community/?code={COMMUNITY}"),
                       ("dashboard API", f"/api/v1/community/dashboard/{COMMUNITY}")):  # fmt: skip
        status, body = get_with(server, path, headers)
        if status != 200:
            raise HarnessError(f"{path} answered {status}: {body[:300]!r}")
        for connections in args.dashboard_connections:
            level = argparse.Namespace(**{**vars(args), "connections": connections})
            result, cpu, _ = measure(generator, server.base_url, meter, level, paths=[path],
                                     headers=headers)  # fmt: skip
            met = result.p95_ms <= TARGET_DASHBOARD_P95_MS and result.errors == 0
            rows.append({"scenario": f"{name} @{connections}", **result.as_dict(),
                         "others_cpu_share": round(cpu.others_share, 3),
                         "target": f"p95<={TARGET_DASHBOARD_P95_MS} ms", "met": met})  # fmt: skip
            print_row(rows[-1])
    return rows


def get_with(server: Server, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def print_row(r: dict) -> None:
    cpu = (
        f", server CPU {r['cpu_ms_per_request']:.2f} ms/request"
        f" (PostgreSQL {r.get('database_ms_per_request', 0):.2f})"
        if "cpu_ms_per_request" in r
        else ""
    )
    print(f"   {r['scenario']}: {r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, "
          f"p95 {r['p95_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, errors {r['errors']}, "
          f"others used {r['others_cpu_share']:.0%} of the CPUs{cpu}"
          f"{'' if r['met'] else '  MISSED'}", flush=True)  # fmt: skip


def build(harness: Harness, url: str, args: argparse.Namespace, data_dir: Path) -> dict:
    setup = harness.step("setup", url)
    print(f"   setup in {setup['seconds']} s", flush=True)
    if args.dashboard:
        have = harness.step("community_people", url)["persons"]
        # About 5 % of generated people live elsewhere or are not living here: fill with room.
        missing = int(DASHBOARD_RESIDENTS * 1.1) - have
        if missing > 0:
            path = ensure_file(harness, "community", missing, COMMUNITY, 0.0, FILE_SEED)
            imported = harness.step("import", url, file=path)
            print(f"   imported {imported['rows']:,} persons into 东南关 in "
                  f"{imported['seconds']} s", flush=True)  # fmt: skip
    fixtures = harness.step("prepare", url, file=data_dir / "sessions.txt",
                            residents=args.residents)  # fmt: skip
    print(f"   {fixtures['residents']} residents with sessions, gates {len(fixtures['tokens'])}, "
          f"{fixtures['passes']:,} passes stored ({fixtures['seconds']} s)", flush=True)  # fmt: skip
    fixtures["file"] = str(data_dir / "sessions.txt")
    return fixtures


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--step" in argv:
        return run_step(argv, STEPS, int_options=("residents",))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="build here and keep it; reuse it when it exists")
    parser.add_argument("--residents", type=int, default=DASHBOARD_RESIDENTS,
                        help="resident accounts scanning (each one's exits stay more than the "
                             "10 s double-tap window apart below residents / 5 scans/s)")  # fmt: skip
    parser.add_argument("--scan-duration", type=float, default=60, help="seconds of scans measured")
    parser.add_argument("--duration", type=float, default=10, help="seconds of ping, dashboard")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--dashboard-connections", type=int, nargs="+", default=[4, 16])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--retry-share", type=float, default=0.1)
    parser.add_argument("--attempts", type=int, default=2)
    parser.add_argument("--settle", type=float, default=15)
    parser.add_argument("--no-dashboard", dest="dashboard", action="store_false")
    parser.add_argument("--no-scans", dest="scans", action="store_false")
    args = parser.parse_args(argv)

    keep = bool(args.data_dir)
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="civicgrid-bench-scans-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    harness = Harness(data_dir, 0, script=__file__)
    env = {"CIVICGRID_DATA_DIR": str(data_dir), "CIVICGRID_LOG_LEVEL": "WARNING"}
    machine = machine_info(REPO_DIR)
    rows: list[dict] = []
    cleanups: list = []
    try:
        generator = LoadGenerator("wrk")
        print(f"machine: {machine['nproc']} CPUs, {machine['cpu']}, {machine['platform']}\n"
              f"load generator: {generator.describe()}; {args.threads} threads, "
              f"{args.connections} connections\ncommit: {machine['commit']}")  # fmt: skip
        args.database = "postgres"
        url, where = postgres_target(args, cleanups, PG_DATABASE)
        if url is None:
            raise HarnessError(f"PostgreSQL: {where}")
        print(f"\n== PostgreSQL ({where}): building", flush=True)
        durability = harness.step("durability", url)
        durability.pop("busy_before", None)
        print(f"   durability: {durability}")
        fixtures = build(harness, url, args, data_dir)
        if args.dashboard:
            dash = harness.step("dashboard_data", url)
            print(f"   dashboard data: {dash['generated_passes']:,} passes of 30 days for "
                  f"{dash['residents']:,} residents ({dash['seconds']} s)", flush=True)  # fmt: skip
        log_path = RESULTS_DIR / "server-scans.log"
        with Server(database_url=url, log_path=log_path, env=env) as server:
            version, postmaster = postgres_info(url)
            meter = CpuMeter(server.pid, frozenset([postmaster]) if postmaster else frozenset())
            rows.append(run_ping(server, generator, meter, args))
            print_row(rows[-1])
            if args.scans:
                scans = run_scans(harness, url, server, fixtures, generator, meter, args)
                rows.append(scans)
                print_row(scans)
                print(f"   counts: {scans['counts']}; new passes in the database "
                      f"{scans['new_passes']:,}; checks: {scans['checks']}")  # fmt: skip
            if args.dashboard:
                if args.scans:
                    # The target's data is 30 days of passes for 5,000 residents: the scan
                    # run's (seven a resident today at 600/s, more than any real day) go.
                    forgotten = harness.step("forget_scans", url)["deleted"]
                    print(f"   the scan run's {forgotten:,} passes deleted before the dashboard")
                rows += run_dashboard(server, generator, meter, dash, args)
    except (HarnessError, LoadError, RuntimeError) as exc:
        print(f"\nbench: harness failure: {exc}", file=sys.stderr)
        return 1
    finally:
        for cleanup in reversed(cleanups):
            cleanup()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / "scans.json"
    out.write_text(json.dumps({
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine, "database": version, "durability": durability,
        "load": {"generator": generator.name, "threads": args.threads,
                 "connections": args.connections, "scan_duration_s": args.scan_duration,
                 "residents": fixtures["residents"], "retry_share": args.retry_share},
        "results": rows,
    }, ensure_ascii=False, indent=2) + "\n")  # fmt: skip
    missed = sum(not r["met"] for r in rows)
    print(f"\n{missed} scenario(s) missed the target; results in {out.relative_to(REPO_DIR)}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
