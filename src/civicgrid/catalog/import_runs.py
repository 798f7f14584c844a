"""The catalogue import as a background task, one `CatalogImport` per file:

    page:  do_check_catalog_upload   a dry run, at once                → "checked" / "rejected"
           do_start_catalog_import   the person confirms; queued       → "queued"
    API:   do_queue_catalog_import   the file queued directly          → "queued"
    task:  do_run_catalog_import     check again and write, all or nothing → "done" / "rejected"
                                                                           / "failed"

The dry run stays in the request on purpose: a province's whole catalogue is a few thousand
items (the source province's app listed 898); the check reads and compares them without
writing (no transaction, so no SQLite write lock): 1.7 s for 3,000 new items and 2.7 s for
3,000 existing ones on a busy 2-core machine (load 6.5), and the person is waiting for its
answer to decide whether to import. The write (3.5 s there) is the task. The write is what may take long and must not die with a closed browser, so it runs as
a task with a `core.TaskProgress` bar. The task checks the file again (the catalogue may have
changed since the dry run) and writes nothing when any row has a problem.

Only the one who started an import sees it, its progress and its report: the person
(`created_by`) or the API token (`token`); the access helpers answer 404 to anyone else.
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import ApiToken, User
from civicgrid.catalog.actions import ImportReport, do_import_catalog
from civicgrid.catalog.importing import Importer, read_catalog_table
from civicgrid.catalog.models import CatalogImport
from civicgrid.core.models import TaskProgress
from civicgrid.core.progress import advance_progress, create_progress, finish_progress
from civicgrid.core.spreadsheets import SpreadsheetError

logger = logging.getLogger(__name__)

# The page lists the first problems; the xlsx report has every one.
PREVIEW_PROBLEMS = 200
PROGRESS_SECONDS = 0.3


def access_catalog_import_for(principal: Any, key: uuid.UUID | str) -> CatalogImport:
    """The import `principal` (a user or an API token) started; 404 alike for a missing one
    and someone else's."""
    found = None
    if isinstance(principal, User) and principal.is_authenticated:
        found = CatalogImport.objects.filter(key=key, created_by=principal).first()
    elif isinstance(principal, ApiToken):
        found = CatalogImport.objects.filter(key=key, token=principal).first()
    if found is None:
        raise Http404
    return found


def _owner_fields(actor: Importer) -> dict[str, Any]:
    return {"token": actor} if isinstance(actor, ApiToken) else {"created_by": actor}


def _store_report(batch: CatalogImport, report: ImportReport) -> None:
    batch.rows = report.rows
    batch.created_count = len(report.created)
    batch.updated_count = len(report.updated)
    batch.unchanged_count = report.unchanged
    batch.problem_count = len(report.problems)
    batch.problems = [[p.row, p.column, p.message] for p in report.problems[:PREVIEW_PROBLEMS]]
    batch.unknown_headers = report.unknown_headers
    batch.error_report = report.problem_report() if report.problems else b""


def do_check_catalog_upload(
    actor: Importer, *, data: bytes, filename: str, request: Any = None
) -> CatalogImport:
    """Check an uploaded sheet now (nothing written) and keep it for the person to confirm.

    Raises SpreadsheetError for a file that cannot be read at all.
    """
    report = do_import_catalog(actor, data=data, filename=filename, dry_run=True, request=request)
    batch = CatalogImport(
        **_owner_fields(actor),
        file_name=filename[:255],
        status=CatalogImport.Status.REJECTED if report.problems else CatalogImport.Status.CHECKED,
        file_data=b"" if report.problems else data,
    )
    _store_report(batch, report)
    if report.problems:
        batch.finished_at = timezone.now()
    batch.save()
    return batch


def do_start_catalog_import(actor: User, batch: CatalogImport) -> CatalogImport:
    """Queue the import of a checked upload (the person confirmed the dry run)."""
    if batch.status != CatalogImport.Status.CHECKED or batch.created_by_id != actor.pk:
        raise ValidationError(_("该文件未通过检查或已经导入，请重新上传。"))
    return _queue(batch)


def do_queue_catalog_import(actor: Importer, *, data: bytes, filename: str) -> CatalogImport:
    """Queue a file for import straight away (the API). A file that cannot be read at all is
    refused here (SpreadsheetError); its rows are checked by the task."""
    table = read_catalog_table(data, filename)
    batch = CatalogImport.objects.create(
        file_name=filename[:255],
        rows=len(table.records),
        file_data=data,
        status=CatalogImport.Status.CHECKED,
        **_owner_fields(actor),
    )
    return _queue(batch)


def _queue(batch: CatalogImport) -> CatalogImport:
    from civicgrid.catalog.tasks import run_catalog_import

    with transaction.atomic():
        # Only one queueing per checked file, however often the button is pressed.
        claimed = CatalogImport.objects.filter(
            pk=batch.pk, status=CatalogImport.Status.CHECKED
        ).update(status=CatalogImport.Status.QUEUED)
        if not claimed:
            raise ValidationError(_("该文件已经在导入或导入过了。"))
        label = _("导入服务事项：%(file)s") % {"file": batch.file_name}
        progress = create_progress(
            label=label[:200], total=max(batch.rows, 1) * 2, owner_id=batch.created_by_id
        )
        batch.status = CatalogImport.Status.QUEUED
        batch.progress_key = progress.key
        batch.save(update_fields=["status", "progress_key"])

        def enqueue() -> None:
            result = run_catalog_import.enqueue(batch.pk)
            TaskProgress.objects.filter(pk=progress.pk).update(task_id=result.id)

        transaction.on_commit(enqueue)
    return batch


class _TaskBar:
    """Carries the import's progress to the `TaskProgress` row, at most every
    PROGRESS_SECONDS (one UPDATE each), so the page's bar moves while rows are checked."""

    def __init__(self, key: Any) -> None:
        self.key, self.stored, self.last = key, 0, 0.0

    def __call__(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_SECONDS and done < total:
            return
        if done > self.stored:
            advance_progress(self.key, by=done - self.stored, message=message[:500])
            self.stored = done
        self.last = now


def _actor_of(batch: CatalogImport) -> Importer:
    if batch.token_id is not None:
        token = ApiToken.objects.usable().select_related("organisation").filter(pk=batch.token_id)
        actor: Importer | None = token.first()
    else:
        actor = batch.created_by if batch.created_by and batch.created_by.is_active else None
    if actor is None:
        raise PermissionError(_("发起导入的账号或接口令牌已不存在、已停用或已吊销。"))
    return actor


def do_run_catalog_import(batch_id: int) -> CatalogImport | None:
    """The task's body: check the file again and write it, all or nothing. A queued import
    runs once: a second call does nothing."""
    claimed = CatalogImport.objects.filter(
        pk=batch_id, status=CatalogImport.Status.QUEUED, task_started_at__isnull=True
    ).update(status=CatalogImport.Status.RUNNING, task_started_at=timezone.now())
    if not claimed:
        return None
    batch = CatalogImport.objects.select_related("created_by").get(pk=batch_id)
    try:
        report = do_import_catalog(
            _actor_of(batch),
            data=bytes(batch.file_data),
            filename=batch.file_name,
            on_progress=_TaskBar(batch.progress_key),
        )
    except (SpreadsheetError, PermissionError) as exc:
        _fail(batch, str(exc))
        return batch
    except Exception:
        logger.exception("Catalogue import %s failed", batch_id)
        _fail(batch, _("导入过程中发生内部错误，未导入任何事项。请稍后重试或联系管理员。"))
        raise
    _store_report(batch, report)
    batch.status = CatalogImport.Status.REJECTED if report.problems else CatalogImport.Status.DONE
    batch.message = _summary(report)[:500]
    batch.file_data = b""
    batch.finished_at = timezone.now()
    batch.save()
    if batch.progress_key:
        finish_progress(batch.progress_key, failed=bool(report.problems), message=batch.message)
    return batch


def _summary(report: ImportReport) -> str:
    counts = {
        "rows": report.rows,
        "created": len(report.created),
        "updated": len(report.updated),
        "unchanged": report.unchanged,
    }
    if report.problems:
        return _("发现 %(n)d 处问题，未导入任何事项。") % {"n": len(report.problems)}
    return (
        _("共 %(rows)d 行：新增 %(created)d 项，更新 %(updated)d 项，未变化 %(unchanged)d 项。")
        % counts
    )


def _fail(batch: CatalogImport, message: str) -> None:
    CatalogImport.objects.filter(pk=batch.pk).update(
        status=CatalogImport.Status.FAILED,
        message=message[:500],
        file_data=b"",
        finished_at=timezone.now(),
    )
    batch.refresh_from_db()
    if batch.progress_key:
        finish_progress(batch.progress_key, failed=True, message=message[:500])


# A checked upload nobody confirmed keeps its file (up to 5 MB) only this long.
UNCONFIRMED_HOURS = 24


def do_drop_unconfirmed_catalog_uploads() -> int:
    """Drop the files of checked uploads left unconfirmed for UNCONFIRMED_HOURS (a periodic
    job; safe to run twice at once: one conditional UPDATE). Returns how many."""
    cutoff = timezone.now() - datetime.timedelta(hours=UNCONFIRMED_HOURS)
    return CatalogImport.objects.filter(
        status=CatalogImport.Status.CHECKED, created_at__lt=cutoff
    ).update(
        status=CatalogImport.Status.FAILED,
        file_data=b"",
        finished_at=timezone.now(),
        message=_("超过 %(hours)d 小时未确认导入，文件已删除，请重新上传。")
        % {"hours": UNCONFIRMED_HOURS},
    )
