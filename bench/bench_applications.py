"""Online applications (issue 8): a submission with two 2 MB attachments, p95 at most 500 ms;
the clerk queue over 100,000 cases, p95 at most 300 ms.

    .venv/bin/python bench/bench_applications.py                 # both targets
    .venv/bin/python bench/bench_applications.py --cases 100000 --duration 10
    .venv/bin/python bench/bench_applications.py --data-dir /tmp/cg-applications   # reuse

The data: a fresh SQLite database (WAL) in a throwaway directory (or `--data-dir`), or with
`--database postgres` a fresh PostgreSQL database (DATABASE_URL's server, or as root a
throwaway durable cluster, as bench_search.py makes it; results go to
applications-postgres.json), set up as `make run` does (`civicgrid setup`), then the demo
catalogue and the demo applications (`applications.demo`: the forms and workflows of
企业投资项目核准 and two other items, six cases through the actions). The queue's cases are then written directly with `bulk_create`
(not through the actions, which would take hours): `--cases` cases of 阜城县发展和改革局's
items, applicants spread over 200 generated enterprises, submitted over the last 400 days;
70 % finished (completed or refused), the rest open in every state, their due dates from 30
working days ago to 20 ahead, so the overdue and due-soon filters find something.

The queue: `development_clerk`'s session at `GET /api/v1/applications/queue` in a mix of 12
requests — the default (open cases by due date), each status, each time-left filter, one item,
and the 2nd, 10th and 100th page — loaded by wrk (or bench/load.py's Python generator) at 4 and
16 keep-alive connections after a 2 s warm-up. Each response is a page of 20 plus the count
(core.paging counts when the page is full). The query reads the index
`applications_case_queue` (handling department, in queue, due date, id: a department's open
cases already in due-date order, no sort) or, for one status, `applications_case_dept_status`;
the plan is printed.

Submission: `enterprise_agent`'s session posting `POST /api/v1/applications/cases` as
multipart (the item code, the answers as JSON, and two PDFs of 2 MB each as the 项目申请报告
and 用地预审意见 fields) from 1, 2 and 4 client threads for `--duration` seconds each. Each
submission checks both files by content, stores them, validates the whole form, takes a case
number, writes the case, its history, notifications and the audit record in one transaction.
Every answer must be 201.

`--in-process` skips the load: the same 12 queue requests, through the API and the clerk's
queue page, go through Django's test client in one process (5 rounds after a warm-up), and the
CPU milliseconds per request (`time.process_time`, SQLite included) and queries per request are
printed — the fair before/after figure on a machine other work keeps busy, where wall time is
not. `--profile` adds cProfile's top functions.

Results go to bench/results/applications.json with /proc/loadavg before and after each run,
since other work on the machine moves the figures.
"""

import argparse
import http.client
import json
import shutil
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from bench_import_people import Harness, run_step
from bench_search import postgres_target
from load import LoadGenerator
from machine import CpuMeter, machine_info
from run import measure
from server import REPO_DIR, Server

RESULTS_DIR = REPO_DIR / "bench" / "results"
QUEUE_TARGET_MS = 300
SUBMIT_TARGET_MS = 500
API = "/api/v1/applications"
ITEM_NAME = "企业投资项目核准"
FILE_BYTES = 2 * 1024 * 1024


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "?"


# --- the step run in a child process ---------------------------------------------------------


def _session_of(username: str) -> dict[str, str]:
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from civicgrid.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    csrf = _get_new_csrf_string()
    return {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; "
        f"{settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
    }


def step_generate(args: argparse.Namespace) -> dict[str, object]:
    """The demo catalogue and applications, `cases` cases by bulk_create, two sessions."""
    import datetime as dt
    import random

    from django.db import connection, transaction

    from civicgrid.accounts.choices import OrganisationType
    from civicgrid.accounts.demo import do_load_demo_accounts
    from civicgrid.accounts.models import Organisation
    from civicgrid.applications.choices import FINISHED_STATUSES, ApplicantKind, CaseStatus
    from civicgrid.applications.demo import _investment_answers, do_load_demo_applications
    from civicgrid.applications.models import Case, FormDefinition, WorkflowStep
    from civicgrid.catalog.demo import do_load_demo_catalog
    from civicgrid.catalog.models import ServiceItem
    from civicgrid.core.credit_code import make_credit_code
    from civicgrid.core.workdays import calendar
    from civicgrid.regions.models import Division

    started = time.perf_counter()
    do_load_demo_accounts()
    do_load_demo_catalog()
    do_load_demo_applications()
    item = ServiceItem.objects.get(name=ITEM_NAME, division_code="131128000000")
    department = item.department
    forms = {f.item_id: f for f in FormDefinition.objects.all()}
    steps = {}
    for step in WorkflowStep.objects.order_by("position"):
        steps.setdefault(step.item_id, []).append(step)
    items = [i for i in ServiceItem.objects.filter(department=department) if i.pk in forms]
    existing = Case.objects.filter(department=department).count()
    wanted = max(0, args.cases - existing)
    rng = random.Random(2020)  # noqa: S311 - benchmark data
    county = Division.objects.get(code="131128000000")
    enterprises = list(Organisation.objects.filter(name__startswith="阜城县压测企业"))
    for n in range(len(enterprises), 200):
        enterprises.append(
            Organisation.objects.create(
                name=f"阜城县压测企业{n:03d}有限公司",
                type=OrganisationType.ENTERPRISE,
                division=county,
                credit_code=make_credit_code("9", "1", "131128", f"MB{n:06d}"),
            )
        )
    from civicgrid.accounts.models import User

    agent = User.objects.get(username="enterprise_agent")
    today = dt.date.today()
    open_statuses = [
        CaseStatus.SUBMITTED,
        CaseStatus.IN_PROGRESS,
        CaseStatus.AWAITING_MATERIAL,
        CaseStatus.APPROVED,
    ]
    answers = _investment_answers(__import__("faker").Faker("zh_CN"), 0)
    batch: list[Case] = []
    now = datetime.now(UTC)
    for n in range(wanted):
        target = items[n % len(items)]
        flow = steps[target.pk]
        finished = rng.random() < 0.7
        status = rng.choice(list(FINISHED_STATUSES)) if finished else rng.choice(open_statuses)
        if finished:
            submitted = today - dt.timedelta(days=rng.randint(20, 400))
            due = calendar.add_working_days(submitted, target.promised_limit_days)
        else:
            due = calendar.add_working_days(today, rng.randint(-30, 20))
            submitted = calendar.add_working_days(due, -target.promised_limit_days)
        step = (
            flow[-1]
            if status in (CaseStatus.APPROVED, *FINISHED_STATUSES)
            else flow[rng.randint(0, len(flow) - 2)]
        )
        enterprise = enterprises[n % len(enterprises)]
        batch.append(
            Case(
                number=f"冀办{submitted:%Y%m%d}9{n:06d}",
                item=target,
                form_definition=forms[target.pk],
                applicant_kind=ApplicantKind.ENTERPRISE,
                applicant_user=agent,
                applicant_organisation=enterprise,
                applicant_name=enterprise.name,
                credit_code=enterprise.credit_code,
                answers=answers,
                department=department,
                handling_department=department,
                division_code=department.division_code,
                status=status,
                in_queue=status in open_statuses,
                current_step=step,
                submitted_at=now - dt.timedelta(days=(today - submitted).days),
                base_due_date=due,
                due_date=due,
                refusal_reason="材料不符合法定形式" if status == CaseStatus.REFUSED else "",
            )
        )
        if len(batch) == 5000:
            with transaction.atomic():
                Case.objects.bulk_create(batch)
            batch = []
    if batch:
        with transaction.atomic():
            Case.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from civicgrid.applications.selectors import clerk_queue

    clerk = User.objects.get(username="development_clerk")
    query = clerk_queue(clerk).select_related("item", "current_step", "form_definition")[:20]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = [str(row[-1]) for row in cursor.fetchall()]
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "cases": Case.objects.filter(department=department).count(),
        "open": Case.objects.filter(department=department, status__in=open_statuses).count(),
        "item_code": item.code,
        "item_ids": [i.pk for i in items],
        "department_id": department.pk,
        "answers": answers,
        "clerk": _session_of("development_clerk"),
        "agent": _session_of("enterprise_agent"),
        "plan": plan,
    }


def step_in_process(args: argparse.Namespace) -> dict[str, object]:
    """CPU ms and queries per queue request, API and page, through the test client."""
    import cProfile
    import io
    import pstats

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from civicgrid.accounts.models import User
    from civicgrid.applications.models import Case
    from civicgrid.catalog.models import ServiceItem

    settings.ALLOWED_HOSTS = ["*"]
    clerk = User.objects.get(username="development_clerk")
    item = ServiceItem.objects.get(name=ITEM_NAME, division_code="131128000000")
    fx = {"department_id": item.department_id, "item_code": item.code}
    api_paths = queue_paths(fx)
    page_paths = [
        p.replace(f"{API}/queue", "/applications/queue/").replace(
            f"item={item.code}", f"item={item.pk}"
        )
        for p in api_paths
    ]
    client = Client()
    client.force_login(clerk)
    result: dict[str, object] = {"cases": Case.objects.count()}
    for label, paths in (("api", api_paths), ("page", page_paths)):
        for path in paths:  # warm-up, and every answer must be a full one
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: HTTP {response.status_code}")
        executed: list[str] = []

        def count(run, sql, *rest, executed=executed):  # type: ignore[no-untyped-def]
            executed.append(sql)
            return run(sql, *rest)

        with connection.execute_wrapper(count):
            client.get(paths[0])
        profile = cProfile.Profile() if args.profile else None
        rounds = 5
        if profile:
            profile.enable()
        started = time.process_time()
        for _ in range(rounds):
            for path in paths:
                client.get(path)
        cpu_ms = (time.process_time() - started) / (rounds * len(paths)) * 1000
        if profile:
            profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(30)
            result[f"{label}_profile"] = out.getvalue()
        result[f"{label}_cpu_ms"] = round(cpu_ms, 1)
        result[f"{label}_queries"] = len(executed)
    result["loadavg"] = loadavg()
    return result


STEPS = {"generate": step_generate, "in_process": step_in_process}


# --- the submission load ---------------------------------------------------------------------


def _pdf(size: int, seed: int) -> bytes:
    head = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    )
    filler = (f"% scan {seed} " * 1000).encode()
    body = head + (filler * (size // len(filler) + 1))[: size - len(head) - 20]
    return body + b"\ntrailer\n%%EOF\n"


def multipart(item_code: str, answers: dict[str, object]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []

    def field(name: str, value: str) -> None:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )

    def upload(name: str, filename: str, content: bytes) -> None:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: application/pdf\r\n\r\n".encode()
            + content
            + b"\r\n"
        )

    field("item", item_code)
    field("answers", json.dumps(answers, ensure_ascii=False))
    upload("report", "report.pdf", _pdf(FILE_BYTES, 1))
    upload("site_opinion", "site.pdf", _pdf(FILE_BYTES, 2))
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def submit_load(
    port: int,
    headers: dict[str, str],
    body: bytes,
    content_type: str,
    *,
    threads: int,
    duration: float,
) -> dict[str, object]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            connection.request(
                "POST", f"{API}/cases", body=body, headers={**headers, "Content-Type": content_type}
            )
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        connection.close()

    workers = [threading.Thread(target=client) for _ in range(threads)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - began
    ordered = sorted(latencies)

    def pct(share: float) -> float:
        return (
            round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1) if ordered else 0.0
        )

    return {
        "threads": threads,
        "requests": len(ordered),
        "per_second": round(len(ordered) / seconds, 2),
        "p50_ms": pct(0.5),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "statuses": statuses,
    }


def queue_paths(fx: dict[str, object]) -> list[str]:
    queries: list[dict[str, object]] = [
        {},
        {"status": "submitted"},
        {"status": "in_progress"},
        {"status": "awaiting_material"},
        {"status": "approved"},
        {"time_left": "overdue"},
        {"time_left": "due_soon"},
        {"time_left": "on_time"},
        {"department": fx["department_id"], "item": fx["item_code"]},
        {"offset": 20},
        {"offset": 200},
        {"offset": 2000},
    ]
    return [f"{API}/queue?{urlencode(q)}" if q else f"{API}/queue" for q in queries]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--step"]:
        return run_step(argv, STEPS, ("cases", "profile"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, nargs="+", default=[4, 16])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--data-dir", type=Path, help="keep the database here and reuse it")
    parser.add_argument(
        "--database", choices=("sqlite", "postgres"), default="sqlite",
        help="postgres: DATABASE_URL's server, or as root a throwaway durable PostgreSQL 15",
    )  # fmt: skip
    parser.add_argument("--in-process", action="store_true", help="CPU ms per queue request")
    parser.add_argument("--profile", action="store_true", help="with --in-process: cProfile")
    args = parser.parse_args(argv)
    load = argparse.Namespace(duration=args.duration, threads=2, attempts=2, warmup=2, settle=0)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="civicgrid-bench-applications-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    cleanups: list = []
    if args.database == "postgres":
        url, where = postgres_target(args, cleanups, database="civicgrid_bench_applications")
        if url is None:
            print(f"PostgreSQL: {where}", flush=True)
            return 1
        print(f"PostgreSQL: {where}", flush=True)
    else:
        url = f"sqlite:///{data_dir / 'civicgrid.sqlite3'}"
    queue_rows: list[dict[str, object]] = []
    submit_rows: list[dict[str, object]] = []
    try:
        env = {"CIVICGRID_DATA_DIR": str(data_dir)}
        log = RESULTS_DIR / "server-applications.log"
        with Server(database_url=url, log_path=log, env=env, start_timeout=300) as server:
            print(f"generating {args.cases:,} cases …", flush=True)
            fx = Harness(data_dir, 0, __file__).step("generate", url, cases=args.cases)
            print(
                f"   {fx['cases']:,} cases ({fx['open']:,} open) in {fx['seconds']} s", flush=True
            )
            print("   queue plan: " + " | ".join(fx["plan"]), flush=True)
            if args.in_process:
                got = Harness(data_dir, 0, __file__).step(
                    "in_process", url, profile=int(args.profile)
                )
                for label in ("api", "page"):
                    print(got.pop(f"{label}_profile", ""), end="")
                    print(
                        f"   queue {label}, in process: {got[f'{label}_cpu_ms']} CPU ms per request, "
                        f"{got[f'{label}_queries']} queries; loadavg {got['loadavg']}",
                        flush=True,
                    )
                return 0
            clerk = fx["clerk"]
            paths = queue_paths(fx)
            for path in paths:
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                connection.request("GET", path, headers=clerk)
                response = connection.getresponse()
                body = response.read()
                if response.status != 200 or not json.loads(body)["items"]:
                    raise RuntimeError(f"{path}: HTTP {response.status}, {body[:300]!r}")
            generator = LoadGenerator()
            meter = CpuMeter(server.pid, frozenset())
            for connections in args.connections:
                load.connections = connections
                before = loadavg()
                result, cpu, _ = measure(
                    generator, server.base_url, meter, load, paths=paths, headers=clerk
                )
                met = result.p95_ms <= QUEUE_TARGET_MS and result.errors == 0
                queue_rows.append({
                    "connections": connections, **result.as_dict(), "met": met,
                    "others_cpu_share": round(cpu.others_share, 3),
                    "loadavg_before": before, "loadavg_after": loadavg(),
                })  # fmt: skip
                print(
                    f"   queue, {connections:>2} connections: {result.rps:.0f} req/s, p50 "
                    f"{result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms (target ≤ {QUEUE_TARGET_MS} ms"
                    f"{'' if met else ', MISSED'}), p99 {result.p99_ms:.1f} ms, errors {result.errors}; "
                    f"loadavg {before} → {loadavg()}",
                    flush=True,
                )
            body, content_type = multipart(fx["item_code"], fx["answers"])
            agent = fx["agent"]
            for threads in args.threads:
                before = loadavg()
                row = submit_load(
                    server.port, agent, body, content_type, threads=threads, duration=args.duration
                )
                met = row["p95_ms"] <= SUBMIT_TARGET_MS and set(row["statuses"]) == {201}
                submit_rows.append(
                    {**row, "met": met, "loadavg_before": before, "loadavg_after": loadavg()}
                )
                print(
                    f"   submit, {threads} threads: {row['requests']} cases, {row['per_second']}/s, p50 "
                    f"{row['p50_ms']} ms, p95 {row['p95_ms']} ms (target ≤ {SUBMIT_TARGET_MS} ms"
                    f"{'' if met else ', MISSED'}), p99 {row['p99_ms']} ms, statuses {row['statuses']}; "
                    f"loadavg {before} → {loadavg()}",
                    flush=True,
                )
        summary = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine_info(REPO_DIR),
            "database": "PostgreSQL 15" if args.database == "postgres" else "SQLite",
            "generator": generator.describe(),
            "cases": fx["cases"],
            "open_cases": fx["open"],
            "queue_plan": fx["plan"],
            "queue_target_p95_ms": QUEUE_TARGET_MS,
            "submit_target_p95_ms": SUBMIT_TARGET_MS,
            "queue": queue_rows,
            "submit": submit_rows,
        }
        name = "applications-postgres.json" if args.database == "postgres" else "applications.json"
        (RESULTS_DIR / name).write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    finally:
        for cleanup in reversed(cleanups):
            cleanup()
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
