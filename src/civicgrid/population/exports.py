"""Exporting the register to xlsx: masked by default, full numbers only for roles that need
them and with a reason; always audited; run as a background task with a progress bar."""

from collections.abc import Iterator

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from civicgrid.accounts.choices import REVEAL_ROLES
from civicgrid.core.audit.actions import AuditBatch, record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.models import ExportFile
from civicgrid.core.progress import advance_progress, create_progress, finish_progress
from civicgrid.core.spreadsheets import write_report
from civicgrid.population.actions import subject_key_of
from civicgrid.population.models import Person

CHUNK = 2000
HEADERS = [
    _("姓名"),
    _("公民身份号码"),
    _("性别"),
    _("出生日期"),
    _("联系电话"),
    _("住址"),
    _("网格"),
    _("与户主关系"),
    _("人口类型"),
    _("状态"),
]


def may_export_unmasked(user: object) -> bool:
    return bool(getattr(user, "is_superuser", False) or (user.roles() & REVEAL_ROLES))  # type: ignore[attr-defined]


def do_start_person_export(
    actor: object, *, unmasked: bool = False, reason: str = ""
) -> ExportFile:
    """Queue an export of every person the actor may see (living here first)."""
    reason = reason.strip()
    if unmasked and not may_export_unmasked(actor):
        raise PermissionDenied
    if unmasked and len(reason) < 2:
        raise ValidationError({"reason": _("导出完整号码须填写理由")})
    total = Person.objects.visible_to(actor).count()
    with transaction.atomic():
        progress = create_progress(label=_("导出人口台账"), total=total, owner_id=actor.pk)  # type: ignore[attr-defined]
        export = ExportFile.objects.create(
            owner=actor,
            progress=progress,
            filename=f"人口台账-{timezone.localdate():%Y%m%d}.xlsx",
            unmasked=unmasked,
            reason=reason[:200],
        )
        transaction.on_commit(lambda: export_persons.enqueue(export.pk))
    return export


def _rows(export: ExportFile, people: Iterator[Person]) -> Iterator[list[object]]:
    readers = AuditBatch(size=CHUNK)
    for done, person in enumerate(people, start=1):
        number = person.id_number.reveal() if export.unmasked else str(person.id_number)
        mobile = ""
        if person.mobile:
            mobile = person.mobile.reveal() if export.unmasked else str(person.mobile)
        yield [
            person.name, number, person.get_sex_display(), person.birth_date, mobile,
            person.household.address if person.household else "", person.grid.name if person.grid else "",
            person.get_relationship_display(), person.get_residence_type_display(), person.get_status_display(),
        ]  # fmt: skip
        if export.unmasked:
            # The person sees this on "谁查看了我的数据": an export of their full numbers.
            readers.add(actor=export.owner, action=AuditAction.EXPORT, target=person,
                        division_code=person.division_code, subject_key=subject_key_of(person),
                        reason=export.reason, details={"export": export.pk, "unmasked": True})  # fmt: skip
        if done % CHUNK == 0:
            advance_progress(export.progress.key, by=CHUNK)
    readers.flush()


@task()
def export_persons(export_id: int) -> int:
    """Write the xlsx for an ExportFile, as its owner sees the register now."""
    export = ExportFile.objects.select_related("owner", "progress").get(pk=export_id)
    people = (
        Person.objects.visible_to(export.owner)
        .select_related("household", "grid")
        .order_by("status", "division_code", "household_id", "id")
        .iterator(chunk_size=CHUNK)
    )
    try:
        rows = list(_rows(export, people))
        content = write_report(rows, HEADERS, title=_("人口台账"))
    except Exception:
        finish_progress(export.progress.key, failed=True, message=_("导出失败"))
        raise
    with transaction.atomic():
        ExportFile.objects.filter(pk=export.pk).update(content=content, row_count=len(rows))
        record_audit(actor=export.owner, action=AuditAction.EXPORT, target=("population.person", "*"),
                     reason=export.reason, details={"export": export.pk, "rows": len(rows), "unmasked": export.unmasked})  # fmt: skip
    finish_progress(export.progress.key, message=_("共 %(n)d 人") % {"n": len(rows)})
    return len(rows)
