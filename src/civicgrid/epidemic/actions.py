"""Daily reports: save, submit and correct; the approval chain; overdue reminders.

Every write of a report is one transaction that checks the reporter's remit, the day, the
figures and the form's rules, writes the report with a version check (optimistic locking), keeps
a revision, adds the change to the live statistics (`live_totals`) and appends one audit row.
Anything wrong raises before the transaction commits: nothing is half-saved.

The approval chain (issue 5): units — or their county prevention office on their behalf —
submit; the city confirms its counties' submitted reports of a day; the province locks a day,
after which nothing of it changes until the province reopens it, with a reason in the audit
trail. A correction of a confirmed report sends it back to "submitted" for the city to confirm
again. The statistics count every submitted report at once: confirmation and locking are about
trust in a figure, not about its visibility.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from civicgrid.accounts.models import Organisation, User
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.notifications.actions import notify
from civicgrid.core.scoping import covers, jurisdiction_q
from civicgrid.core.sql_rows import insert_row, insert_row_and_child
from civicgrid.epidemic import remit, report_sql, rules
from civicgrid.epidemic.choices import COUNTED_STATUSES, ReportStatus
from civicgrid.epidemic.definitions import form_definition
from civicgrid.epidemic.live_totals import add_report_change, value_deltas
from civicgrid.epidemic.models import (
    DayLock,
    Report,
    ReportForm,
    ReportReminder,
    ReportRevision,
)
from civicgrid.epidemic.querysets import CONFIRMER_ROLES, LOCKER_ROLES, ancestor_codes
from civicgrid.regions.models import Division

S = ReportStatus


class ReportConflict(Exception):
    """Another write of the report came first (HTTP 409): reload and apply the change again."""

    def __init__(self, message: str, *, current_version: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.current_version = current_version


@dataclass
class SavedReport:
    report: Report
    warnings: list[str]
    created: bool


def _day_label(date: datetime.date) -> str:
    return f"{date.month}月{date.day}日"


def locked_lock(form: ReportForm, division_code: str, date: datetime.date) -> DayLock | None:
    """The lock covering the division on the day (`report_sql` asks the same in every write)."""
    return DayLock.objects.filter(
        form=form, date=date, division_code__in=ancestor_codes(division_code)
    ).first()


def _check_remit(actor: Any, form: ReportForm, unit: Organisation) -> None:
    if not form.is_active:
        raise ValidationError({"form": f"报表“{form.name}”已停用"})
    if not remit.reports_form(unit, form):
        raise ValidationError({"unit": f"“{unit.name}”不是“{form.name}”的填报单位"})
    if not remit.may_report_for(actor, unit):
        raise ValidationError({"unit": f"“{unit.name}”不在您的填报范围内"})


def previous_values(
    form: ReportForm, unit: Organisation, date: datetime.date
) -> tuple[dict[str, Any] | None, str]:
    """The unit's last counted figures before `date`, and that day's label."""
    values, day = report_sql.previous_values(form.pk, unit.pk, date)
    return values, _day_label(day) if day is not None else ""


def do_save_report(
    actor: Any,
    *,
    form: ReportForm,
    unit: Organisation,
    date: datetime.date,
    values: Mapping[str, object],
    submit: bool,
    expected_version: int | None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> SavedReport:
    """Save a unit's figures of a day: a draft, a submission, or a correction.

    `expected_version` is the version the reporter read (0 for a report not yet written; None
    from a client that does not know, accepted only when no report exists yet). A counted
    report stays counted, so saving it is a correction. Blocking rules refuse a submission or
    correction (ValidationError by element code); warnings are returned and kept on the report.
    Raises ReportConflict when another write came first. `now` is the moment of the write
    (loading a history of reports, e.g. the demo); pages and the API never pass it.

    It runs for every report an API client posts, so its reads are few and plain: one
    statement for the definition key, the day lock and the current report (`report_sql`),
    the form's elements and rules from the process's memory (`definitions`), the previous
    figures only when a rule needs them; the report and its revision are plain INSERTs.
    """
    with transaction.atomic():
        _check_remit(actor, form, unit)
        if date > remit.local_today():
            raise ValidationError({"date": f"不能填报未来的日期（{date:%Y-%m-%d}）"})
        report_sql.hold_form_against_locking(form.pk)
        state = report_sql.read_write_state(form.pk, unit.pk, unit.division_code, date)
        if state is None:
            raise ValidationError({"form": "报表不存在"})
        if state.locked:
            raise ValidationError(
                {
                    "date": f"{_day_label(date)}的{form.name}已被省级锁定，如需修改请联系省级防控办重新开放"
                }
            )
        current = state.current
        if current is not None and expected_version != current.version:
            raise ReportConflict(
                f"“{unit.name}”{_day_label(date)}的日报已被他人修改（当前版本 {current.version}，"
                f"您修改的是版本 {expected_version or 0}），请刷新后在最新内容上重新修改",
                current_version=current.version,
            )
        if current is None and expected_version not in (None, 0):
            raise ReportConflict(
                f"找不到“{unit.name}”{_day_label(date)}的版本 {expected_version}，请刷新后重试",
                current_version=None,
            )
        if current is not None and current.status == S.LOCKED:
            raise ValidationError({"date": f"{_day_label(date)}的日报已被省级锁定，不能修改"})
        definition = form_definition(form.pk, state.definition_key)
        elements = definition.elements
        parsed, errors = rules.parse_values(elements, values)
        if errors:
            raise ValidationError(errors)
        was_counted = current is not None and current.status in COUNTED_STATUSES
        counted = submit or was_counted
        previous, previous_label = (
            previous_values(form, unit, date) if definition.checks_previous else (None, "")
        )
        checked = rules.check_rules(
            definition.rules,
            elements,
            parsed,
            previous,
            previous_label,
        )
        if counted:
            blocking = {**rules.missing_required(elements, parsed), **checked.errors}
            if blocking:
                raise ValidationError(blocking)
            warnings = checked.warnings
        else:
            warnings = checked.warnings + [m for ms in checked.errors.values() for m in ms]
        stored = {code: rules.format_value(v) for code, v in parsed.items()}
        old = current.values if (current is not None and was_counted) else {}
        report, created = _write(
            actor, form, unit, date, current, stored, warnings, counted, was_counted, note,
            now or timezone.now(),
        )  # fmt: skip
        add_report_change(
            form=form,
            division_code=unit.division_code,
            date=date,
            deltas=value_deltas(elements, old, stored if counted else {}),
            reports=1 if counted and not was_counted else 0,
            on_time=1 if counted and not was_counted and report.on_time else 0,
        )
        event = "corrected" if was_counted else ("submitted" if counted else "saved")
        record_audit(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target=report,
            division_code=report.division_code,
            reason=note,
            details={"event": event, "version": report.version, "form": form.code},
        )
    return SavedReport(report=report, warnings=warnings, created=created)


def _write(
    actor: Any,
    form: ReportForm,
    unit: Organisation,
    date: datetime.date,
    current: Report | None,
    stored: dict[str, str],
    warnings: list[str],
    counted: bool,
    was_counted: bool,
    note: str,
    now: datetime.datetime,
) -> tuple[Report, bool]:
    user = actor if isinstance(actor, User) else None
    status = S.DRAFT if not counted else (current.status if was_counted else S.SUBMITTED)
    if status == S.CONFIRMED:
        status = S.SUBMITTED  # a corrected figure goes back to the city for confirmation
    newly = counted and not was_counted
    fields: dict[str, Any] = {"values": stored, "warnings": warnings, "status": status}
    if newly:
        fields.update(
            submitted_at=now,
            submitted_by=user,
            on_time=now <= remit.deadline_of(form, date),
        )
    if current is None:
        report = Report(form=form, unit=unit, division_code=unit.division_code, date=date, **fields)
        # No savepoint: a row of the same key makes the INSERT do nothing instead of failing.
        if not insert_row_and_child(
            report,
            _revision(report, stored, user, now, note),
            "report",
            unless_conflict_on=("form_id", "unit_id", "date"),
        ):
            raise ReportConflict(
                f"“{unit.name}”{_day_label(date)}的日报刚刚已由他人填写，请刷新后在其基础上修改",
                current_version=None,
            )
        return report, True
    written = Report.objects.filter(pk=current.pk, version=current.version).update(
        version=F("version") + 1, updated_at=now, **fields
    )
    if written != 1:
        raise ReportConflict(
            f"“{unit.name}”{_day_label(date)}的日报已被他人修改，请刷新后在最新内容上重新修改",
            current_version=None,
        )
    # The row as the UPDATE left it, without reading it back.
    report = current
    for name, value in fields.items():
        setattr(report, name, value)
    report.version = current.version + 1
    report.updated_at = now
    insert_row(_revision(report, stored, user, now, note))
    return report, False


def _revision(
    report: Report, stored: dict[str, str], user: User | None, now: datetime.datetime, note: str
) -> ReportRevision:
    """The history row of `report` as this write leaves it."""
    return ReportRevision(
        report=report,
        version=report.version,
        values=stored,
        status=report.status,
        changed_by=user,
        changed_at=now,
        note=note[:200],
    )


# --- the approval chain ----------------------------------------------------------------------


def _require(actor: Any, roles: frozenset[str], division_code: str, message: str) -> None:
    if not (isinstance(actor, User) and actor.has_role(*roles) and covers(actor, division_code)):
        raise ValidationError({"": message})


def do_confirm_reports(
    actor: Any, *, form: ReportForm, county: Division, date: datetime.date
) -> int:
    """The city confirms a county's submitted reports of a day; returns how many."""
    _require(actor, CONFIRMER_ROLES, county.code, f"只有{county.name}所在市的工作人员可以确认")
    with transaction.atomic():
        if locked_lock(form, county.code, date) is not None:
            raise ValidationError({"date": f"{_day_label(date)}已被省级锁定"})
        confirmed = (
            Report.objects.filter(jurisdiction_q([county.code]), form=form, date=date)
            .filter(status=S.SUBMITTED)
            .update(
                status=S.CONFIRMED,
                confirmed_at=timezone.now(),
                confirmed_by=actor,
                version=F("version") + 1,
            )
        )
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=form,
            division_code=county.code,
            details={"event": "confirmed", "date": date.isoformat(), "reports": confirmed},
        )
    return confirmed


def _province_code(actor: Any) -> str:
    for code in actor.jurisdiction_codes() if isinstance(actor, User) else []:
        if code.endswith("0000000000"):
            return code
    raise ValidationError({"": "只有省级工作人员可以锁定或重新开放某一天"})


def do_lock_day(actor: Any, *, form: ReportForm, date: datetime.date) -> int:
    """The province locks a day of a form: its reports are final until it reopens the day."""
    province = _province_code(actor)
    _require(actor, LOCKER_ROLES, province, "只有省级工作人员可以锁定某一天")
    if date > remit.local_today():
        raise ValidationError({"date": f"不能锁定未来的日期（{date:%Y-%m-%d}）"})
    with transaction.atomic():
        # Waits for reports being written now, and holds back new ones until this commits
        # (they then see the lock): see report_sql.hold_form_against_locking.
        ReportForm.objects.select_for_update().filter(pk=form.pk).values_list("pk").first()
        try:
            with transaction.atomic():
                DayLock.objects.create(
                    form=form,
                    division_code=province,
                    date=date,
                    locked_by=actor,
                    locked_at=timezone.now(),
                )
        except IntegrityError:
            raise ValidationError({"date": f"{_day_label(date)}已经锁定"}) from None
        locked = (
            Report.objects.filter(jurisdiction_q([province]), form=form, date=date)
            .filter(status__in=(S.SUBMITTED, S.CONFIRMED))
            .update(status=S.LOCKED, version=F("version") + 1)
        )
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=form,
            division_code=province,
            details={"event": "locked", "date": date.isoformat(), "reports": locked},
        )
    return locked


def do_reopen_day(actor: Any, *, form: ReportForm, date: datetime.date, reason: str) -> int:
    """The province reopens a locked day, with a reason kept in the audit trail."""
    province = _province_code(actor)
    _require(actor, LOCKER_ROLES, province, "只有省级工作人员可以重新开放某一天")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": "请填写重新开放的理由（至少 4 个字）"})
    with transaction.atomic():
        deleted, _ = DayLock.objects.filter(form=form, division_code=province, date=date).delete()
        if not deleted:
            raise ValidationError({"date": f"{_day_label(date)}没有锁定"})
        scope = Report.objects.filter(
            jurisdiction_q([province]), form=form, date=date, status=S.LOCKED
        )
        reopened = scope.filter(confirmed_at__isnull=False).update(
            status=S.CONFIRMED, version=F("version") + 1
        )
        reopened += scope.update(status=S.SUBMITTED, version=F("version") + 1)
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=form,
            division_code=province,
            reason=reason,
            details={"event": "reopened", "date": date.isoformat(), "reports": reopened},
        )
    return reopened


# --- overdue reminders -----------------------------------------------------------------------


def do_remind_overdue_reports(now: datetime.datetime | None = None) -> int:
    """Tell the staff of every unit whose report of today is past its deadline and not
    submitted; once per unit and day. Every worker runs this: the unique reminder row claims a
    unit, so a second worker running at the same moment sends nothing twice."""
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    reminded = 0
    for form in ReportForm.objects.active():
        if moment < remit.deadline_of(form, today):
            continue
        done = Report.objects.counted().filter(form=form, date=today).values("unit_id")
        told = ReportReminder.objects.filter(form=form, date=today).values("unit_id")
        overdue = remit.form_units(form).exclude(pk__in=done).exclude(pk__in=told)
        for unit in overdue.order_by("pk")[:2000]:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        ReportReminder.objects.create(
                            form=form, unit=unit, date=today, sent_at=moment
                        )
                except IntegrityError:
                    continue
                staff = User.objects.filter(
                    memberships__organisation=unit,
                    memberships__is_active=True,
                    is_active=True,
                ).distinct()
                notify(
                    staff,
                    "epidemic_report_overdue",
                    {"form": form.name, "unit": unit.name, "deadline": f"{form.deadline_hour}:00"},
                    url=f"{reverse('epidemic:report_entry', args=[form.pk])}?unit={unit.pk}",
                )
                record_audit(
                    actor=None,
                    actor_label="task:epidemic-overdue",
                    action=AuditAction.CREATE,
                    target=("epidemic.reportreminder", unit.pk),
                    division_code=unit.division_code,
                    details={"event": "reminded", "form": form.code, "date": today.isoformat()},
                )
                reminded += 1
    return reminded
