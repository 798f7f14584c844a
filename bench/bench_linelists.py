"""Line lists at county scale (issue 5): the follow-up worklist and the million-row export.

    .venv/bin/python bench/bench_linelists.py                          # the targets' sizes
    .venv/bin/python bench/bench_linelists.py --observed 20000 --export-rows 100000   # quick
    .venv/bin/python bench/bench_linelists.py --data-dir /tmp/cg-ll    # build once, reuse after
    DATABASE_URL=postgres://user@host/db .venv/bin/python bench/bench_linelists.py

Targets: a county's follow-up worklist for 100,000 people under observation ≤ 2 s; an export
of 1,000,000 line-list rows to xlsx as a background task ≤ 60 s with flat memory.

The data (step `generate`, written set-based in SQL, a fresh SQLite database in a throwaway
directory unless DATABASE_URL names another): 阜城县 (131128) and the divisions above it; one
community committee per village or community of the county as the observation teams;
`--export-rows` persons (one shared ciphertext of a valid ID number — the export still decrypts
every row — and distinct look-up hashes) each with a confirmed case reported by the county CDC;
the first `--observed` of them under home observation started in the last 13 days, each with
up to `--checks` monitoring entries before today and the observation's last-check columns as
`do_record_check` leaves them (2 % with fever, 5 % missing yesterday evening's check); and
`--elsewhere` more people under observation the same way in villages of nine other counties,
so that the county's worklist is read among the province's (the issue's 1,000,000 people with
~10,000,000 checks: `--elsewhere 900000 --checks 14`, the defaults).

Measured in child processes (so each reports its own peak RSS):
  worklist   the county officer's session through the API (`/api/v1/epidemic/line-lists/worklist`,
             within=131128: counts of every flag and the most urgent page of 50) and the phone
             page, warm, `--repeat` times each; plus the fever filter and one team's list.
  export     `line_list_exports.write_export` as the worker runs it: the county officer's masked
             export of every case (`--export-rows` rows) into an .xlsx; wall time, rows/s, the
             file size and the process's peak RSS (ru_maxrss) against the RSS before it began.
  chain      a 10,000-node chain (2,000 cases each with 4 contacts, 2,000 generations) through
             `/api/v1/epidemic/line-lists/chains/<id>?limit=20000`: layout computed server-side.

The machine is shared: every figure is reported with /proc/loadavg before and after. Results go
to bench/results/linelists.json.
"""

import argparse
import datetime
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "linelists.json"
COUNTY = "131128000000"
TARGET_WORKLIST_S = 2.0
TARGET_EXPORT_S = 60.0


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split(" ")[0:3])


def setup_django(data_dir: str) -> None:
    os.environ.setdefault("CIVICGRID_DATA_DIR", data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- generate ------------------------------------------------------------------------------------


# Nine other Hebei counties, whose villages hold the people under observation elsewhere.
OTHER_COUNTIES = ("130102", "130104", "130105", "130108", "130109", "130110", "130111", "130121",
                  "131127")  # fmt: skip


def step_generate(args: argparse.Namespace) -> dict[str, object]:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from civicgrid.accounts.actions import do_create_organisation, do_grant_role
    from civicgrid.accounts.choices import OrganisationType as T
    from civicgrid.accounts.choices import Role as R
    from civicgrid.accounts.models import Organisation, User
    from civicgrid.core.crypto import encrypt
    from civicgrid.core.idcard import make_id_number
    from civicgrid.core.scoping import jurisdiction_q
    from civicgrid.epidemic.models import Case, MonitoringEntry, Observation
    from civicgrid.epidemic.models.line_lists import slot_key
    from civicgrid.population.models import Person
    from civicgrid.regions.actions import do_import_divisions
    from civicgrid.regions.division_files import PACKAGED_HEBEI, read_division_rows
    from civicgrid.regions.models import Division

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    if Case.objects.exists():
        return {"reused": True}
    counties = ("131128", *(OTHER_COUNTIES if args.elsewhere else ()))
    above = {"130000000000", *(f"{c[:4]}00000000" for c in counties)}
    rows = [
        r
        for r in read_division_rows(PACKAGED_HEBEI.read_bytes())
        if r.code.startswith(counties) or r.code in above
    ]
    do_import_divisions(rows)
    communities = list(Division.objects.filter(code__startswith="131128", level=5).order_by("code"))
    county = Division.objects.get(code=COUNTY)
    office = do_create_organisation(
        name="阜城县疫情防控办公室", type=T.PREVENTION_OFFICE, division=county
    )
    cdc = do_create_organisation(name="阜城县疾病预防控制中心", type=T.CDC, division=county)
    officer = User.objects.create_user("bench_officer", password=None, full_name="bench")
    do_grant_role(user=officer, organisation=office, role=R.COUNTY_OFFICER)
    teams = {
        c.code: do_create_organisation(
            name=f"{c.name}（委员会）", type=T.COMMUNITY_COMMITTEE, division=c
        )
        for c in communities
    }
    # The other counties' villages and their committees, for the people observed elsewhere.
    elsewhere_q = jurisdiction_q([f"{c}000000" for c in OTHER_COUNTIES], "code")
    villages = Division.objects.filter(elsewhere_q, level=5).order_by("code")
    away = [
        (c.code, do_create_organisation(
            name=f"{c.name}（委员会）", type=T.COMMUNITY_COMMITTEE, division=c).pk)
        for c in (villages if args.elsewhere else [])
    ]  # fmt: skip
    token = encrypt("id_number", make_id_number("131128", datetime.date(1980, 1, 1), 1))
    rng = random.Random(5)  # noqa: S311 - benchmark data
    now = timezone.now()
    today = timezone.localdate()
    quote = connection.ops.quote_name
    n = args.export_rows

    def insert(model, columns, values):  # type: ignore[no-untyped-def]
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the models
            quote(model._meta.db_table),
            ", ".join(quote(c) for c in columns),
            ", ".join(["%s"] * len(columns)),
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)

    chunk = 20000
    person_cols = ["id", "id_number", "id_number_hash", "name", "name_initials", "sex", "birth_date",
                   "mobile_last4", "relationship", "residence_type", "status", "division_code",
                   "created_at", "updated_at"]  # fmt: skip
    case_cols = ["id", "person_id", "status", "division_code", "reporting_unit_id", "severity", "report_date",
                 "confirmed_on", "outcome", "note", "version", "created_at", "updated_at"]  # fmt: skip
    homes = [communities[i % len(communities)].code for i in range(n)]
    for first in range(0, n, chunk):
        with transaction.atomic():
            ids = range(first + 1, min(first + chunk, n) + 1)
            insert(Person, person_cols, [
                (i, token, f"bench{i:059d}", f"测试{i}", "cs", "M", datetime.date(1980, 1, 1), "", "other",
                 "registered", "living_here", homes[i - 1], now, now) for i in ids])  # fmt: skip
            insert(Case, case_cols, [
                (i, i, "confirmed", homes[i - 1], cdc.pk, "", today, today, "", "", 1, now, now) for i in ids])  # fmt: skip
        print(f"  persons and cases: {min(first + chunk, n)}/{n}", flush=True)
    obs_cols = ["id", "person_id", "division_code", "place", "team_id", "start_date", "planned_end_date",
                "status", "release_note", "last_slot", "last_check_at", "last_temperature", "fever",
                "checks", "created_at"]  # fmt: skip
    entry_cols = ["observation_id", "division_code", "date", "slot", "temperature", "symptoms", "note",
                  "by_self", "recorded_at"]  # fmt: skip

    def observe(first: int, count: int, person_of, home_of, team_of) -> None:  # type: ignore[no-untyped-def]
        """Observations first+1 … first+count, each with its checks before today."""
        for start_id in range(first, first + count, chunk // 2):
            observations, entries = [], []
            for i in range(start_id + 1, min(start_id + chunk // 2, first + count) + 1):
                start = today - datetime.timedelta(days=rng.randrange(0, 13))
                slots = [slot_key(start, "am") + k for k in range(args.checks)]
                slots = [s for s in slots if s < slot_key(today, "am")] or [slot_key(start, "am")]
                if rng.random() < 0.05:
                    slots = slots[:-1] or slots  # a missed evening check
                fever = rng.random() < 0.02
                temps = [36.5] * (len(slots) - 1) + [37.8 if fever else 36.6]
                home = home_of(i)
                observations.append((i, person_of(i), home, "home", team_of(i), start,
                                     start + datetime.timedelta(days=14), "active", "", slots[-1],
                                     now, temps[-1], fever, len(slots), now))  # fmt: skip
                for s, t in zip(slots, temps, strict=True):
                    day = datetime.date(2000, 1, 1) + datetime.timedelta(days=s // 2)
                    entries.append((i, home, day, "pm" if s % 2 else "am", t, "[]", "", False, now))
            with transaction.atomic():
                insert(Observation, obs_cols, observations)
                insert(MonitoringEntry, entry_cols, entries)
            print(f"  observations: {min(start_id + chunk // 2, first + count)}/{first + count}",
                  flush=True)  # fmt: skip

    m = args.observed
    observe(0, m, lambda i: i, lambda i: homes[i - 1], lambda i: teams[homes[i - 1]].pk)
    # The rest of the province's people under observation, in the other counties' villages and
    # their committees' care, so that the county's worklist is read among them: the issue's
    # province holds 1,000,000 with 10,000,000 checks.
    elsewhere = args.elsewhere
    for first in range(0, elsewhere, chunk):
        ids = range(n + first + 1, n + min(first + chunk, elsewhere) + 1)
        with transaction.atomic():
            insert(Person, person_cols, [
                (i, token, f"bench{i:059d}", f"测试{i}", "cs", "M", datetime.date(1980, 1, 1), "",
                 "other", "registered", "living_here", away[i % len(away)][0], now, now)
                for i in ids])  # fmt: skip
        print(f"  persons elsewhere: {min(first + chunk, elsewhere)}/{elsewhere}", flush=True)
    observe(m, elsewhere, lambda i: n + i - m, lambda i: away[(n + i - m) % len(away)][0],
            lambda i: away[(n + i - m) % len(away)][1])  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "persons": Person.objects.count(),
        "cases": Case.objects.count(),
        "observations": Observation.objects.count(),
        "monitoring_entries": MonitoringEntry.objects.count(),
        "teams": Organisation.objects.filter(type=T.COMMUNITY_COMMITTEE).count(),
        "seconds": round(time.monotonic() - started, 1),
    }


# --- measure -------------------------------------------------------------------------------------


def _timed(client, url: str, params: dict, repeat: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat + 1):
        started = time.perf_counter()
        response = client.get(url, params)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(
                f"worklist answered {response.status_code}: {response.content[:300]!r}"
            )
    warm = times[1:]
    return {
        "cold_s": round(times[0], 3),
        "median_s": round(statistics.median(warm), 3),
        "max_s": round(max(warm), 3),
    }


def step_worklist(args: argparse.Namespace) -> dict[str, object]:
    from django.test import Client

    from civicgrid.accounts.models import Organisation, User

    client = Client()
    client.force_login(User.objects.get(username="bench_officer"))
    api = "/api/v1/epidemic/line-lists/worklist"
    result = {"loadavg_before": loadavg()}
    result["county_api"] = _timed(client, api, {"within": "131128"}, args.repeat)
    body = client.get(api, {"within": "131128"}).json()
    result["county_total"] = body["total"]
    result["counts"] = body["counts"]
    result["county_fever_api"] = _timed(
        client, api, {"within": "131128", "flag": "fever"}, args.repeat
    )
    result["county_page"] = _timed(client, "/epidemic/line-lists/worklist/", {}, args.repeat)
    team = Organisation.objects.filter(type="community_committee").order_by("pk").first()
    result["team_api"] = _timed(client, api, {"team": team.pk}, args.repeat)
    result["loadavg_after"] = loadavg()
    return result


def step_export(args: argparse.Namespace) -> dict[str, object]:
    from civicgrid.accounts.models import User
    from civicgrid.core.models import ExportFile
    from civicgrid.epidemic.line_list_exports import KINDS, do_start_line_list_export, write_export

    officer = User.objects.get(username="bench_officer")
    export = do_start_line_list_export(officer, kind="cases")
    export = ExportFile.objects.select_related("owner", "progress").get(pk=export.pk)
    before = rss_mb()
    load = loadavg()
    started = time.perf_counter()
    rows = write_export(export, KINDS["cases"])
    seconds = time.perf_counter() - started
    export.refresh_from_db()
    return {
        "loadavg_before": load,
        "rows": rows,
        "seconds": round(seconds, 1),
        "rows_per_s": round(rows / seconds),
        "file_mb": round(len(export.content) / 1e6, 1),
        "rss_before_mb": round(before),
        "peak_rss_mb": round(rss_mb()),
        "loadavg_after": loadavg(),
        "target_s": TARGET_EXPORT_S,
    }


def step_chain(args: argparse.Namespace) -> dict[str, object]:
    from django.core.management.color import no_style
    from django.db import connection
    from django.test import Client

    from civicgrid.accounts.models import Organisation, User
    from civicgrid.epidemic.models import Case, Observation
    from civicgrid.epidemic.synthetic import bulk_chain
    from civicgrid.population.models import Person

    # The generator wrote explicit ids: on PostgreSQL the sequences must move past them before
    # the chain's rows take theirs from them.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Person, Case, Observation]):
            cursor.execute(sql)
    cdc = Organisation.objects.get(name="阜城县疾病预防控制中心")
    started = time.perf_counter()
    cluster = bulk_chain(
        cdc, "131128100001", cases=2000, contacts_per_case=4, offset=args.export_rows + 10
    )
    built = time.perf_counter() - started
    client = Client()
    client.force_login(User.objects.get(username="bench_officer"))
    timing = _timed(
        client, f"/api/v1/epidemic/line-lists/chains/{cluster}", {"limit": 20000}, args.repeat
    )
    body = client.get(f"/api/v1/epidemic/line-lists/chains/{cluster}", {"limit": 20000}).json()
    return {"loadavg": loadavg(), "build_s": round(built, 1), "nodes": body["total_nodes"],
            "edges": len(body["edges"]), "generations": body["generations"], "api": timing}  # fmt: skip


STEPS = {
    "generate": step_generate,
    "worklist": step_worklist,
    "export": step_export,
    "chain": step_chain,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observed", type=int, default=100_000)
    parser.add_argument("--checks", type=int, default=14)
    parser.add_argument("--elsewhere", type=int, default=900_000,
                        help="people under observation in other counties (with --checks each)")  # fmt: skip
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--step", choices=sorted(STEPS), default="")
    args = parser.parse_args()
    if args.step:
        setup_django(args.data_dir)
        print(json.dumps(STEPS[args.step](args), ensure_ascii=False, default=str))
        return
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="cg-linelists-")
    results: dict[str, object] = {"when": datetime.datetime.now(datetime.UTC).isoformat(), "nproc": os.cpu_count(),
                                  "database": os.environ.get("DATABASE_URL", "sqlite (throwaway)")}  # fmt: skip
    passthrough = ["--observed", str(args.observed), "--elsewhere", str(args.elsewhere),
                   "--checks", str(args.checks), "--export-rows",
                   str(args.export_rows), "--repeat", str(args.repeat), "--data-dir", data_dir]  # fmt: skip
    for step in ("generate", "worklist", "export", "chain"):
        print(f"{step} … (load {loadavg()})", flush=True)
        out = subprocess.run([sys.executable, __file__, "--step", step, *passthrough], check=True,
                             capture_output=True, text=True)  # fmt: skip
        results[step] = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(results[step], ensure_ascii=False, indent=1), flush=True)
    worklist = results["worklist"]["county_api"]  # type: ignore[index]
    print(
        f"county worklist ({args.observed} observed): median {worklist['median_s']} s, target ≤ {TARGET_WORKLIST_S} s"
    )  # type: ignore[index]
    export = results["export"]
    print(
        f"export of {export['rows']} rows: {export['seconds']} s, peak RSS {export['peak_rss_mb']} MB, target ≤ {TARGET_EXPORT_S} s"
    )  # type: ignore[index]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
