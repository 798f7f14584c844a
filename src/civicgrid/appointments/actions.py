"""Every change to an appointment: one action each, one transaction, one audit row.

The page, the API, the demo and the periodic sweeps call these, so a rule is written once. A
rejected call raises a ValidationError naming the field and leaves the database as it was.

Places are taken by a conditional UPDATE (`booked = booked + 1 WHERE booked < capacity`): on
SQLite the write lock serialises it, on PostgreSQL the second updater waits for the first's row
lock and re-checks the condition against the committed row, so of two people racing for the last
place exactly one wins, with no SELECT ... FOR UPDATE and no retry loop. A status change is a
conditional UPDATE on the expected status in the same way.
"""

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.appointments import rules
from civicgrid.appointments.choices import AppealStatus, BookingStatus, CancelledBy
from civicgrid.appointments.models import (
    BlockAppeal,
    Booking,
    BookingBlock,
    Closure,
    Office,
    Slot,
)
from civicgrid.appointments.querysets import STAFF_ROLES, staff_codes
from civicgrid.catalog.choices import ItemStatus
from civicgrid.catalog.models import ServiceItem
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.credit_code import normalize_credit_code
from civicgrid.core.division_codes import LEVEL_DIGITS, subtree_range
from civicgrid.core.notifications.actions import notify
from civicgrid.core.workdays import calendar

S = BookingStatus
TOKEN_SALT = "civicgrid.appointments.booking"  # noqa: S105 - a signing namespace, not a secret
NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread at a counter


# --- who may do what ---------------------------------------------------------------------------


def applicant_kind(user: Any) -> str | None:
    """ "resident" or "enterprise" for those who may book; None for everyone else."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "active_memberships"):
        return None
    if user.is_resident:
        return "resident"
    if Role.ENTERPRISE_AGENT in user.roles():
        return "enterprise"
    return None


def enterprise_of(user: Any) -> Any:
    for membership in user.active_memberships:
        if membership.role == Role.ENTERPRISE_AGENT:
            return membership.organisation
    return None


def works_at(user: Any, office: Office) -> bool:
    """Office staff whose jurisdiction holds the office (or a superuser)."""
    if getattr(user, "is_superuser", False):
        return True
    for code in staff_codes(user):
        low, high = subtree_range(code)
        if low <= office.division_code <= high:
            return True
    return False


def _require_staff(user: Any, office: Office) -> None:
    if not works_at(user, office):
        raise PermissionDenied(_("只有本办事大厅的工作人员可以进行此操作"))


def active_block(user: Any, now: datetime.datetime | None = None) -> BookingBlock | None:
    moment = now or timezone.now()
    return BookingBlock.objects.filter(applicant=user).active(moment).order_by("-ends_at").first()


def staff_of(office: Office) -> list[Any]:
    """Active office staff whose jurisdiction contains the office (for messages)."""
    from civicgrid.accounts.models import User

    ancestors = [office.division_code[:d].ljust(12, "0") for d in LEVEL_DIGITS.values()]
    return list(
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role__in=list(STAFF_ROLES),
            memberships__division_code__in=ancestors,
        ).distinct()
    )


# --- helpers -----------------------------------------------------------------------------------


def _new_number(moment: datetime.datetime) -> str:
    tail = "".join(secrets.choice(NUMBER_ALPHABET) for _n in range(6))
    return f"YY{timezone.localtime(moment):%y%m%d}{tail}"


def _local(moment: datetime.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _audit(
    actor: Any,
    target: Any,
    event: str,
    *,
    action: str = AuditAction.UPDATE,
    reason: str = "",
    actor_label: str = "",
    **details: Any,
) -> None:
    """The one audit row of an action on a booking, block, appeal or closure."""
    number = getattr(target, "number", None)
    record_audit(
        actor=actor,
        action=action,
        target=target,
        division_code=target.division_code,
        reason=reason[:200],
        actor_label=actor_label,
        details={"event": event, **({"number": number} if number else {}), **details},
    )


def _tell(users: Iterable[Any], template: str, booking: Booking, **context: str) -> None:
    people = [u for u in users if u is not None]
    if people:
        notify(
            people,
            template,
            {
                "number": booking.number,
                "item": booking.item.name,
                "office": booking.office.name,
                "time": _local(booking.starts_at),
                **context,
            },
            url=reverse("appointments:booking_detail", args=[booking.pk]),
        )


def _check_slot(slot: Slot, item: ServiceItem, now: datetime.datetime) -> None:
    """Everything about a slot that must hold before a place in it is taken."""
    if item.status != ItemStatus.PUBLISHED or not item.by_appointment:
        raise ValidationError({"item": _("该事项不提供预约办理")})
    office, counter = slot.office, slot.counter
    if not office.is_active or not counter.is_active:
        raise ValidationError({"slot": _("该办事大厅或窗口暂停预约")})
    if not counter.items.filter(pk=item.pk).exists():
        raise ValidationError({"slot": _("所选窗口不办理“%(item)s”") % {"item": item.name}})
    if slot.starts_at <= now:
        raise ValidationError({"slot": _("该时段已过，请选择其他时段")})
    if not calendar.is_working_day(slot.date):
        raise ValidationError({"slot": _("%(day)s 不是工作日，不能预约") % {"day": slot.date}})
    closure = Closure.objects.filter(office=office, date=slot.date).first()
    if closure is not None or not slot.is_open:
        reason = closure.reason if closure else _("该时段已停止预约")
        raise ValidationError(
            {"slot": _("%(day)s 不可预约：%(reason)s") % {"day": slot.date, "reason": reason}}
        )


def _fresh(slot: Slot) -> Slot:
    """The slot as the database has it now (a re-planning may have removed an empty one)."""
    found = Slot.objects.select_related("office", "counter").filter(pk=slot.pk).first()
    if found is None:
        raise ValidationError({"slot": _("该时段已取消，请选择其他时段")})
    return found


def _take_place(slot: Slot) -> None:
    taken = Slot.objects.filter(pk=slot.pk, is_open=True, booked__lt=F("capacity")).update(
        booked=F("booked") + 1
    )
    if taken != 1:
        raise ValidationError({"slot": _("该时段已约满，请选择其他时段")})


def _free_place(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def _check_applicant(actor: Any, now: datetime.datetime) -> str:
    kind = applicant_kind(actor)
    if kind is None:
        raise ValidationError({"applicant": _("只有居民或企业经办人可以预约办事")})
    block = active_block(actor, now)
    if block is not None:
        raise ValidationError(
            {
                "applicant": _("您近期多次预约未到，%(until)s 前不能预约；如有异议可提出申诉")
                % {"until": _local(block.ends_at)}
            }
        )
    return kind


def _enterprise_for_booking(actor: Any) -> tuple[Any, str]:
    """The agent's enterprise and its unified social credit code, validated (GB 32100): an
    enterprise booking records both, so the office knows whom the agent comes for."""
    enterprise = enterprise_of(actor)
    if enterprise is None:
        raise ValidationError({"applicant": _("您不是任何企业的经办人")})
    try:
        code = normalize_credit_code(enterprise.credit_code or "")
    except ValidationError as exc:
        raise ValidationError(
            {
                "credit_code": _("企业“%(name)s”的统一社会信用代码无效：%(why)s")
                % {"name": enterprise.name, "why": "；".join(exc.messages)}
            }
        ) from None
    return enterprise, code


# --- booking, cancelling, rescheduling ---------------------------------------------------------


def do_book_appointment(
    actor: Any, *, slot: Slot, item: ServiceItem, now: datetime.datetime | None = None
) -> Booking:
    """Book `item` at `slot` for the actor (a resident, or an enterprise agent for their
    enterprise, whose unified social credit code must be valid). Refused: a full, past, closed
    or non-working-day slot; a counter that does not handle the item; a second active booking of
    the same item; a blocked applicant; an enterprise with an invalid credit code."""
    moment = now or timezone.now()
    kind = _check_applicant(actor, moment)
    enterprise, credit_code = _enterprise_for_booking(actor) if kind == "enterprise" else (None, "")
    slot = _fresh(slot)
    _check_slot(slot, item, moment)
    existing = Booking.objects.filter(applicant=actor, item=item, status=S.BOOKED).first()
    if existing is not None:
        raise _duplicate(existing)
    with transaction.atomic():
        _take_place(slot)
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    number=_new_number(moment),
                    applicant=actor,
                    enterprise=enterprise,
                    credit_code=credit_code,
                    item=item,
                    office=slot.office,
                    counter=slot.counter,
                    slot=slot,
                    division_code=slot.division_code,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                )
        except IntegrityError:
            # Another request of the same applicant booked the same item a moment earlier.
            raise _duplicate(
                Booking.objects.filter(applicant=actor, item=item, status=S.BOOKED).first()
            ) from None
        _tell([actor], "appointment_booked", booking, counter=slot.counter.name)
        _audit(actor, booking, "booked", action=AuditAction.CREATE, slot=slot.pk)
    return booking


def _duplicate(existing: Booking | None) -> ValidationError:
    if existing is None:
        return ValidationError({"item": _("您已有该事项的有效预约")})
    return ValidationError(
        {
            "item": _("您已预约该事项（预约号 %(n)s，%(t)s），可改约或取消后再约")
            % {"n": existing.number, "t": _local(existing.starts_at)}
        }
    )


def _require_own_active(actor: Any, booking: Booking, now: datetime.datetime) -> None:
    if booking.applicant_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只能操作本人的预约"))
    if booking.status != S.BOOKED:
        raise ValidationError(
            {
                "booking": _("该预约当前为“%(s)s”，不能这样操作")
                % {"s": booking.get_status_display()}
            }
        )
    if booking.starts_at <= now:
        raise ValidationError({"booking": _("预约时间已到或已过，不能再取消或改约")})


def do_cancel_booking(
    actor: Any, *, booking: Booking, reason: str = "", now: datetime.datetime | None = None
) -> Booking:
    """The applicant cancels before the slot begins; the place is freed at once."""
    moment = now or timezone.now()
    _require_own_active(actor, booking, moment)
    with transaction.atomic():
        changed = Booking.objects.filter(pk=booking.pk, status=S.BOOKED).update(
            status=S.CANCELLED,
            cancelled_at=moment,
            cancelled_by=CancelledBy.APPLICANT,
            cancel_reason=reason[:200],
        )
        if changed != 1:
            raise ValidationError({"booking": _("该预约已不是“已预约”状态")})
        _free_place(booking.slot_id)
        booking.refresh_from_db()
        _audit(actor, booking, "cancelled", reason=reason)
    return booking


def do_reschedule_booking(
    actor: Any, *, booking: Booking, slot: Slot, now: datetime.datetime | None = None
) -> Booking:
    """Move a booking to another slot for the same item. The new place is taken first; if the
    new slot is full nothing changes and the old booking stands."""
    moment = now or timezone.now()
    _require_own_active(actor, booking, moment)
    _check_applicant(actor, moment)
    if slot.pk == booking.slot_id:
        raise ValidationError({"slot": _("新时段与原时段相同")})
    slot = _fresh(slot)
    _check_slot(slot, booking.item, moment)
    old_slot_id = booking.slot_id
    with transaction.atomic():
        _take_place(slot)
        moved = Booking.objects.filter(pk=booking.pk, status=S.BOOKED, slot_id=old_slot_id).update(
            slot=slot,
            office=slot.office,
            counter=slot.counter,
            division_code=slot.division_code,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            reminded_at=None,
            rescheduled_count=F("rescheduled_count") + 1,
        )
        if moved != 1:  # cancelled or moved by another request meanwhile: give the place back
            raise ValidationError({"booking": _("该预约刚刚已被取消或改约，请刷新后重试")})
        _free_place(old_slot_id)
        booking.refresh_from_db()
        _tell([actor], "appointment_rescheduled", booking, counter=slot.counter.name)
        _audit(actor, booking, "rescheduled", old_slot=old_slot_id, slot=slot.pk)
    return booking


# --- the QR code and check-in ------------------------------------------------------------------


def booking_token(booking: Booking) -> str:
    """The signed text the booking's QR code carries (tamper-evident, not secret)."""
    return signing.dumps({"b": booking.pk, "n": booking.number}, salt=TOKEN_SALT, compress=True)


def find_booking_by_code(code: str) -> Booking | None:
    """The booking a scanned token or a typed booking number names; None if neither."""
    text = (code or "").strip()
    if not text or len(text) > 300:
        return None
    if text.upper().startswith("YY") and len(text) <= 20:
        return Booking.objects.filter(number=text.upper()).first()
    try:
        payload = signing.loads(text, salt=TOKEN_SALT, max_age=rules.token_max_age())
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("b"), int):
        return None
    return Booking.objects.filter(pk=payload["b"], number=str(payload.get("n", ""))).first()


def do_check_in_booking(
    actor: Any, *, office: Office, code: str, now: datetime.datetime | None = None
) -> Booking:
    """Office staff scan the applicant's QR code (or type the booking number).

    Why staff scan the applicant and not the other way round: the staff member is signed in at
    the counter and in the office's jurisdiction, so "this person is here, at this office" is
    established by someone present; an office poster scanned by the applicant proves nothing
    (a photo of it works from home). The token is signed (tamper-evident) and names the
    booking; the staff member then checks the ID card against the full name shown. Refused, saying
    why: an unknown or tampered code, another office's booking, a cancelled, checked-in or
    no-show booking, too early (more than `APPOINTMENTS_CHECK_IN_EARLY_MINUTES` before the
    slot) or too late (more than `APPOINTMENTS_CHECK_IN_LATE_MINUTES` after its start)."""
    moment = now or timezone.now()
    _require_staff(actor, office)
    booking = find_booking_by_code(code)
    if booking is None:
        raise ValidationError({"code": _("无法识别的预约码，请核对后重试")})
    if booking.office_id != office.pk:
        raise ValidationError(
            {"code": _("该预约不是本大厅的，应前往“%(o)s”") % {"o": booking.office.name}}
        )
    messages: dict[str, str] = {
        S.CANCELLED: _("该预约已取消"),
        S.NO_SHOW: _("该预约已过时未到，已记为爽约，请重新预约"),
    }
    if booking.status == S.CHECKED_IN:
        raise ValidationError(
            {"code": _("该预约已于 %(t)s 签到") % {"t": _local(booking.checked_in_at or moment)}}
        )
    if booking.status in messages:
        raise ValidationError({"code": messages[booking.status]})
    if moment < booking.starts_at - rules.check_in_early():
        raise ValidationError(
            {
                "code": _("还未到签到时间：预约时段 %(t)s 开始，最早可提前 %(m)s 分钟签到")
                % {
                    "t": _local(booking.starts_at),
                    "m": int(rules.check_in_early().total_seconds() // 60),
                }
            }
        )
    if moment > booking.starts_at + rules.check_in_late():
        raise ValidationError(
            {
                "code": _("已超过签到时间（预约 %(t)s，迟到超过 %(m)s 分钟），请重新预约")
                % {
                    "t": _local(booking.starts_at),
                    "m": int(rules.check_in_late().total_seconds() // 60),
                }
            }
        )
    with transaction.atomic():
        changed = Booking.objects.filter(pk=booking.pk, status=S.BOOKED).update(
            status=S.CHECKED_IN, checked_in_at=moment, checked_in_by=actor
        )
        if changed != 1:
            raise ValidationError({"code": _("该预约刚刚已被处理，请刷新")})
        booking.refresh_from_db()
        # Staff see the applicant's full name to check it against their ID card: a read.
        record_audit(
            actor=actor,
            action=AuditAction.VIEW,
            target=booking,
            division_code=booking.division_code,
            subject_key=f"user:{booking.applicant_id}",
            details={"event": "checked_in", "number": booking.number, "fields": ["full_name"]},
        )
    return booking


# --- no-shows, blocks and appeals --------------------------------------------------------------


def do_record_no_shows(now: datetime.datetime | None = None) -> int:
    """Mark bookings nobody checked in for as no-shows once check-in has closed, and block an
    applicant who reaches `APPOINTMENTS_NO_SHOW_LIMIT` no-shows within the window (counting only
    no-shows after their last block began). Every worker runs this: each booking is claimed by a
    conditional UPDATE, so none is counted twice."""
    moment = now or timezone.now()
    due = Q(status=S.BOOKED, ends_at__lte=moment, starts_at__lte=moment - rules.check_in_late())
    candidates = list(
        Booking.objects.filter(due).order_by("ends_at").values_list("pk", flat=True)[:1000]
    )
    recorded = 0
    for pk in candidates:
        with transaction.atomic():
            if Booking.objects.filter(due, pk=pk).update(status=S.NO_SHOW, no_show_at=moment) != 1:
                continue
            booking = Booking.objects.select_related("item", "office").get(pk=pk)
            _tell([booking.applicant], "appointment_no_show", booking)
            _audit(None, booking, "no_show")
            _maybe_block(booking, moment)
            recorded += 1
    return recorded


def _maybe_block(booking: Booking, moment: datetime.datetime) -> None:
    from civicgrid.accounts.models import User

    # Two workers recording two no-shows of one applicant at once must not both block: the
    # applicant's row is the lock (PostgreSQL; SQLite's writes are serial anyway).
    User.objects.select_for_update().filter(pk=booking.applicant_id).values_list("pk").first()
    since = moment - rules.no_show_window()
    last = (
        BookingBlock.objects.filter(applicant_id=booking.applicant_id)
        .order_by("-starts_at")
        .first()
    )
    if last is not None:
        if last.lifted_at is None and last.ends_at > moment:
            return  # already blocked
        since = max(since, last.starts_at)
    count = Booking.objects.filter(
        applicant_id=booking.applicant_id, status=S.NO_SHOW, no_show_at__gt=since
    ).count()
    if count < rules.no_show_limit():
        return
    block = BookingBlock.objects.create(
        applicant_id=booking.applicant_id,
        office=booking.office,
        division_code=booking.division_code,
        starts_at=moment,
        ends_at=moment + rules.block_length(),
        no_shows=count,
    )
    notify(
        [booking.applicant],
        "appointment_blocked",
        {"count": str(count), "until": _local(block.ends_at)},
        url=reverse("appointments:appeal"),
    )
    _audit(
        None,
        block,
        "blocked",
        action=AuditAction.CREATE,
        actor_label="task:appointments-no-shows",
        no_shows=count,
    )


def do_appeal_block(actor: Any, *, block: BookingBlock, text: str) -> BlockAppeal:
    """The blocked applicant explains (once per block); the office's staff are told."""
    body = (text or "").strip()
    if block.applicant_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只能对本人的预约限制提出申诉"))
    if not body:
        raise ValidationError({"text": _("请填写申诉理由")})
    if len(body) > 500:
        raise ValidationError({"text": _("申诉理由不能超过 500 字")})
    if block.lifted_at is not None or block.ends_at <= timezone.now():
        raise ValidationError({"block": _("该限制已解除，无需申诉")})
    with transaction.atomic():
        try:
            with transaction.atomic():
                appeal = BlockAppeal.objects.create(
                    block=block, division_code=block.division_code, text=body
                )
        except IntegrityError:
            raise ValidationError({"block": _("您已对该限制提出过申诉，请等待处理")}) from None
        notify(
            staff_of(block.office),
            "appointment_appeal_received",
            {"office": block.office.name},
            url=reverse("appointments:appeal_list"),
        )
        _audit(actor, appeal, "appealed", action=AuditAction.CREATE)
    return appeal


def do_decide_appeal(actor: Any, *, appeal: BlockAppeal, grant: bool, reason: str) -> BlockAppeal:
    """Office staff grant (the block is lifted at once) or refuse an appeal, with a reason."""
    block = appeal.block
    _require_staff(actor, block.office)
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("请填写处理意见")})
    if len(text) > 200:
        raise ValidationError({"reason": _("处理意见不能超过 200 字")})
    moment = timezone.now()
    status = AppealStatus.GRANTED if grant else AppealStatus.REFUSED
    with transaction.atomic():
        changed = BlockAppeal.objects.filter(pk=appeal.pk, status=AppealStatus.PENDING).update(
            status=status, decided_at=moment, decided_by=actor, decision_reason=text
        )
        if changed != 1:
            raise ValidationError({"appeal": _("该申诉已处理")})
        if grant:
            BookingBlock.objects.filter(pk=block.pk, lifted_at__isnull=True).update(
                lifted_at=moment
            )
        appeal.refresh_from_db()
        notify(
            [block.applicant],
            "appointment_appeal_granted" if grant else "appointment_appeal_refused",
            {"reason": text},
            url=reverse("appointments:booking_list"),
        )
        _audit(actor, appeal, "appeal_granted" if grant else "appeal_refused", reason=text)
    return appeal


# --- reminders and closures --------------------------------------------------------------------


def do_send_appointment_reminders(now: datetime.datetime | None = None) -> int:
    """Remind applicants the day before (every booking starting tomorrow, local time), once:
    each booking is claimed for reminding by a conditional UPDATE, so two workers running the
    sweep at once send one message."""
    moment = now or timezone.now()
    tomorrow = timezone.localtime(moment).date() + datetime.timedelta(days=1)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=zone)
    due = Q(status=S.BOOKED, reminded_at__isnull=True, starts_at__gte=start)
    due &= Q(starts_at__lt=start + datetime.timedelta(days=1))
    candidates = list(Booking.objects.filter(due).values_list("pk", flat=True)[:2000])
    sent = 0
    for pk in candidates:
        with transaction.atomic():
            if Booking.objects.filter(due, pk=pk).update(reminded_at=moment) != 1:
                continue
            booking = Booking.objects.select_related("item", "office", "counter").get(pk=pk)
            _tell(
                [booking.applicant],
                "appointment_reminder",
                booking,
                counter=booking.counter.name,
                address=booking.office.address,
            )
            _audit(None, booking, "reminded")
            sent += 1
    return sent


def do_add_closure(actor: Any, *, office: Office, date: datetime.date, reason: str) -> Closure:
    """Close an office for a day: its bookings that day are cancelled (the applicants are told
    why) and its slots closed."""
    _require_staff(actor, office)
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("请填写闭厅原因")})
    if len(text) > 100:
        raise ValidationError({"reason": _("闭厅原因不能超过 100 字")})
    if date < timezone.localdate():
        raise ValidationError({"date": _("不能设置过去的日期")})
    if Closure.objects.filter(office=office, date=date).exists():
        raise ValidationError({"date": _("%(d)s 已设为闭厅") % {"d": date}})
    moment = timezone.now()
    with transaction.atomic():
        closure = Closure.objects.create(office=office, date=date, reason=text)
        affected = list(
            Booking.objects.filter(office=office, slot__date=date, status=S.BOOKED).select_related(
                "item", "office", "applicant"
            )
        )
        Booking.objects.filter(pk__in=[b.pk for b in affected], status=S.BOOKED).update(
            status=S.CANCELLED,
            cancelled_at=moment,
            cancelled_by=CancelledBy.OFFICE,
            cancel_reason=text,
        )
        Slot.objects.filter(office=office, date=date).update(is_open=False)
        for booking in affected:
            _free_place(booking.slot_id)
            _tell([booking.applicant], "appointment_cancelled_by_office", booking, reason=text)
        record_audit(
            actor=actor,
            action=AuditAction.CREATE,
            target=closure,
            division_code=office.division_code,
            reason=text,
            details={"event": "closed", "date": date.isoformat(), "cancelled": len(affected)},
        )
    return closure


def do_remove_closure(actor: Any, *, closure: Closure) -> None:
    """Reopen a closed day (its slots are re-planned; cancelled bookings stay cancelled, the
    applicants were told and may book again)."""
    from civicgrid.appointments.slots import do_plan_slots

    office = closure.office
    _require_staff(actor, office)
    if closure.date < timezone.localdate():
        raise ValidationError({"date": _("不能修改过去的日期")})
    with transaction.atomic():
        record_audit(
            actor=actor,
            action=AuditAction.DELETE,
            target=closure,
            division_code=office.division_code,
            details={"event": "reopened", "date": closure.date.isoformat()},
        )
        closure.delete()
        do_plan_slots(office)
