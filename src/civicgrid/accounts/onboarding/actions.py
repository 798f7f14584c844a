"""The onboarding actions: `do_onboard_staff`, and the batches behind the page and its task."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.actions import do_create_organisation, do_grant_role
from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import OnboardingBatch, Organisation, User
from civicgrid.accounts.onboarding.planning import Lookups, Planner, Scope, slices
from civicgrid.accounts.onboarding.report import OnboardingReport, RowStatus
from civicgrid.accounts.onboarding.rows import COLUMNS, StaffRow, parse_record
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.models import TaskProgress
from civicgrid.core.notifications.actions import notify
from civicgrid.core.progress import advance_progress, create_progress, finish_progress
from civicgrid.core.spreadsheets import Record, SpreadsheetError, Table, read_table

logger = logging.getLogger(__name__)

# Rows per transaction in skip mode: long enough to amortise the commit, short enough that the
# SQLite write lock and the audit chain head are released about twice a second.
WRITE_CHUNK = 100
# The all-or-nothing transaction reports to the progress callback this often (in rows).
PROGRESS_EVERY = 200
# New organisations named in a batch's notes; the rest are counted.
NEW_ORGANISATIONS_SHOWN = 10

# --- writing -------------------------------------------------------------------------------


class _AllOrNothingAbort(Exception):
    pass


class Writer:
    def __init__(self, actor: User | None, lookups: Lookups) -> None:
        self.actor = actor
        self.lookups = lookups
        self.new_organisations: dict[tuple[str, str], Organisation] = {}
        self.workspace_url = reverse("accounts:workspace")

    def write_row(self, row: StaffRow, created_here: list[tuple[str, str]]) -> User:
        organisation = row.organisation
        if organisation is None:
            if row.new_organisation is None:
                raise RuntimeError(f"row {row.number} was planned without an organisation")
            organisation = self.new_organisations.get(row.new_organisation)
            if organisation is None:
                code, name = row.new_organisation
                organisation = do_create_organisation(
                    name=name, type=row.organisation_type, division=self.lookups.divisions[code]
                )
                self.new_organisations[row.new_organisation] = organisation
                created_here.append(row.new_organisation)
            row.organisation = organisation
        if row.user is None:
            user = User(username=row.mobile, full_name=row.name, is_resident=False)
            user.set_unusable_password()
            user.mobile = row.mobile
            user.save()
        else:
            user = row.user
            fields = []
            if user.is_resident:
                user.is_resident = False
                fields.append("is_resident")
            if not user.full_name:
                user.full_name = row.name
                fields.append("full_name")
            if fields:
                user.save(update_fields=fields)
        do_grant_role(
            user=user,
            organisation=organisation,
            role=row.role,
            jurisdiction=row.jurisdiction,
            actor=self.actor,
        )
        return user

    def forget(self, created_here: list[tuple[str, str]]) -> None:
        """The savepoint that created these organisations was rolled back."""
        for key in created_here:
            self.new_organisations.pop(key, None)

    def notify(self, done: list[tuple[StaffRow, User]]) -> None:
        """One `notify` per (template, organisation, role): texts go out in batches."""
        groups: dict[tuple[str, str, str], list[User]] = defaultdict(list)
        for row, user in done:
            template = (
                "staff_account_opened" if row.status == RowStatus.CREATED else "staff_role_added"
            )
            groups[(template, row.organisation_label, str(Role(row.role).label))].append(user)
        for (template, organisation, role), users in groups.items():
            notify(
                users,
                template,
                {"organisation": organisation, "role": role},
                url=self.workspace_url,
            )


def _error_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return _("写入失败：%(error)s") % {"error": "；".join(exc.messages)}
    return _("与数据库中已有的数据冲突（可能同时有其他导入写入了同一手机号码），请重新导入该行。")


ProgressCallback = Callable[[int, int], None]


class Progress:
    """Reports rows handled to the progress row (one UPDATE) and to a callback."""

    def __init__(self, total: int, key: Any, callback: ProgressCallback | None) -> None:
        self.total, self.key, self.callback = total, key, callback
        self.stored = 0  # what the progress row says

    def reach(self, done: int, *, store: bool = True) -> None:
        """`done` rows handled; `store=False` inside a transaction others cannot see yet."""
        if store:
            self.store(done, _("已处理 %(n)d 行") % {"n": done})
        if self.callback is not None:
            self.callback(done, self.total)

    def store(self, done: int, message: str) -> None:
        if self.key is not None and done > self.stored:
            advance_progress(self.key, by=done - self.stored, message=message)
            self.stored = done


def do_onboard_staff(
    actor: User | None,
    rows: Sequence[Record],
    *,
    mode: str = OnboardingBatch.Mode.SKIP,
    progress_key: Any = None,
    dry_run: bool = False,
    on_progress: ProgressCallback | None = None,
    source: str = "",
) -> OnboardingReport:
    """Create accounts and grant roles for the rows of a staff sheet; see the module docstring.

    `rows` are the records of `read_onboarding_table`. `progress_key` names a `TaskProgress`
    row whose total is len(rows): in skip mode it advances after each chunk of `WRITE_CHUNK`
    rows; in all-or-nothing mode other connections cannot see inside the one transaction, so it
    stands at half once every row is checked and is full when the transaction commits.
    `on_progress(done, total)` (the command's terminal bar) is called after each chunk, or every
    `PROGRESS_EVERY` rows inside the transaction. `source` (the file name) goes into the audit
    record. Raises PermissionDenied when `actor` is neither a superuser nor an administrator.
    """
    if mode not in OnboardingBatch.Mode.values:
        raise ValueError(f"unknown onboarding mode {mode!r}")
    scope = Scope(actor)
    parsed = [parse_record(record) for record in rows]
    lookups = Lookups.load(parsed)
    planner = Planner(lookups, scope)
    for row in parsed:
        planner.plan(row)
    total = len(parsed)
    failed = any(row.errors for row in parsed)
    writable = [row for row in parsed if not row.errors and row.status != RowStatus.EXISTING]
    written = False
    writer = Writer(actor, lookups)
    progress = Progress(total, progress_key, on_progress)
    if dry_run or not writable or (failed and mode == OnboardingBatch.Mode.ALL_OR_NOTHING):
        pass
    elif mode == OnboardingBatch.Mode.SKIP:
        written = _write_skipping(parsed, writer, progress)
    else:
        written = _write_all_or_nothing(parsed, writer, progress)
    progress.reach(total)

    report = OnboardingReport(
        mode=mode,
        dry_run=dry_run,
        written=written,
        rows=[row.result() for row in parsed],
        new_organisations=[
            _organisation_label(name, lookups.divisions[code].name)
            for code, name in sorted(writer.new_organisations if written else planner.planned)
        ],
    )
    if written:
        with transaction.atomic():
            record_audit(
                actor=actor,
                action=AuditAction.IMPORT,
                details={"kind": "staff_onboarding", "source": source[:200], **report.counts},
            )
    return report


def _write_skipping(parsed: list[StaffRow], writer: Writer, progress: Progress) -> bool:
    written = False
    done_rows = 0
    for chunk in slices(parsed, WRITE_CHUNK):
        done: list[tuple[StaffRow, User]] = []
        with transaction.atomic():
            for row in chunk:
                if row.errors or row.status == RowStatus.EXISTING:
                    continue
                created_here: list[tuple[str, str]] = []
                try:
                    with transaction.atomic():
                        user = writer.write_row(row, created_here)
                except (ValidationError, IntegrityError) as exc:
                    writer.forget(created_here)
                    row.errors.append(_error_message(exc))
                else:
                    done.append((row, user))
            writer.notify(done)
        written = written or bool(done)
        done_rows += len(chunk)
        progress.reach(done_rows)
    return written


def _write_all_or_nothing(parsed: list[StaffRow], writer: Writer, progress: Progress) -> bool:
    progress.store(
        len(parsed) // 2,
        _("已校验全部 %(n)d 行，正在写入，全部成功后一次性提交") % {"n": len(parsed)},
    )
    done: list[tuple[StaffRow, User]] = []
    try:
        with transaction.atomic():
            for index, row in enumerate(parsed, start=1):
                if row.status != RowStatus.EXISTING:
                    try:
                        with transaction.atomic():
                            done.append((row, writer.write_row(row, [])))
                    except (ValidationError, IntegrityError) as exc:
                        row.errors.append(_error_message(exc))
                        raise _AllOrNothingAbort from exc
                if index % PROGRESS_EVERY == 0:
                    # Other connections see nothing of this transaction until it commits.
                    progress.reach(index, store=False)
            writer.notify(done)
    except _AllOrNothingAbort:
        return False
    return True


# --- batches: the page and its background task ---------------------------------------------


def read_onboarding_table(data: bytes, filename: str) -> Table:
    """The staff sheet's data rows under `COLUMNS`, or SpreadsheetError for the whole file."""
    return read_table(data, filename, COLUMNS)


def unknown_column_warnings(table: Table) -> list[str]:
    if not table.unknown_headers:
        return []
    return [
        _("以下列未能识别，已忽略：%(columns)s。")
        % {"columns": "、".join(f"“{h}”" for h in table.unknown_headers)}
    ]


def do_start_onboarding_batch(
    actor: User, *, file_name: str, data: bytes, mode: str, dry_run: bool = False
) -> OnboardingBatch:
    """Check the file as a whole, keep it, and enqueue its import once this commits.

    Raises SpreadsheetError for a file that cannot be imported at all (type, size, columns,
    no data rows), before anything is stored.
    """
    from civicgrid.accounts.tasks import run_onboarding_batch

    if mode not in OnboardingBatch.Mode.values:
        raise ValueError(f"unknown onboarding mode {mode!r}")
    table = read_onboarding_table(data, file_name)
    label = (_("检查工作人员表：%(file)s") if dry_run else _("导入工作人员：%(file)s")) % {
        "file": file_name
    }
    with transaction.atomic():
        progress = create_progress(label=label[:200], total=len(table.records), owner_id=actor.pk)
        batch = OnboardingBatch.objects.create(
            key=progress.key,
            created_by=actor,
            file_name=file_name[:255],
            file_data=data,
            mode=mode,
            dry_run=dry_run,
            total_rows=len(table.records),
            warnings=unknown_column_warnings(table),
        )

        def enqueue() -> None:
            result = run_onboarding_batch.enqueue(batch.pk)
            TaskProgress.objects.filter(pk=progress.pk).update(task_id=result.id)

        transaction.on_commit(enqueue)
    return batch


def do_run_onboarding_batch(batch_id: int) -> OnboardingBatch | None:
    """Run a queued batch (the task's body). A batch runs once: a second call does nothing."""
    claimed = OnboardingBatch.objects.filter(
        pk=batch_id, status=OnboardingBatch.Status.QUEUED
    ).update(status=OnboardingBatch.Status.RUNNING)
    if not claimed:
        return None
    batch = OnboardingBatch.objects.select_related("created_by").get(pk=batch_id)
    try:
        if batch.created_by is None or not batch.created_by.is_active:
            raise PermissionDenied(_("上传该文件的账号已不存在或已停用。"))
        table = read_onboarding_table(bytes(batch.file_data), batch.file_name)
        report = do_onboard_staff(
            batch.created_by,
            table.records,
            mode=batch.mode,
            dry_run=batch.dry_run,
            progress_key=batch.key,
            source=batch.file_name,
        )
    except (SpreadsheetError, PermissionDenied) as exc:
        _finish_failed(batch, str(exc))
        return batch
    except Exception:
        logger.exception("Onboarding batch %s failed", batch_id)
        _finish_failed(batch, _("导入过程中发生内部错误，已写入的行予以保留，请查看逐行结果。"))
        raise
    batch.status = OnboardingBatch.Status.DONE
    batch.written = report.written
    batch.created_count = report.count(RowStatus.CREATED)
    batch.role_added_count = report.count(RowStatus.ROLE_ADDED)
    batch.existing_count = report.count(RowStatus.EXISTING)
    batch.error_count = report.count(RowStatus.ERROR)
    batch.report = [row.as_list() for row in report.rows]
    batch.warnings = [*batch.warnings, *_new_organisation_notes(report)]
    batch.message = report.summary()
    batch.file_data = b""  # plain mobile numbers: not kept longer than needed
    batch.finished_at = timezone.now()
    batch.save()
    finish_progress(batch.key, message=batch.message)
    return batch


def _organisation_label(name: str, place: str) -> str:
    # Committees are usually named after their community: "丁庄村民委员会", not twice.
    return name if name.startswith(place) or place.startswith(name) else f"{name}（{place}）"


def _new_organisation_notes(report: OnboardingReport) -> list[str]:
    if not report.new_organisations:
        return []
    names = "、".join(report.new_organisations[:NEW_ORGANISATIONS_SHOWN])
    more = len(report.new_organisations) - NEW_ORGANISATIONS_SHOWN
    text = (
        _("新建机构 %(n)d 个：%(names)s") if report.written else _("将新建机构 %(n)d 个：%(names)s")
    ) % {"n": len(report.new_organisations), "names": names}
    return [text + (_(" 等") if more > 0 else "")]


def _finish_failed(batch: OnboardingBatch, message: str) -> None:
    OnboardingBatch.objects.filter(pk=batch.pk).update(
        status=OnboardingBatch.Status.FAILED,
        message=message[:500],
        file_data=b"",
        finished_at=timezone.now(),
    )
    finish_progress(batch.key, failed=True, message=message[:500])
