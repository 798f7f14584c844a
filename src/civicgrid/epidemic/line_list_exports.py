"""Exporting line lists (cases, contacts, key persons, observations) to .xlsx in the background.

As the principal sees them (`visible_to`), masked unless they ask for full numbers with a reason
and their role may see them (`population.exports.may_export_unmasked`), always audited — an
unmasked export also once per person, as its subject, so each person sees it on "谁查看了我的数据".

Built for a million rows in a minute with flat memory: rows stream from the database in chunks
(`iterator(chunk_size)`, a server-side cursor on PostgreSQL) as plain tuples, and straight into
the zip of the .xlsx (`xlsx_stream`); only the finished, compressed file is held to be stored.
"""

import datetime
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.sql.constants import MULTI
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from civicgrid.core.audit.actions import AuditBatch, record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.crypto import decrypt, lookup_hash
from civicgrid.core.masking import mask
from civicgrid.core.models import ExportFile
from civicgrid.core.progress import advance_progress, create_progress, finish_progress
from civicgrid.core.scoping import jurisdiction_q
from civicgrid.epidemic.choices import (
    CaseStatus,
    KeyPersonCategory,
    ObservationPlace,
    ObservationStatus,
    Outcome,
    Severity,
)
from civicgrid.epidemic.models import Case, Contact, KeyPerson, Observation
from civicgrid.epidemic.querysets import KEY_PERSON_READERS, LINE_LIST_ROLES, WORKLIST_ROLES
from civicgrid.epidemic.xlsx_stream import write_xlsx
from civicgrid.population.exports import may_export_unmasked

CHUNK = 5000


def _date(value: Any) -> object:
    if not value:
        return ""
    return datetime.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _text(value: Any) -> object:
    return "" if value is None else value


def _choice(choices: Any) -> Callable[[Any], object]:
    labels = {value: str(label) for value, label in choices.choices}
    return lambda value: labels.get(value, value or "")


def _yes_no(value: Any) -> object:
    return "是" if value else "否"


_SEX = {"M": "男", "F": "女"}
ID = "person__id_number"  # the one column handled apart: decrypted, masked unless allowed


@dataclass(frozen=True)
class ExportKind:
    code: str
    label: str
    model: Any
    roles: frozenset[str]
    columns: tuple[tuple[str, str, Callable[[Any], object]], ...]  # (field, heading, convert)
    order: tuple[str, ...] = ("division_code", "pk")

    @property
    def fields(self) -> list[str]:
        return [field for field, _h, _c in self.columns]

    @property
    def headers(self) -> list[str]:
        return [heading for _f, heading, _c in self.columns]


_PERSON = (
    ("person__name", "姓名", _text),
    (ID, "公民身份号码", _text),
    ("person__sex", "性别", lambda v: _SEX.get(v, "")),
)
KINDS = {
    k.code: k
    for k in (
        ExportKind("cases", "病例", Case, LINE_LIST_ROLES, (
            *_PERSON, ("person__birth_date", "出生日期", _date),
            ("division_code", "现住址区划代码", _text), ("status", "分类", _choice(CaseStatus)),
            ("severity", "临床严重程度", _choice(Severity)), ("onset_date", "发病日期", _date),
            ("diagnosis_date", "诊断日期", _date), ("report_date", "报告日期", _date),
            ("confirmed_on", "确诊日期", _date), ("reporting_unit__name", "报告单位", _text),
            ("hospital__name", "收治医院", _text), ("outcome", "转归", _choice(Outcome)),
            ("outcome_date", "转归日期", _date), ("cluster_id", "传播链编号", _text),
        )),
        ExportKind("contacts", "密切接触者", Contact, LINE_LIST_ROLES, (
            *_PERSON, ("person__birth_date", "出生日期", _date),
            ("division_code", "现住址区划代码", _text), ("reported_on", "登记日期", _date),
            ("converted_case_id", "已转为病例", _yes_no), ("cluster_id", "传播链编号", _text),
        )),
        ExportKind("key_persons", "重点人员", KeyPerson, KEY_PERSON_READERS, (
            *_PERSON, ("division_code", "现住址区划代码", _text),
            ("category", "类别", _choice(KeyPersonCategory)), ("origin", "来自地区", _text),
            ("arrival_date", "抵达日期", _date), ("transport", "交通方式及班次", _text),
        )),
        ExportKind("observations", "医学观察", Observation, WORKLIST_ROLES, (
            ("person__name", "姓名", _text), (ID, "公民身份号码", _text),
            ("division_code", "观察地区划代码", _text), ("place", "观察方式", _choice(ObservationPlace)),
            ("site__name", "隔离点", _text), ("team__name", "负责单位", _text),
            ("start_date", "开始日期", _date), ("planned_end_date", "计划解除日期", _date),
            ("status", "状态", _choice(ObservationStatus)), ("released_on", "解除日期", _date),
            ("last_temperature", "最近体温", _text), ("fever", "发热或有症状", _yes_no),
            ("checks", "监测次数", _text),
        )),
    )
}  # fmt: skip


def may_export(principal: Any, kind: ExportKind) -> bool:
    return bool(
        getattr(principal, "is_authenticated", False)
        and (principal.is_superuser or principal.has_role(*kind.roles))
    )


def export_rows(kind: ExportKind, owner: Any, within_code: str = "") -> QuerySet[Any]:
    rows = kind.model.objects.visible_to(owner)
    if within_code:
        rows = rows.filter(jurisdiction_q([within_code]))
    return rows.order_by(*kind.order)


def do_start_line_list_export(
    actor: Any, *, kind: str, within_code: str = "", unmasked: bool = False, reason: str = ""
) -> ExportFile:
    """Queue an export of one line list as the actor sees it (within `within_code`)."""
    found = KINDS.get(kind)
    if found is None:
        raise ValidationError({"kind": _("未知的导出类型")})
    if not may_export(actor, found):
        raise PermissionDenied
    reason = reason.strip()
    if unmasked and not may_export_unmasked(actor):
        raise PermissionDenied
    if unmasked and len(reason) < 2:
        raise ValidationError({"reason": _("导出完整号码须填写理由")})
    total = export_rows(found, actor, within_code).count()
    with transaction.atomic():
        progress = create_progress(
            label=_("导出%(k)s") % {"k": found.label}, total=total, owner_id=actor.pk
        )
        export = ExportFile.objects.create(
            owner=actor,
            progress=progress,
            filename=f"{found.label}-{timezone.localdate():%Y%m%d}.xlsx",
            unmasked=unmasked,
            reason=reason[:200],
        )
        record_audit(
            actor=actor, action=AuditAction.EXPORT, target=export, division_code=within_code,
            reason=reason[:200],
            details={"event": "line_list_export_started", "kind": kind, "unmasked": unmasked, "rows": total},
        )  # fmt: skip
        transaction.on_commit(lambda: export_line_list.enqueue(export.pk, kind, within_code))
    return export


def _raw_rows(rows: QuerySet[Any]) -> Iterator[tuple[Any, ...]]:
    """The rows as the database returns them, in chunks (a server-side cursor on PostgreSQL):
    no model converters, so a protected number stays its ciphertext until `_stream` needs it."""
    compiler = rows.query.get_compiler(using=rows.db)
    for chunk in compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=CHUNK):
        yield from chunk


def _stream(
    export: ExportFile, kind: ExportKind, rows: Iterator[tuple[Any, ...]]
) -> Iterator[list[object]]:
    unmasked = export.unmasked
    at = kind.fields.index(ID)
    converters = [convert for _f, _h, convert in kind.columns]
    # The person sees this on "谁查看了我的数据": an export of their full number. One record
    # each, appended a chunk at a time.
    readers = AuditBatch(size=CHUNK)
    for done, r in enumerate(rows, start=1):
        row = [convert(value) for convert, value in zip(converters, r, strict=True)]
        token = r[at]
        if token:
            plain = decrypt("id_number", token)
            row[at] = plain if unmasked else mask("id_number", plain)
            if unmasked:
                readers.add(
                    actor=export.owner, action=AuditAction.EXPORT, target=(f"epidemic.{kind.code}", "*"),
                    subject_key=f"id:{lookup_hash('id_number', plain)}", reason=export.reason,
                    details={"export": export.pk, "unmasked": True},
                )  # fmt: skip
        yield row
        if done % CHUNK == 0:
            advance_progress(export.progress.key, by=CHUNK)
    readers.flush()


def write_export(export: ExportFile, kind: ExportKind, within_code: str = "") -> int:
    """Write the file of `export` (its owner's view of `kind` now); returns the row count."""
    rows = _raw_rows(export_rows(kind, export.owner, within_code).values_list(*kind.fields))
    widths = [10, 20] + [12] * (len(kind.headers) - 2)
    with tempfile.TemporaryFile() as buffer:
        count = write_xlsx(
            buffer, _stream(export, kind, rows), kind.headers, title=kind.label, widths=widths
        )
        buffer.seek(0)
        content = buffer.read()
    with transaction.atomic():
        ExportFile.objects.filter(pk=export.pk).update(content=content, row_count=count)
        record_audit(
            actor=export.owner, action=AuditAction.EXPORT, target=export, reason=export.reason,
            division_code=within_code,
            details={"event": "line_list_exported", "kind": kind.code, "rows": count, "unmasked": export.unmasked},
        )  # fmt: skip
    return count


@task()
def export_line_list(export_id: int, kind: str, within_code: str = "") -> int:
    """Background: write a line-list export and finish its progress bar."""
    export = ExportFile.objects.select_related("owner", "progress").get(pk=export_id)
    try:
        count = write_export(export, KINDS[kind], within_code)
    except Exception:
        finish_progress(export.progress.key, failed=True, message=_("导出失败"))
        raise
    finish_progress(export.progress.key, message=_("共 %(n)d 行") % {"n": count})
    return count
