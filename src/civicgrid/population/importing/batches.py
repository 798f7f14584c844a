"""The import page's flow, one `ImportBatch` per uploaded file:

    do_upload_import      read the heading row, propose the column mapping     → "mapping"
    do_check_import       the confirmed mapping; a dry run as a task           → "checking" → "checked"
    do_start_import       skip or all-or-nothing; the import as a task        → "importing" → "done"

Each task (`population.tasks`) calls `do_run_import_batch`, which runs `import_people` for the
batch's owner (their jurisdiction applies) with the batch's progress row, and stores the counts,
the first problems and the xlsx of all problems. The uploaded bytes hold plain ID numbers: they
are dropped once the import has run or failed.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.models import TaskProgress
from civicgrid.core.progress import create_progress, finish_progress
from civicgrid.core.spreadsheets import SpreadsheetError
from civicgrid.population.importing.columns import check_mapping, propose_mapping
from civicgrid.population.importing.places import ImportScope
from civicgrid.population.importing.run import import_people, resolve_place
from civicgrid.population.importing.sources import open_source, upload_max_bytes
from civicgrid.population.models import ImportBatch

logger = logging.getLogger(__name__)


def do_upload_import(
    actor: Any, *, file_name: str, data: bytes, place_code: str = ""
) -> ImportBatch:
    """Keep an uploaded register and propose its column mapping.

    Raises PermissionDenied (actor may not import), ValidationError (place unusable) and
    SpreadsheetError (the file as a whole: type, size, no heading, merged heading, no data).
    """
    scope = ImportScope(actor)
    resolve_place(place_code, scope)
    source = open_source(file_name=file_name, data=data, max_bytes=upload_max_bytes())
    return ImportBatch.objects.create(
        created_by=actor,
        file_name=file_name[:255],
        file_size=len(data),
        file_data=data,
        place_code=place_code,
        header_row=source.header_row,
        headers=source.headers,
        mapping={str(p): key for p, key in propose_mapping(source.headers).items()},
        total_rows=source.estimated_rows,
        warnings=source.warnings,
    )


def batch_mapping(batch: ImportBatch) -> dict[int, str]:
    return {int(position): key for position, key in batch.mapping.items()}


def do_check_import(actor: Any, batch: ImportBatch, *, mapping: dict[int, str]) -> ImportBatch:
    """Save the confirmed mapping and queue the dry run. ValidationError lists what is wrong
    with the mapping, or says the batch is past checking."""
    if batch.status not in (ImportBatch.Status.MAPPING, ImportBatch.Status.CHECKED):
        raise ValidationError(_("该文件正在处理或已经导入，不能再修改列的对应。"))
    default_community, _area = resolve_place(batch.place_code, ImportScope(actor))
    problems = check_mapping(mapping, has_default_community=bool(default_community))
    if problems:
        raise ValidationError(problems)
    from civicgrid.population.tasks import check_import_batch

    label = _("检查人口台账：%(file)s") % {"file": batch.file_name}
    return _queue(
        batch,
        check_import_batch,
        label=label,
        total=batch.total_rows,
        status=ImportBatch.Status.CHECKING,
        mapping={str(p): key for p, key in sorted(mapping.items())},
    )


def do_start_import(actor: Any, batch: ImportBatch, *, mode: str) -> ImportBatch:
    """Queue the import of a checked batch."""
    if mode not in ImportBatch.Mode.values:
        raise ValidationError(_("请选择导入方式。"))
    if batch.status != ImportBatch.Status.CHECKED:
        raise ValidationError(_("请先完成检查，再开始导入。"))
    from civicgrid.population.tasks import run_import_batch

    label = _("导入人口台账：%(file)s") % {"file": batch.file_name}
    return _queue(
        batch,
        run_import_batch,
        label=label,
        total=batch.total_rows * 2,
        status=ImportBatch.Status.IMPORTING,
        mode=mode,
    )


def _queue(batch: ImportBatch, task: Any, *, label: str, total: int, **fields: Any) -> ImportBatch:
    with transaction.atomic():
        progress = create_progress(label=label[:200], total=total, owner_id=batch.created_by_id)
        for name, value in fields.items():
            setattr(batch, name, value)
        batch.progress_key = progress.key
        batch.task_started_at = None
        batch.save()

        def enqueue() -> None:
            result = task.enqueue(batch.pk)
            TaskProgress.objects.filter(pk=progress.pk).update(task_id=result.id)

        transaction.on_commit(enqueue)
    return batch


def do_run_import_batch(batch_id: int, *, dry_run: bool) -> ImportBatch | None:
    """The body of both tasks. A batch runs once per queueing: a second call does nothing."""
    status = ImportBatch.Status.CHECKING if dry_run else ImportBatch.Status.IMPORTING
    claimed = ImportBatch.objects.filter(
        pk=batch_id, status=status, task_started_at__isnull=True
    ).update(task_started_at=timezone.now())
    if not claimed:
        return None
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    report_file = io.BytesIO()
    try:
        actor = batch.created_by
        if actor is None or not actor.is_active:
            raise PermissionDenied(_("上传该文件的账号已不存在或已停用。"))
        source = open_source(
            file_name=batch.file_name, data=bytes(batch.file_data), max_bytes=upload_max_bytes()
        )
        report = import_people(
            actor,
            source,
            mapping=batch_mapping(batch),
            mode=batch.mode,
            dry_run=dry_run,
            place_code=batch.place_code,
            progress_key=batch.progress_key,
            progress_total=batch.total_rows * (1 if dry_run else 2),
            report_to=report_file,
        )
    except (SpreadsheetError, PermissionDenied, ValidationError) as exc:
        message = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        _fail(batch, message)
        return batch
    except Exception:
        logger.exception("Population import batch %s failed", batch_id)
        _fail(batch, _("处理过程中发生内部错误，台账未作任何修改。请稍后重试或联系管理员。"))
        raise
    counts = report.counts
    batch.status = ImportBatch.Status.CHECKED if dry_run else ImportBatch.Status.DONE
    batch.total_rows = counts.rows
    batch.created_count = counts.created
    batch.updated_count = counts.updated
    batch.unchanged_count = counts.unchanged
    batch.error_count = counts.error_rows
    batch.households_created = counts.households_created
    batch.households_updated = counts.households_updated
    batch.problem_count = report.problem_count
    batch.preview = report.preview
    batch.error_report = report_file.getvalue() if report.problem_count else b""
    batch.written = report.written
    batch.refused = report.refused
    batch.message = report.summary()[:500]
    batch.warnings = report.warnings
    if not dry_run:
        batch.file_data = b""
        batch.finished_at = timezone.now()
    batch.save()
    finish_progress(batch.progress_key, message=batch.message)
    return batch


def _fail(batch: ImportBatch, message: str) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.FAILED,
        message=message[:500],
        file_data=b"",
        finished_at=timezone.now(),
    )
    batch.refresh_from_db()
    if batch.progress_key:
        finish_progress(batch.progress_key, failed=True, message=message[:500])
