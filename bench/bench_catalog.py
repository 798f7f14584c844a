"""Catalogue search at the API over 3,000 service items (issue 8): p95 at most 50 ms.

    .venv/bin/python bench/bench_catalog.py                      # 3,000 items, 4 and 16 connections
    .venv/bin/python bench/bench_catalog.py --items 3000 --duration 5 --connections 4
    .venv/bin/python bench/bench_catalog.py --data-dir /tmp/cg-catalog   # build once, reuse after

The data: a fresh SQLite database (WAL) in a throwaway directory (or `--data-dir`), set up as
`make run` does (`civicgrid setup`: migrations, the demo region and accounts), then the demo
catalogue (`catalog.demo.do_load_demo_catalog`: 123 items of 阜城县, 衡水市, 河北省 and a
township, life events, synonyms) repeated for other Hebei counties with their own departments
(`do_load_bench_catalog`) until the catalogue holds `--items` published items.

The load: the real server (`bench/server.py`: `civicgrid serve`, granian WSGI workers) on a
loopback port, loaded by wrk from a separate process (`bench/load.py`; 2 s warm-up, 10 s
measured, 2 threads), each connection walking a fixed mix of 60 anonymous searches
(`GET /api/v1/catalog/items?...`): 12 whole item names, 12 pinyin initials, 12 segmented
phrases and synonyms (建筑施工许可, 怎么办理营业执照, business licence, 增版增量, 复产 ...),
12 by department / life event / level alone, and 12 combining a word with a filter. Every
query must answer 200 with at least one hit (checked before the load). Searches are served
from each worker's in-memory index (`catalog.search`), rebuilt when the catalogue version
moves; the warm-up builds it. Results go to bench/results/catalog.json with /proc/loadavg
before and after, since other work on the machine moves the figures.
"""

import argparse
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

from bench_import_people import Harness, run_step
from load import LoadGenerator
from machine import CpuMeter, machine_info
from run import measure
from server import REPO_DIR, Server, civicgrid_command, get

RESULTS_DIR = REPO_DIR / "bench" / "results"
TARGET_P95_MS = 50
PER_KIND = 12
SEED = 2020
API = "/api/v1/catalog/items"
PHRASES = [
    "建筑施工许可", "怎么办理营业执照", "business licence", "增版增量", "复产", "企业开办",
    "投资项目核准", "发票", "不动产登记", "生孩子", "失业金", "环评审批",
]  # fmt: skip


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "?"


def step_generate(args: argparse.Namespace) -> dict[str, object]:
    """The catalogue of `items` items and the queries to send."""
    from civicgrid.catalog.demo import do_load_bench_catalog
    from civicgrid.catalog.models import LifeEvent, ServiceItem

    started = time.perf_counter()
    total = do_load_bench_catalog(args.items)
    seconds = round(time.perf_counter() - started, 1)
    rng = random.Random(SEED)  # noqa: S311 - a benchmark's sample, not a secret
    items = list(ServiceItem.objects.values("name", "name_initials", "department_id", "level"))
    sample = rng.sample(items, 2 * PER_KIND)
    events = list(LifeEvent.objects.values_list("code", flat=True))
    queries: list[dict[str, object]] = []
    queries += [{"q": i["name"]} for i in sample[:PER_KIND]]
    queries += [{"q": i["name_initials"][:4]} for i in sample[PER_KIND:]]
    queries += [{"q": phrase} for phrase in PHRASES[:PER_KIND]]
    departments = sorted({i["department_id"] for i in items})
    filters: list[dict[str, object]] = [
        {"department": d} for d in rng.sample(departments, PER_KIND // 2)
    ]
    filters += [{"life_event": e} for e in rng.sample(events, PER_KIND // 2 - 2)]
    filters += [{"level": 3}, {"level": 1}]
    queries += filters
    # A word of an item's name within its own department or level: at least one hit.
    queries += [
        {"q": i["name"][:2], "department": i["department_id"]} for i in sample[: PER_KIND // 2]
    ]
    queries += [{"q": i["name"][:4], "level": i["level"]} for i in sample[PER_KIND // 2 : PER_KIND]]
    return {"items": total, "seconds": seconds, "queries": queries}


STEPS = {"generate": step_generate}


def paths_of(queries: list[dict[str, object]]) -> list[str]:
    return [f"{API}?{urlencode(q)}" for q in queries]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--step"]:
        return run_step(argv, STEPS, ("items",))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, nargs="+", default=[4, 16])
    parser.add_argument("--data-dir", type=Path, help="keep the database here and reuse it")
    args = parser.parse_args(argv)
    load = argparse.Namespace(duration=args.duration, threads=2, attempts=2, warmup=2, settle=0)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="civicgrid-bench-catalog-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{data_dir / 'civicgrid.sqlite3'}"
    rows = []
    try:
        env = {"CIVICGRID_DATA_DIR": str(data_dir)}
        log = RESULTS_DIR / "server-catalog.log"
        # Set up and fill the database before serving: on SQLite the catalogue's writes would
        # hold the write lock long enough for the task worker's heartbeat to give up.
        setup = subprocess.run(
            [civicgrid_command(), "setup"], cwd=REPO_DIR, capture_output=True, text=True,
            env={**os.environ, **env, "DATABASE_URL": url}, check=False,
        )  # fmt: skip
        if setup.returncode:
            raise RuntimeError(
                f"civicgrid setup failed:\n{setup.stdout[-2000:]}{setup.stderr[-3000:]}"
            )
        print(f"building a catalogue of {args.items:,} items …", flush=True)
        fx = Harness(data_dir, 0, __file__).step("generate", url, items=args.items)
        print(f"   {fx['items']:,} items in {fx['seconds']} s", flush=True)
        with Server(database_url=url, log_path=log, env=env, start_timeout=300) as server:
            paths = paths_of(fx["queries"])
            for path in paths:
                status, body = get(server.port, path, timeout=30)
                if status != 200 or not json.loads(body)["count"]:
                    raise RuntimeError(f"{path}: HTTP {status}, {body[:200]!r}")
            generator = LoadGenerator()
            meter = CpuMeter(server.pid, frozenset())
            for connections in args.connections:
                load.connections = connections
                before = loadavg()
                result, cpu, _ = measure(generator, server.base_url, meter, load, paths=paths)
                met = result.p95_ms <= TARGET_P95_MS and result.errors == 0
                rows.append({
                    "connections": connections, **result.as_dict(), "met": met,
                    "others_cpu_share": round(cpu.others_share, 3),
                    "loadavg_before": before, "loadavg_after": loadavg(),
                })  # fmt: skip
                print(
                    f"   {connections:>2} connections: {result.rps:.0f} req/s, p50 "
                    f"{result.p50_ms:.1f} ms, p95 {result.p95_ms:.1f} ms (target ≤ "
                    f"{TARGET_P95_MS} ms{'' if met else ', MISSED'}), p99 {result.p99_ms:.1f} ms, "
                    f"errors {result.errors}; others' CPU {cpu.others_share:.0%}; "
                    f"loadavg {before} → {loadavg()}",
                    flush=True,
                )
        summary = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine_info(REPO_DIR),
            "database": "SQLite",
            "generator": generator.describe(),
            "items": fx["items"],
            "queries": len(paths),
            "target_p95_ms": TARGET_P95_MS,
            "runs": rows,
        }
        (RESULTS_DIR / "catalog.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
