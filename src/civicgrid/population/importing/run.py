"""One import run: stream the rows through the rules, analyse them against the register, report
every problem by row and column, and write (or, for a dry run or a refused file, not).

    source = open_source(file_name="台账.csv", path=Path("台账.csv"))
    report = import_people(actor, source, mapping=propose_mapping(source.headers),
                           mode="skip", dry_run=True, report_to=open("问题.xlsx", "wb"))
    report.counts.created, report.problem_count, report.summary()

Modes: "skip" imports the good rows and lists the others; "all_or_nothing" writes nothing when
any row has a problem. Either way, rows are validated and analysed before anything is written,
and a dry run or a refused file leaves the database as it was (the staging tables are
temporary and dropped).

Speed: the rules run in worker processes when the file is large (`PARALLEL_MIN_ROWS`), fed
chunks from this process, which meanwhile resolves communities and grids and loads the
staging table; see `population.bulk` for the set-based rest.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import multiprocessing
import os
import pickle
import sys
import tempfile
import time
import types
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.progress import advance_progress
from civicgrid.core.spreadsheets import SpreadsheetError, write_report_to
from civicgrid.population.bulk import Counts, Staging
from civicgrid.population.importing import worker
from civicgrid.population.importing.columns import check_mapping, column_label
from civicgrid.population.importing.places import ImportScope, PlaceResolver
from civicgrid.population.importing.rows import (
    ChunkResult,
    Problem,
    RowItem,
    RowPlan,
    set_plan,
    validate_block,
    validate_chunk,
    worker_setup,
)
from civicgrid.population.importing.sources import SheetSource
from civicgrid.regions.models import Division, DivisionLevel

logger = logging.getLogger(__name__)

MODES = ("skip", "all_or_nothing")
CHUNK_ROWS = 4_000
# Below this many rows, worker processes cost more to start than they save.
PARALLEL_MIN_ROWS = 40_000
PREVIEW_PROBLEMS = 500
PROGRESS_SECONDS = 0.5

REPORT_HEADERS = (
    gettext_lazy("行号"),
    gettext_lazy("列"),
    gettext_lazy("单元格内容"),
    gettext_lazy("问题"),
    gettext_lazy("姓名"),
    gettext_lazy("公民身份号码（脱敏）"),
)
PROBLEM_MESSAGES = {
    "duplicate": gettext_lazy("与第 %(row)s 行的公民身份号码重复，本行未导入。"),
    "second_head": gettext_lazy("同一住户中第 %(row)s 行已是户主，一户只能有一位户主。"),
    "elsewhere": gettext_lazy(
        "该公民身份号码已登记在您管辖范围以外的住户中。请由原登记地办理迁出后再导入。"
    ),
    "write_failed": gettext_lazy(
        "写入时与同时进行的其他操作冲突（可能他人刚登记了同一公民身份号码），本行未导入，请重新导入。"
    ),
}

ProgressCallback = Callable[[int, int, str], None]


@dataclass
class ImportReport:
    """What a run did (or, for a dry run or a refused file, would have done)."""

    mode: str
    dry_run: bool
    counts: Counts
    written: bool = False
    refused: bool = False
    problem_count: int = 0
    preview: list[list[Any]] = field(default_factory=list)  # [row, column key, cell, message, name]
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        c = self.counts
        if self.written or not (self.dry_run or self.refused):
            text = _(
                "新增 %(created)d 人，更新 %(updated)d 人，无变化 %(unchanged)d 人，出错 %(errors)d 行；新建住户 %(hc)d 户，更新住户 %(hu)d 户"
            )
        else:
            text = _(
                "将新增 %(created)d 人，将更新 %(updated)d 人，无变化 %(unchanged)d 人，出错 %(errors)d 行；将新建住户 %(hc)d 户，将更新住户 %(hu)d 户"
            )
        text %= {
            "created": c.created,
            "updated": c.updated,
            "unchanged": c.unchanged,
            "errors": c.error_rows,
            "hc": c.households_created,
            "hu": c.households_updated,
        }
        if self.refused:
            text = _("有出错的行，按“任何一行出错则全部不导入”的方式未写入任何数据。") + text
        return text


class _Progress:
    """Reports to a `TaskProgress` row (at most every `PROGRESS_SECONDS`) and a callback."""

    def __init__(self, key: Any, callback: ProgressCallback | None, total: int) -> None:
        self.key, self.callback, self.total = key, callback, max(total, 1)
        self.done = self.stored = 0
        self.last = 0.0

    def add(self, rows: int, message: str, *, force: bool = False) -> None:
        self.done = min(self.done + rows, self.total)
        if self.callback is not None:
            self.callback(self.done, self.total, message)
        now = time.monotonic()
        if self.key is not None and (force or now - self.last >= PROGRESS_SECONDS):
            if self.done > self.stored:
                advance_progress(self.key, by=self.done - self.stored, message=message[:500])
                self.stored = self.done
            self.last = now


def import_people(
    actor: Any,
    source: SheetSource,
    *,
    mapping: Mapping[int, str],
    mode: str = "skip",
    dry_run: bool = False,
    place_code: str = "",
    progress_key: Any = None,
    progress_total: int | None = None,
    on_progress: ProgressCallback | None = None,
    report_to: IO[bytes] | None = None,
    workers: int | None = None,
) -> ImportReport:
    """Import (or check) `source`'s rows under `mapping` (column position -> key).

    `place_code`: a community (level 5) is the default for rows without one; a larger division
    limits where community names are looked up. `actor` None is the system (unrestricted);
    otherwise the actor's jurisdiction applies and rows for other places are errors.
    `progress_key` names a `TaskProgress` row; `progress_total` its total (defaults to the
    estimated rows, doubled when writing: one unit per row checked and per row written).
    `report_to` receives the xlsx of every problem. `workers` overrides the number of worker
    processes (1: none). Raises PermissionDenied (actor may not import) and ValidationError
    (mapping or place unusable) before reading any row.
    """
    if mode not in MODES:
        raise ValueError(f"unknown import mode {mode!r}")
    started = time.perf_counter()
    scope = ImportScope(actor)
    default_community, area = resolve_place(place_code, scope)
    problems = check_mapping(mapping, has_default_community=bool(default_community))
    if problems:
        raise ValidationError(problems)
    positions = {key: int(position) for position, key in mapping.items()}
    places = PlaceResolver.load(
        scope, default_community=default_community, area=area, grids="grid" in positions
    )
    total = progress_total or source.estimated_rows * (1 if dry_run else 2)
    progress = _Progress(progress_key, on_progress, total)
    report = ImportReport(
        mode=mode, dry_run=dry_run, counts=Counts(), warnings=list(source.warnings)
    )
    staging = Staging()
    spill = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    try:
        staging.create()
        plan = RowPlan(
            positions=positions,
            for_copy=staging.pg,
            places=places,
            header_row=source.header_row,
            encoding=source.encoding,
            delimiter=source.delimiter,
        )
        _stage(source, plan, staging, spill, progress, workers)
        report.timings["read_validate"] = time.perf_counter() - started
        mark = time.perf_counter()
        progress.add(0, _("正在与台账核对……"), force=True)
        report.counts = staging.analyse(scope.sql("p.division_code"))
        report.timings["analyse"] = time.perf_counter() - mark
        report.refused = mode == "all_or_nothing" and report.counts.error_rows > 0
        if not dry_run and not report.refused:
            mark = time.perf_counter()
            outcome = staging.write(
                actor_id=getattr(actor, "pk", None),
                reason=_("批量导入：%(file)s") % {"file": source.file_name},
                all_or_nothing=mode == "all_or_nothing",
                on_slice=lambda rows: progress.add(rows, _("正在写入……")),
            )
            report.written = outcome.written
            if outcome.failed_rows:
                report.counts = staging.counts()
            report.timings["write"] = time.perf_counter() - mark
        mark = time.perf_counter()
        _report_problems(report, _merged_problems(spill, staging), report_to)
        report.timings["report"] = time.perf_counter() - mark
        if report.written:
            _audit(actor, source.file_name, report, staging.communities())
    finally:
        spill.close()
        staging.drop()
    progress.add(progress.total, report.summary(), force=True)
    report.timings["total"] = time.perf_counter() - started
    return report


def resolve_place(place_code: str, scope: ImportScope) -> tuple[str, str]:
    """(default community, area) for a place code; ValidationError when unusable."""
    if not place_code:
        return "", ""
    division = Division.objects.filter(code=place_code).first()
    if division is None:
        raise ValidationError(_("找不到区划代码 %(code)s。") % {"code": place_code})
    if not scope.covers(division.code):
        raise ValidationError(
            _("“%(name)s”不在您的管辖范围内，不能导入。") % {"name": division.name}
        )
    if division.level == DivisionLevel.VILLAGE:
        return division.code, division.code
    return "", division.code


def _worker_count(requested: int | None, rows: int) -> int:
    if requested is not None:
        return max(1, requested)
    if rows < PARALLEL_MIN_ROWS:
        return 1
    return min(2, os.cpu_count() or 1)


def _stage(
    source: SheetSource,
    plan: RowPlan,
    staging: Staging,
    spill: IO[bytes],
    progress: _Progress,
    workers: int | None,
) -> None:
    count = _worker_count(workers, source.estimated_rows)
    tasks: Iterator[Any]
    if source.streams_blocks:
        tasks, local, remote = source.blocks(), validate_block, worker.validate_block
    else:
        tasks, local, remote = _chunks(source), validate_chunk, worker.validate

    def consume(result: ChunkResult) -> None:
        if result.error is not None:
            raise SpreadsheetError(result.error[0], code=result.error[1])
        staging.load(result.payload)
        if result.problems:
            pickle.dump(result.problems, spill)
        progress.add(result.rows, _("已检查 %(n)d 行") % {"n": progress.done + result.rows})

    if count == 1:
        set_plan(plan)
        for task in tasks:
            consume(local(task))
        return
    # Spawned (not forked) workers share no database connection or lock with this process,
    # whatever threads it runs. Tasks are submitted from this thread and consumed in order;
    # this process only reads the file and loads the staging table.
    context = multiprocessing.get_context("spawn")
    with _main_module_hidden():
        pool = context.Pool(count, initializer=worker.init, initargs=(worker_setup(plan),))
    with pool:
        pending: deque[Any] = deque()
        for task in tasks:
            pending.append(pool.apply_async(remote, (task,)))
            if len(pending) > count * 2:
                consume(pending.popleft().get())
        while pending:
            consume(pending.popleft().get())


@contextmanager
def _main_module_hidden() -> Iterator[None]:
    """Spawned workers re-import the parent's `__main__` (a script, `manage.py`, a test
    runner) unless told nothing about it; they need only `rows`, so they are told nothing."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _chunks(source: SheetSource) -> Iterator[list[RowItem]]:
    items: Iterator[RowItem] = ((row.number, row.cells, row.formulas) for row in source.rows())
    while chunk := list(itertools.islice(items, CHUNK_ROWS)):
        yield chunk


# --- problems and the report ------------------------------------------------------------------


def _spilled(spill: IO[bytes]) -> Iterator[Problem]:
    spill.seek(0)
    while True:
        try:
            yield from pickle.load(spill)  # noqa: S301 - our own temporary file
        except EOFError:
            return


def _from_staging(staging: Staging) -> Iterator[Problem]:
    for row, column, code, argument, name, id_masked in staging.problems():
        message = str(PROBLEM_MESSAGES[code]) % {"row": argument}
        yield (row, column, id_masked if column == "id_number" else "", message, name, id_masked)


def _merged_problems(spill: IO[bytes], staging: Staging) -> Iterator[Problem]:
    return heapq.merge(_spilled(spill), _from_staging(staging), key=lambda p: p[0])


def _report_problems(
    report: ImportReport, problems: Iterator[Problem], target: IO[bytes] | None
) -> None:
    def rows() -> Iterator[list[Any]]:
        for problem in problems:
            report.problem_count += 1
            if len(report.preview) < PREVIEW_PROBLEMS:
                report.preview.append(list(problem[:5]))
            yield [problem[0], column_label(problem[1]), problem[2], problem[3], problem[4],
                   problem[5]]  # fmt: skip

    if target is None:
        for _row in rows():
            pass
        return
    write_report_to(target, rows(), REPORT_HEADERS, title=_("出错的行"))


def _audit(actor: Any, file_name: str, report: ImportReport, communities: list[str]) -> None:
    codes = sorted(code for code in communities if code)
    # The longest prefix shared by the first and last code is shared by all of them.
    common = os.path.commonprefix([codes[0], codes[-1]]) if codes else ""  # noqa: RUF071
    division = next((common[:n].ljust(12, "0") for n in (12, 9, 6, 4, 2) if len(common) >= n), "")
    with transaction.atomic():
        record_audit(
            actor=actor,
            action=AuditAction.IMPORT,
            division_code=division,
            details={
                "kind": "population",
                "source": file_name[:200],
                "mode": report.mode,
                "rows": report.counts.rows,
                "created": report.counts.created,
                "updated": report.counts.updated,
                "unchanged": report.counts.unchanged,
                "errors": report.counts.error_rows,
                "households_created": report.counts.households_created,
                "households_updated": report.counts.households_updated,
            },
        )
