"""Exporting line lists (cases, contacts, key persons, observations) to .xlsx in the background.

As the principal sees them (`visible_to`), masked unless they ask for full numbers with a reason
and their role may see them (`population.exports.may_export_unmasked`), always audited — an
unmasked export also once per person, as its subject, so each person sees it on "谁查看了我的数据".

Built for a million rows in a minute with flat memory: rows stream from the database in chunks
(`iterator(chunk_size)`, a server-side cursor on PostgreSQL) as plain tuples, and straight into
the zip of the .xlsx (`xlsx_stream`); only the finished, compressed file is held to be stored.
"""

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
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


@dataclass(frozen=True)
class ExportKind:
    code: str
    label: str
    model: Any
    roles: frozenset[str]
    fields: tuple[str, ...]  # values_list fields; the 2nd is always the ID number, 1st the name
    headers: tuple[str, ...]
    shape: Callable[[tuple[Any, ...]], list[object]]  # the row after the ID number column
    order: tuple[str, ...] = ("division_code", "pk")


def _labels(choices: Any) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


_STATUS, _SEVERITY, _OUTCOME = _labels(CaseStatus), _labels(Severity), _labels(Outcome)
_PLACE, _OBS, _KP = (
    _labels(ObservationPlace),
    _labels(ObservationStatus),
    _labels(KeyPersonCategory),
)
_SEX = {"M": "男", "F": "女"}


def _case_row(r: tuple[Any, ...]) -> list[object]:
    return [
        _SEX.get(r[2], ""), r[3], r[4], _STATUS.get(r[5], r[5]), _SEVERITY.get(r[6], ""), r[7],
        r[8], r[9], r[10], r[11], r[12] or "", _OUTCOME.get(r[13], ""), r[14], r[15],
    ]  # fmt: skip


def _contact_row(r: tuple[Any, ...]) -> list[object]:
    return [_SEX.get(r[2], ""), r[3], r[4], r[5], "是" if r[6] else "否", r[7]]


def _key_person_row(r: tuple[Any, ...]) -> list[object]:
    return [_SEX.get(r[2], ""), r[3], _KP.get(r[4], r[4]), r[5], r[6], r[7]]


def _observation_row(r: tuple[Any, ...]) -> list[object]:
    return [
        r[2], _PLACE.get(r[3], r[3]), r[4] or "", r[5], r[6], r[7], _OBS.get(r[8], r[8]), r[9],
        r[10], "是" if r[11] else "否", r[12],
    ]  # fmt: skip


KINDS = {
    k.code: k
    for k in (
        ExportKind(
            "cases", "病例", Case, LINE_LIST_ROLES,
            ("person__name", "person__id_number", "person__sex", "person__birth_date", "division_code",
             "status", "severity", "onset_date", "diagnosis_date", "report_date", "confirmed_on",
             "reporting_unit__name", "hospital__name", "outcome", "outcome_date", "cluster_id"),
            ("姓名", "公民身份号码", "性别", "出生日期", "现住址区划代码", "分类", "临床严重程度",
             "发病日期", "诊断日期", "报告日期", "确诊日期", "报告单位", "收治医院", "转归", "转归日期",
             "传播链编号"),
            _case_row,
        ),
        ExportKind(
            "contacts", "密切接触者", Contact, LINE_LIST_ROLES,
            ("person__name", "person__id_number", "person__sex", "person__birth_date", "division_code",
             "reported_on", "converted_case_id", "cluster_id"),
            ("姓名", "公民身份号码", "性别", "出生日期", "现住址区划代码", "登记日期", "已转为病例",
             "传播链编号"),
            _contact_row,
        ),
        ExportKind(
            "key_persons", "重点人员", KeyPerson, KEY_PERSON_READERS,
            ("person__name", "person__id_number", "person__sex", "division_code", "category", "origin",
             "arrival_date", "transport"),
            ("姓名", "公民身份号码", "性别", "现住址区划代码", "类别", "来自地区", "抵达日期",
             "交通方式及班次"),
            _key_person_row,
        ),
        ExportKind(
            "observations", "医学观察", Observation, WORKLIST_ROLES,
            ("person__name", "person__id_number", "division_code", "place", "site__name", "team__name",
             "start_date", "planned_end_date", "status", "released_on", "last_temperature", "fever",
             "checks"),
            ("姓名", "公民身份号码", "观察地区划代码", "观察方式", "隔离点", "负责单位", "开始日期",
             "计划解除日期", "状态", "解除日期", "最近体温", "发热或有症状", "监测次数"),
            _observation_row,
        ),
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


def _stream(
    export: ExportFile, kind: ExportKind, rows: Iterator[tuple[Any, ...]]
) -> Iterator[list[object]]:
    unmasked = export.unmasked
    for done, r in enumerate(rows, start=1):
        number = r[1]
        shown = "" if number is None else (number.reveal() if unmasked else number.masked)
        yield [r[0], shown, *kind.shape(r)]
        if unmasked and number is not None:
            record_audit(
                actor=export.owner, action=AuditAction.EXPORT, target=(f"epidemic.{kind.code}", "*"),
                subject_key=f"id:{_hash_of(number)}", reason=export.reason,
                details={"export": export.pk, "unmasked": True},
            )  # fmt: skip
        if done % CHUNK == 0:
            advance_progress(export.progress.key, by=CHUNK)


def _hash_of(number: Any) -> str:
    from civicgrid.core.crypto import lookup_hash

    return lookup_hash("id_number", number)


def write_export(export: ExportFile, kind: ExportKind, within_code: str = "") -> int:
    """Write the file of `export` (its owner's view of `kind` now); returns the row count."""
    rows = (
        export_rows(kind, export.owner, within_code)
        .values_list(*kind.fields)
        .iterator(chunk_size=CHUNK)
    )
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
