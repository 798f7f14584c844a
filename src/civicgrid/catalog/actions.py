"""Catalogue actions other apps call; editing and importing items live here too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext

from civicgrid.catalog.importing import (
    Importer,
    ItemRow,
    MaterialRow,
    Problem,
    parse_table,
    problem_report,
    read_catalog_table,
)
from civicgrid.catalog.models import ServiceItem, ServiceMaterial
from civicgrid.catalog.signals import one_bump
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.spreadsheets import Table

ProgressCallback = Callable[[int, int, str], None]
WRITE_BATCH = 500


def do_count_case(*, item: ServiceItem, online: bool) -> None:
    """Count one received case of `item` (called by `applications` inside its own transaction)."""
    ServiceItem.objects.filter(pk=item.pk).update(
        cases_total=F("cases_total") + 1,
        cases_online=F("cases_online") + (1 if online else 0),
    )


@dataclass
class ImportReport:
    """What an import did or, on a dry run or with problems, would do."""

    rows: int = 0
    created: list[str] = field(default_factory=list)  # codes
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    unknown_headers: list[str] = field(default_factory=list)
    table: Table | None = field(default=None, repr=False)  # for the problem report

    def problem_report(self) -> bytes:
        """The .xlsx listing every problem by row, code, name and column."""
        return problem_report(self.problems, self.table)

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.problems and bool(self.created or self.updated)


def _material_rows(item: ServiceItem) -> list[MaterialRow]:
    return [
        MaterialRow(m.name, m.required, m.original_check, m.certificate_type)
        for m in item.materials.all()
    ]


def _changed_fields(item: ServiceItem, row: ItemRow) -> list[str]:
    changed = []
    if item.department_id != row.department.pk:
        item.department = row.department
        changed.append("department")
    for name in ItemRow.ITEM_FIELDS:
        new = getattr(row, name)
        if name != "department" and getattr(item, name) != new:
            setattr(item, name, new)
            changed.append(name)
    return changed


def _write_materials(item: ServiceItem, rows: list[MaterialRow]) -> bool:
    """Make the item's materials those of `rows`, in order; keep the templates of kept ones."""
    existing = {m.name: m for m in item.materials.all()}
    if _material_rows(item) == rows:
        return False
    wanted = {row.name for row in rows}
    ServiceMaterial.objects.filter(item=item).exclude(name__in=wanted).delete()
    for position, row in enumerate(rows):
        material = existing.get(row.name) or ServiceMaterial(item=item, name=row.name)
        material.position = position
        material.required = row.required
        material.original_check = row.original_check
        material.certificate_type = row.certificate_type
        material.save()
    return True


def write_item_rows(
    rows: list[ItemRow], *, on_rows: Callable[[int], None] | None = None, write: bool = True
) -> tuple[list[str], list[str], int]:
    """Upsert `rows` by code: (created codes, updated codes, unchanged count).

    New items go in with a few bulk inserts; existing ones are saved only where a value
    differs, so a second import of the same file changes nothing. The rows must come checked
    (`importing.parse_table`, or the demo's own data): model validation per row would cost a
    query per constraint and item (6 s for 1,000 items), and the database holds the
    constraints anyway. `on_rows(n)` hears of every `WRITE_BATCH` rows written. With
    `write=False` (a dry run) the same comparison runs and nothing is written.
    """
    tell = on_rows or (lambda n: None)
    existing = {
        i.code: i
        for i in ServiceItem.objects.filter(code__in=[r.code for r in rows]).prefetch_related(
            "materials", "life_events"
        )
    }
    created: list[str] = []
    updated: list[str] = []
    unchanged = 0
    new_items: list[tuple[ServiceItem, ItemRow]] = []
    for row in rows:
        item = existing.get(row.code)
        if item is None:
            item = ServiceItem(code=row.code)
            _changed_fields(item, row)
            item.derive_fields()
            new_items.append((item, row))
            continue
        fields = _changed_fields(item, row)
        if fields and write:
            item.save()
        materials = (
            _write_materials(item, row.materials)
            if write
            else _material_rows(item) != row.materials
        )
        events = {e.pk for e in item.life_events.all()} != {e.pk for e in row.life_events}
        if events and write:
            item.life_events.set(row.life_events)
        if fields or materials or events:
            updated.append(row.code)
        else:
            unchanged += 1
        if (len(updated) + unchanged) % WRITE_BATCH == 0:
            tell(WRITE_BATCH)
    tell((len(updated) + unchanged) % WRITE_BATCH)
    for start in range(0, len(new_items), WRITE_BATCH):
        batch = new_items[start : start + WRITE_BATCH]
        if write:
            _insert_items(batch)
        tell(len(batch))
    created = [row.code for _item, row in new_items]
    return created, updated, unchanged


def _insert_items(new_items: list[tuple[ServiceItem, ItemRow]]) -> None:
    """Insert new items with their materials and life events: three bulk inserts."""
    ServiceItem.objects.bulk_create([item for item, _row in new_items])
    saved = {
        i.code: i for i in ServiceItem.objects.filter(code__in=[r.code for _i, r in new_items])
    }
    ServiceMaterial.objects.bulk_create(
        [
            ServiceMaterial(
                item=saved[row.code],
                position=position,
                name=m.name,
                required=m.required,
                original_check=m.original_check,
                certificate_type=m.certificate_type,
            )
            for _item, row in new_items
            for position, m in enumerate(row.materials)
        ],
        batch_size=WRITE_BATCH,
    )
    through = ServiceItem.life_events.through
    through.objects.bulk_create(
        [
            through(serviceitem_id=saved[row.code].pk, lifeevent_id=event.pk)
            for _item, row in new_items
            for event in row.life_events
        ],
        batch_size=WRITE_BATCH,
    )


def do_import_catalog(
    actor: Importer | None,
    *,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    request=None,  # type: ignore[no-untyped-def]
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Check a catalogue spreadsheet and, unless `dry_run` or any row has a problem, upsert
    every row by code in one transaction (all or nothing), with one audit record.

    `on_progress(done, total, message)` follows the run: the rows checked, then the rows
    written (total: twice the rows). Raises `core.spreadsheets.SpreadsheetError` for a file
    that cannot be read at all (empty, too large, not a spreadsheet, missing columns).
    """
    table = read_catalog_table(data, filename)
    report = ImportReport(
        rows=len(table.records),
        dry_run=dry_run,
        unknown_headers=table.unknown_headers,
        table=table,
    )
    progress = _Progress(on_progress, total=2 * len(table.records))
    # The rows are checked before the write transaction opens, so that a task's progress
    # (committed row by row) shows on the page while it checks; the write re-reads what
    # exists inside the transaction and a code another import wrote meanwhile ends in the
    # IntegrityError below, with nothing written.
    rows, report.problems = parse_table(
        table, actor, on_rows=lambda n: progress.add(n, gettext("正在检查……"))
    )
    if report.problems:
        progress.finish(gettext("发现问题，未导入任何事项"))
        return report
    progress.add(0, gettext("正在写入……"))
    try:
        _write_rows(actor, rows, report, filename=filename, request=request, progress=progress)
    except IntegrityError:
        # Another import wrote one of these codes between our check and our insert.
        report.created, report.updated, report.unchanged = [], [], 0
        report.problems = [
            Problem(
                0, "", gettext("另一次导入同时写入了相同的事项编码，本次未导入任何事项，请重试。")
            )
        ]
    progress.finish(gettext("检查完成") if dry_run else gettext("导入完成"))
    return report


class _Progress:
    def __init__(self, callback: ProgressCallback | None, *, total: int) -> None:
        self.callback, self.total, self.done = callback, total, 0

    def add(self, units: int, message: str) -> None:
        self.done = min(self.done + units, self.total)
        if self.callback is not None:
            self.callback(self.done, self.total, message)

    def finish(self, message: str) -> None:
        self.add(self.total - self.done, message)


def _write_rows(
    actor: Importer | None,
    rows: list[ItemRow],
    report: ImportReport,
    *,
    filename: str,
    request: Any,
    progress: _Progress,
) -> None:
    if report.dry_run:
        # The same comparison as the write, without writing: no transaction, no write lock.
        report.created, report.updated, report.unchanged = write_item_rows(
            rows, on_rows=lambda n: progress.add(n, gettext("正在比对……")), write=False
        )
        return
    with transaction.atomic():
        with one_bump():
            report.created, report.updated, report.unchanged = write_item_rows(
                rows, on_rows=lambda n: progress.add(n, gettext("正在写入……"))
            )
        if report.created or report.updated:
            record_audit(
                actor=actor,
                action=AuditAction.IMPORT,
                target=("catalog.serviceitem", filename[:100]),
                actor_label="" if actor else "command:import_catalog",
                request=request,
                details={
                    "file": filename[:200],
                    "rows": report.rows,
                    "created": len(report.created),
                    "updated": len(report.updated),
                    "unchanged": report.unchanged,
                },
            )
