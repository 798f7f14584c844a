"""Catalogue actions other apps call; editing and importing items live here too."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext

from civicgrid.accounts.models import User
from civicgrid.catalog.importing import (
    ItemRow,
    MaterialRow,
    Problem,
    parse_table,
    read_catalog_table,
)
from civicgrid.catalog.models import ServiceItem, ServiceMaterial
from civicgrid.catalog.signals import one_bump
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.spreadsheets import Table


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


def write_item_rows(rows: list[ItemRow]) -> tuple[list[str], list[str], int]:
    """Upsert `rows` by code: (created codes, updated codes, unchanged count).

    New items go in with a few bulk inserts; existing ones are saved only where a value
    differs, so a second import of the same file changes nothing. The rows must come checked
    (`importing.parse_table`, or the demo's own data): model validation per row would cost a
    query per constraint and item (6 s for 1,000 items), and the database holds the
    constraints anyway.
    """
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
        if fields:
            item.save()
        materials = _write_materials(item, row.materials)
        events = {e.pk for e in item.life_events.all()} != {e.pk for e in row.life_events}
        if events:
            item.life_events.set(row.life_events)
        if fields or materials or events:
            updated.append(row.code)
        else:
            unchanged += 1
    ServiceItem.objects.bulk_create([item for item, _row in new_items], batch_size=500)
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
        batch_size=500,
    )
    through = ServiceItem.life_events.through
    through.objects.bulk_create(
        [
            through(serviceitem_id=saved[row.code].pk, lifeevent_id=event.pk)
            for _item, row in new_items
            for event in row.life_events
        ],
        batch_size=500,
    )
    created = [row.code for _item, row in new_items]
    return created, updated, unchanged


def do_import_catalog(
    actor: User | None,
    *,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    request=None,  # type: ignore[no-untyped-def]
) -> ImportReport:
    """Check a catalogue spreadsheet and, unless `dry_run` or any row has a problem, upsert
    every row by code in one transaction (all or nothing), with one audit record.

    Raises `core.spreadsheets.SpreadsheetError` for a file that cannot be read at all (empty,
    too large, not a spreadsheet, missing columns).
    """
    table = read_catalog_table(data, filename)
    report = ImportReport(
        rows=len(table.records), dry_run=dry_run, unknown_headers=table.unknown_headers
    )
    try:
        return _import_rows(actor, table, report, filename=filename, request=request)
    except IntegrityError:
        # Another import wrote one of these codes between our check and our insert.
        report.created, report.updated, report.unchanged = [], [], 0
        report.problems = [
            Problem(
                0, "", gettext("另一次导入同时写入了相同的事项编码，本次未导入任何事项，请重试。")
            )
        ]
        return report


def _import_rows(
    actor: User | None, table: Table, report: ImportReport, *, filename: str, request: Any
) -> ImportReport:
    dry_run = report.dry_run
    with transaction.atomic():
        rows, report.problems = parse_table(table, actor)
        if report.problems:
            return report
        if dry_run:
            with one_bump():
                created, updated, unchanged = write_item_rows(rows)
            report.created, report.updated, report.unchanged = created, updated, unchanged
            transaction.set_rollback(True)
            return report
        with one_bump():
            report.created, report.updated, report.unchanged = write_item_rows(rows)
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
    return report
