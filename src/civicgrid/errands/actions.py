"""Every change to an errand: one action each, one transaction, one audit row.

Rules live here so the pages, the API, the demo and the reminder sweep obey the same ones. An
action checks everything before it writes; a rejected call raises a ValidationError naming the
field (`{"amount": [...]}`) and leaves the database as it was. The one deliberate exception is
a wrong handoff code: the failed attempt is counted (and committed) so the code cannot be
guessed, while the errand itself stays as it was.

Status changes are conditional UPDATEs (`... WHERE status = <expected>`), so two volunteers
tapping "claim" at once, or a volunteer and the requester acting at the same moment, cannot
both succeed: the database decides, on SQLite and PostgreSQL alike.
"""

import datetime
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.disclosure import do_reveal_protected_value
from civicgrid.core.division_codes import LEVEL_DIGITS, subtree_range
from civicgrid.core.images import CheckedImage, check_image
from civicgrid.core.notifications.actions import notify
from civicgrid.errands.choices import (
    ACTIVE_STATUSES,
    DeliveryProof,
    ErrandKind,
    ErrandStatus,
    EventKind,
    LedgerKind,
    PhotoKind,
    PostedVia,
    RatingSide,
    RepaymentMethod,
)
from civicgrid.errands.models import (
    Errand,
    ErrandEvent,
    ErrandItem,
    ErrandMessage,
    ErrandPhoto,
    ErrandRating,
    LedgerEntry,
)
from civicgrid.errands.querysets import BOARD_ROLES, codes_for_roles, volunteer_codes

MAX_ITEMS = 30
MAX_QUANTITY = 999
MAX_AMOUNT = Decimal("10000")
CENT = Decimal("0.01")
HANDOFF_MAX_ATTEMPTS = 5
CALLABLE_STATUSES = (ErrandStatus.CLAIMED, ErrandStatus.BOUGHT, ErrandStatus.DELIVERED)
S = ErrandStatus


@dataclass(frozen=True)
class ItemInput:
    name: str
    quantity: int
    unit: str = ""
    note: str = ""


@dataclass(frozen=True)
class Destination:
    """Where an errand goes and who receives it; see `errands.selectors` for how one is found."""

    community_code: str
    room: str
    contact_name: str
    building: str = ""
    unit: str = ""
    contact_mobile: str = ""
    household: Any = None
    grid: Any = None
    requester: Any = None


def remind_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=getattr(settings, "ERRANDS_REMIND_AFTER_MINUTES", 30))


# --- helpers -----------------------------------------------------------------------------------


def parse_amount(raw: object, *, field: str, allow_zero: bool = True) -> Decimal:
    """A money amount in yuan: a non-negative Decimal with at most two decimals."""
    try:
        amount = Decimal(str(raw).strip().replace("，", "").replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("请填写金额（元），例如 35.50")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("请填写金额（元），例如 35.50")})
    if amount < 0:
        raise ValidationError({field: _("金额不能为负数")})
    if amount == 0 and not allow_zero:
        raise ValidationError({field: _("金额必须大于 0")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("金额不能超过 %(max)s 元") % {"max": MAX_AMOUNT}})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("金额最多保留两位小数")})
    return amount.quantize(Decimal("0.01"))


def _log(
    errand: Errand,
    kind: str,
    actor: Any,
    *,
    reason: str = "",
    action: str = AuditAction.UPDATE,
    details: dict[str, Any] | None = None,
) -> None:
    """The history row and the one audit row of an action (the audit row last)."""
    user = actor if getattr(actor, "_meta", None) and actor._meta.label == "accounts.User" else None
    ErrandEvent.objects.create(
        errand=errand, kind=kind, status=errand.status, actor=user, reason=reason[:200]
    )
    record_audit(
        actor=actor,
        action=action,
        target=errand,
        division_code=errand.division_code,
        reason=reason,
        details={"event": kind, **(details or {})},
    )


def _tell(users: Iterable[Any], template: str, errand: Errand, **context: str) -> None:
    people = [u for u in users if u is not None]
    if people:
        notify(
            people,
            template,
            {"number": str(errand.pk), "kind": str(errand.get_kind_display()), **context},
            url=reverse("errands:errand_detail", args=[errand.pk]),
        )


def _reload(errand: Errand) -> Errand:
    errand.refresh_from_db()
    return errand


def ancestor_codes(code: str) -> list[str]:
    return [code[:digits].ljust(12, "0") for digits in LEVEL_DIGITS.values()]


def members_covering(code: str, roles: Iterable[str]) -> list[Any]:
    """Active users holding one of `roles` with a jurisdiction containing `code`."""
    from civicgrid.accounts.models import User

    return list(
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__organisation__is_active=True,
            memberships__role__in=list(roles),
            memberships__division_code__in=ancestor_codes(code),
        ).distinct()
    )


def covers_any(codes: Sequence[str], code: str) -> bool:
    """Whether `code` lies in the subtree of any of `codes`."""
    for jurisdiction in codes:
        low, high = subtree_range(jurisdiction)
        if low <= code <= high:
            return True
    return False


def oversees(user: Any, errand: Errand) -> bool:
    """Community staff (and officers, administrators) whose jurisdiction holds the errand."""
    if getattr(user, "is_superuser", False):
        return True
    return covers_any(codes_for_roles(user, BOARD_ROLES), errand.division_code)


def _status_error(errand: Errand, field: str = "status") -> ValidationError:
    return ValidationError(
        {field: _("该需求当前为“%(s)s”，不能这样操作") % {"s": errand.get_status_display()}}
    )


def _transition(errand: Errand, expected: Sequence[str], **changes: Any) -> bool:
    """Apply `changes` only if the errand is still in one of `expected` (and, when given,
    still held by the same volunteer); True if this call won."""
    rows = Errand.objects.filter(pk=errand.pk, status__in=list(expected))
    if "volunteer_id" not in changes and errand.volunteer_id is not None:
        rows = rows.filter(volunteer_id=errand.volunteer_id)
    return rows.update(**changes) == 1


def _store_photo(errand: Errand, photo: CheckedImage, kind: str, actor: Any) -> ErrandPhoto:
    return ErrandPhoto.objects.create(
        errand=errand,
        kind=kind,
        content=photo.data,
        content_type=photo.content_type,
        size=len(photo.data),
        width=photo.width,
        height=photo.height,
        uploaded_by=actor,
    )


# --- posting -----------------------------------------------------------------------------------


def do_post_errand(
    actor: Any,
    *,
    destination: Destination,
    posted_via: str,
    kind: str,
    items: Sequence[ItemInput],
    budget: object,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    dropoff_instructions: str = "",
    contactless: bool = True,
) -> Errand:
    """Post a need for one household. Residents post for themselves; grid workers and community
    staff for a resident of their area (an elderly or quarantined person, a phone call)."""
    _check_poster(actor, posted_via, destination.community_code)
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if kind not in ErrandKind.values:
        error("kind", _("请选择需求类型"))
    clean_items = _clean_items(items, error)
    try:
        clean_budget = parse_amount(budget, field="budget")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        clean_budget = Decimal("0")
    if window_end <= window_start:
        error("window_end", _("送达时间的结束须晚于开始"))
    elif window_end <= timezone.now():
        error("window_end", _("送达时间已过，请重新选择"))
    if not destination.room.strip():
        error("room", _("请填写门牌或房号"))
    if not destination.contact_name.strip():
        error("contact_name", _("请填写联系人"))
    mobile = ""
    if destination.contact_mobile.strip():
        from civicgrid.core.mobile import normalize_mobile

        try:
            mobile = normalize_mobile(destination.contact_mobile)
        except ValidationError as exc:
            errors.setdefault("contact_mobile", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)

    errand = Errand(
        division_code=destination.community_code,
        grid=destination.grid,
        household=destination.household,
        requester=destination.requester,
        posted_by=actor,
        posted_via=posted_via,
        kind=kind,
        budget=clean_budget,
        window_start=window_start,
        window_end=window_end,
        dropoff_instructions=dropoff_instructions.strip()[:200],
        contactless=contactless,
        contact_name=destination.contact_name.strip()[:50],
        building=destination.building.strip()[:30],
        unit=destination.unit.strip()[:20],
        room=destination.room.strip()[:30],
        handoff_code=f"{secrets.randbelow(10_000):04d}",
    )
    if mobile:
        errand.contact_mobile = mobile
    with transaction.atomic():
        errand.save()
        ErrandItem.objects.bulk_create(
            [ErrandItem(errand=errand, **vars(item)) for item in clean_items]
        )
        _tell(
            members_covering(errand.division_code, {Role.VOLUNTEER}),
            "errand_posted",
            errand,
            address=errand.address,
        )
        _log(errand, EventKind.POSTED, actor, action=AuditAction.CREATE)
    return errand


def _check_poster(actor: Any, posted_via: str, community_code: str) -> None:
    if posted_via == PostedVia.SELF:
        if not getattr(actor, "is_resident", False):
            raise ValidationError({"posted_via": _("只有居民本人可以发布自己的需求")})
        return
    roles = {PostedVia.GRID_WORKER: Role.GRID_WORKER, PostedVia.PHONE_CALL: Role.COMMUNITY_STAFF}
    role = roles.get(posted_via)  # type: ignore[call-overload]
    if role is None:
        raise ValidationError({"posted_via": _("请选择发布方式")})
    if not (
        getattr(actor, "is_superuser", False)
        or covers_any(codes_for_roles(actor, frozenset({role})), community_code)
    ):
        raise ValidationError({"community": _("该社区不在您的工作范围内，不能代为发布")})


def _clean_items(items: Sequence[ItemInput], error: Any) -> list[ItemInput]:
    if not items:
        error("items", _("请至少填写一样要买的东西"))
        return []
    if len(items) > MAX_ITEMS:
        error("items", _("一次最多 %(n)d 样物品") % {"n": MAX_ITEMS})
        return []
    clean = []
    for number, item in enumerate(items, start=1):
        name = (item.name or "").strip()
        if not name or len(name) > 50:
            error(
                f"items.{number}.name",
                _("第 %(n)d 样物品：请填写名称（不超过 50 字）") % {"n": number},
            )
            continue
        try:
            quantity = int(item.quantity)
        except (TypeError, ValueError):
            quantity = 0
        if not 1 <= quantity <= MAX_QUANTITY:
            error(
                f"items.{number}.quantity",
                _("第 %(n)d 样物品：数量须在 1 到 %(max)d 之间")
                % {"n": number, "max": MAX_QUANTITY},
            )
            continue
        clean.append(
            ItemInput(
                name, quantity, (item.unit or "").strip()[:10], (item.note or "").strip()[:100]
            )
        )
    return clean


# --- the volunteer's steps ---------------------------------------------------------------------


def do_claim_errand(volunteer: Any, *, errand: Errand) -> Errand:
    """Take an open need. However many volunteers tap at once, exactly one wins; the others are
    told who was quicker in their own words ("已被其他志愿者认领")."""
    if not covers_any(volunteer_codes(volunteer), errand.division_code):
        raise ValidationError({"errand": _("该需求不在您所在志愿者队伍的社区，不能认领")})
    now = timezone.now()
    with transaction.atomic():
        won = (
            Errand.objects.filter(pk=errand.pk, status=S.OPEN).update(
                status=S.CLAIMED, volunteer=volunteer, claimed_at=now
            )
            == 1
        )
        if not won:
            current = Errand.objects.get(pk=errand.pk)
            if current.volunteer_id == volunteer.pk:
                raise ValidationError({"status": _("您已认领该需求")})
            if current.status == S.CANCELLED:
                raise ValidationError({"status": _("该需求已取消，不能认领")})
            raise ValidationError({"status": _("手慢了：该需求已被其他志愿者认领")})
        errand = _reload(errand)
        _tell([errand.requester or errand.posted_by], "errand_claimed", errand)
        _log(errand, EventKind.CLAIMED, volunteer)
    return errand


def _require_holder(volunteer: Any, errand: Errand) -> None:
    if errand.volunteer_id != getattr(volunteer, "pk", None):
        raise ValidationError({"volunteer": _("只有认领该需求的志愿者可以这样操作")})


def do_mark_bought(
    volunteer: Any, *, errand: Errand, amount: object, receipt: bytes | None
) -> Errand:
    """The goods are bought: the amount the volunteer advanced and the receipt photo."""
    _require_holder(volunteer, errand)
    if errand.status != S.CLAIMED:
        raise _status_error(errand)
    advanced = parse_amount(amount, field="amount")
    photo = check_image(receipt or b"", field="receipt") if (receipt or advanced) else None
    with transaction.atomic():
        if not _transition(
            errand, [S.CLAIMED], status=S.BOUGHT, bought_at=timezone.now(), amount_advanced=advanced
        ):
            raise _status_error(_reload(errand))
        errand = _reload(errand)
        if photo is not None:
            _store_photo(errand, photo, PhotoKind.RECEIPT, volunteer)
        _tell([errand.requester or errand.posted_by], "errand_bought", errand, amount=f"{advanced}")
        _log(errand, EventKind.BOUGHT, volunteer, details={"amount": str(advanced)})
    return errand


def do_mark_delivered(
    volunteer: Any, *, errand: Errand, code: str = "", photo: bytes | None = None
) -> Errand:
    """Delivered: the 4-digit code the resident reads out, or a photo of the goods left at the
    door. A wrong code is counted; after five the code no longer works (use a photo)."""
    _require_holder(volunteer, errand)
    if errand.status != S.BOUGHT:
        raise _status_error(errand)
    checked = check_image(photo, field="photo") if photo else None
    code = (code or "").strip()
    if checked is None:
        if not code:
            raise ValidationError({"code": _("请输入居民告知的 4 位收货码，或上传放置照片")})
        _check_handoff_code(errand, code)
    with transaction.atomic():
        proof = DeliveryProof.PHOTO if checked else DeliveryProof.CODE
        if not _transition(
            errand,
            [S.BOUGHT],
            status=S.DELIVERED,
            delivered_at=timezone.now(),
            delivery_proof=proof,
        ):
            raise _status_error(_reload(errand))
        errand = _reload(errand)
        if checked is not None:
            _store_photo(errand, checked, PhotoKind.DROPOFF, volunteer)
        _tell([errand.requester or errand.posted_by], "errand_delivered", errand)
        _log(errand, EventKind.DELIVERED, volunteer, details={"proof": proof})
    return errand


def _check_handoff_code(errand: Errand, code: str) -> None:
    if errand.handoff_attempts >= HANDOFF_MAX_ATTEMPTS:
        raise ValidationError({"code": _("收货码错误次数过多，请上传放置照片作为送达凭证")})
    if hmac.compare_digest(code.encode(), errand.handoff_code.encode()):
        return
    # Counted in a transaction of its own, committed although the call then fails, so the
    # code cannot be guessed by trying all 10,000.
    with transaction.atomic():
        Errand.objects.filter(pk=errand.pk).update(handoff_attempts=F("handoff_attempts") + 1)
    left = HANDOFF_MAX_ATTEMPTS - errand.handoff_attempts - 1
    errand.handoff_attempts += 1
    if left <= 0:
        raise ValidationError({"code": _("收货码错误次数过多，请上传放置照片作为送达凭证")})
    raise ValidationError({"code": _("收货码不正确，还可以再试 %(n)d 次") % {"n": left}})


# --- the requester's steps ---------------------------------------------------------------------


def do_confirm_delivery(actor: Any, *, errand: Errand) -> Errand:
    """The requester (or whoever posted for them) confirms; what the volunteer advanced becomes
    an amount owed in the ledger."""
    if not errand.is_requester_side(actor):
        raise ValidationError({"requester": _("只有求助人本人可以确认收货")})
    if errand.status != S.DELIVERED:
        raise _status_error(errand)
    with transaction.atomic():
        if not _transition(errand, [S.DELIVERED], status=S.CONFIRMED, confirmed_at=timezone.now()):
            raise _status_error(_reload(errand))
        errand = _reload(errand)
        if errand.amount_advanced:
            LedgerEntry.objects.create(
                errand=errand,
                division_code=errand.division_code,
                kind=LedgerKind.OWED,
                amount=errand.amount_advanced,
                volunteer=errand.volunteer,
                recorded_by=actor,
            )
        _tell([errand.volunteer], "errand_confirmed", errand)
        _log(errand, EventKind.CONFIRMED, actor)
    return errand


def outstanding(errand: Errand) -> Decimal:
    """What the requester still owes the volunteer for this errand."""
    sums = {
        row["kind"]: row["total"]
        for row in LedgerEntry.objects.filter(errand=errand)
        .values("kind")
        .annotate(total=Sum("amount"))
    }
    owed = sums.get(LedgerKind.OWED) or Decimal("0")
    settled = sums.get(LedgerKind.SETTLED) or Decimal("0")
    return (owed - settled).quantize(CENT)  # SQLite sums lose the column's scale


def do_record_repayment(
    actor: Any, *, errand: Errand, amount: object, method: str = RepaymentMethod.OTHER
) -> LedgerEntry:
    """Record money paid back (the platform moves none): by the requester, the volunteer or staff;
    never more than is still owed."""
    if not (
        errand.is_requester_side(actor)
        or errand.volunteer_id == actor.pk
        or oversees(actor, errand)
    ):
        raise ValidationError({"errand": _("只有求助人、志愿者或社区工作人员可以记录还款")})
    paid = parse_amount(amount, field="amount", allow_zero=False)
    if method not in RepaymentMethod.values:
        raise ValidationError({"method": _("请选择还款方式")})
    with transaction.atomic():
        Errand.objects.select_for_update().filter(pk=errand.pk).first()  # one repayment at a time
        owed = outstanding(errand)
        if owed <= 0:
            raise ValidationError({"amount": _("该需求没有待还的金额")})
        if paid > owed:
            raise ValidationError(
                {"amount": _("还款金额不能超过待还的 %(owed)s 元") % {"owed": owed}}
            )
        entry = LedgerEntry.objects.create(
            errand=errand,
            division_code=errand.division_code,
            kind=LedgerKind.SETTLED,
            amount=paid,
            method=method,
            volunteer=errand.volunteer,
            recorded_by=actor,
        )
        _log(errand, EventKind.REPAID, actor, details={"amount": str(paid), "method": method})
    return entry


# --- cancelling and reassigning ----------------------------------------------------------------


def do_cancel_errand(actor: Any, *, errand: Errand, reason: str) -> Errand:
    """Either side cancels, with a reason. The volunteer holding it gives it up (it returns to
    open for others); the requester withdraws it before it is bought; staff may stop it at any
    point before delivery."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写取消原因")})
    if errand.volunteer_id == actor.pk and errand.status == S.CLAIMED:
        return _release(actor, errand, reason)
    if errand.is_requester_side(actor) and errand.status in (S.OPEN, S.CLAIMED):
        expected: Sequence[str] = (S.OPEN, S.CLAIMED)
    elif oversees(actor, errand) and errand.status in ACTIVE_STATUSES:
        expected = ACTIVE_STATUSES
    elif errand.volunteer_id == actor.pk and errand.status == S.BOUGHT:
        raise ValidationError({"status": _("已购买的需求不能放弃，请联系求助人或社区工作人员")})
    elif errand.is_requester_side(actor) and errand.status == S.BOUGHT:
        raise ValidationError({"status": _("志愿者已购买，不能取消；请联系志愿者或社区工作人员")})
    elif (
        errand.is_requester_side(actor)
        or errand.volunteer_id == actor.pk
        or oversees(actor, errand)
    ):
        raise _status_error(errand)
    else:
        raise ValidationError({"errand": _("您不能取消这个需求")})
    with transaction.atomic():
        if not _transition(errand, expected, status=S.CANCELLED, cancelled_at=timezone.now()):
            raise _status_error(_reload(errand))
        errand = _reload(errand)
        others = [errand.requester or errand.posted_by, errand.volunteer]
        _tell(
            [u for u in others if u and u.pk != actor.pk], "errand_cancelled", errand, reason=reason
        )
        _log(errand, EventKind.CANCELLED, actor, reason=reason)
    return errand


def _release(volunteer: Any, errand: Errand, reason: str) -> Errand:
    with transaction.atomic():
        if not _transition(errand, [S.CLAIMED], status=S.OPEN, volunteer_id=None, claimed_at=None):
            raise _status_error(_reload(errand))
        errand = _reload(errand)
        _tell([errand.requester or errand.posted_by], "errand_released", errand, reason=reason)
        _log(errand, EventKind.RELEASED, volunteer, reason=reason)
    return errand


def do_reassign_errand(actor: Any, *, errand: Errand, volunteer: Any, reason: str) -> Errand:
    """Community staff hand an errand to another volunteer of the community (a volunteer fell
    ill, a need waits too long); it keeps its status, or becomes claimed if it was open."""
    if not oversees(actor, errand):
        raise ValidationError({"errand": _("只有本社区的工作人员可以改派")})
    if volunteer is None or not covers_any(volunteer_codes(volunteer), errand.division_code):
        raise ValidationError({"volunteer": _("请选择本社区志愿者队伍的志愿者")})
    if volunteer.pk == errand.volunteer_id:
        raise ValidationError({"volunteer": _("该需求已由这位志愿者负责")})
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请填写改派原因")})
    if errand.status not in ACTIVE_STATUSES:
        raise _status_error(errand)
    previous = errand.volunteer
    changes: dict[str, Any] = {"volunteer_id": volunteer.pk}
    if errand.status == S.OPEN:
        changes.update(status=S.CLAIMED, claimed_at=timezone.now())
    with transaction.atomic():
        rows = Errand.objects.filter(
            pk=errand.pk, status=errand.status, volunteer_id=errand.volunteer_id
        )
        if rows.update(**changes) != 1:
            raise _status_error(_reload(errand))
        errand = _reload(errand)
        _tell([volunteer], "errand_reassigned_to_you", errand, reason=reason)
        _tell([previous], "errand_reassigned_away", errand, reason=reason)
        _log(
            errand,
            EventKind.REASSIGNED,
            actor,
            reason=reason,
            details={"from": previous.pk if previous else None, "to": volunteer.pk},
        )
    return errand


# --- after delivery: ratings; meanwhile: messages and calls ------------------------------------


def do_rate_errand(actor: Any, *, errand: Errand, score: object, comment: str = "") -> ErrandRating:
    """Rate the other side of a confirmed errand, 1–5 with a comment, once per side."""
    if errand.is_requester_side(actor):
        side = RatingSide.BY_REQUESTER
    elif errand.volunteer_id == actor.pk:
        side = RatingSide.BY_VOLUNTEER
    else:
        raise ValidationError({"errand": _("只有求助人和志愿者可以评价")})
    if errand.status != S.CONFIRMED:
        raise ValidationError({"status": _("确认收货后才能评价")})
    try:
        value = int(str(score))
    except ValueError:
        value = 0
    if not 1 <= value <= 5:
        raise ValidationError({"score": _("评分须为 1 到 5 星")})
    if ErrandRating.objects.filter(errand=errand, side=side).exists():
        raise ValidationError({"score": _("您已评价过这次代购")})
    try:
        with transaction.atomic():
            rating = ErrandRating.objects.create(
                errand=errand, side=side, rater=actor, score=value, comment=comment.strip()[:200]
            )
            _log(errand, EventKind.RATED, actor, details={"side": side, "score": value})
    except IntegrityError:
        raise ValidationError({"score": _("您已评价过这次代购")}) from None
    return rating


def participants(errand: Errand) -> list[Any]:
    return [u for u in (errand.requester or errand.posted_by, errand.volunteer) if u is not None]


def do_send_errand_message(actor: Any, *, errand: Errand, body: str) -> ErrandMessage:
    """An in-app message on the errand, instead of a phone number."""
    if not (
        errand.is_requester_side(actor)
        or errand.volunteer_id == actor.pk
        or oversees(actor, errand)
        or errand.posted_by_id == actor.pk
    ):
        raise ValidationError({"errand": _("只有求助人、志愿者和社区工作人员可以留言")})
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("请填写留言内容")})
    if len(body) > 500:
        raise ValidationError({"body": _("留言不能超过 500 字")})
    with transaction.atomic():
        message = ErrandMessage.objects.create(errand=errand, sender=actor, body=body)
        _tell(
            [u for u in participants(errand) if u.pk != actor.pk],
            "errand_message",
            errand,
            body=body[:60],
        )
        record_audit(
            actor=actor,
            action=AuditAction.CREATE,
            target=message,
            division_code=errand.division_code,
        )
    return message


def do_reveal_errand_contact(
    actor: Any, *, errand: Errand, reason: str, request: HttpRequest | None = None
) -> str:
    """Tap to call: the full number for the volunteer holding the errand (or staff), audited
    with the requester as its subject, so they see the read on "谁查看了我的数据"."""
    allowed = (errand.volunteer_id == actor.pk and errand.status in CALLABLE_STATUSES) or oversees(
        actor, errand
    )
    subject = f"user:{errand.requester_id}" if errand.requester_id else ""
    with transaction.atomic():
        number = do_reveal_protected_value(
            actor,
            errand,
            "contact_mobile",
            reason=reason,
            subject_key=subject,
            allowed=allowed,
            request=request,
        )
        ErrandEvent.objects.create(
            errand=errand, kind=EventKind.CALLED, status=errand.status, actor=actor, reason=reason
        )
    return number


# --- the reminder sweep ------------------------------------------------------------------------


def do_remind_unclaimed_errands(now: datetime.datetime | None = None) -> int:
    """Remind a community's volunteers (and its staff) of needs nobody claimed for
    `ERRANDS_REMIND_AFTER_MINUTES`; again after as long if still unclaimed. Every worker runs
    this; each errand is claimed for reminding by a conditional UPDATE, so none is sent twice."""
    moment = now or timezone.now()
    cutoff = moment - remind_after()
    due = Q(reminded_at__isnull=True) | Q(reminded_at__lte=cutoff)
    candidates = list(
        Errand.objects.filter(due, status=S.OPEN, created_at__lte=cutoff, window_end__gt=moment)
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
    reminded = 0
    for pk in candidates:
        with transaction.atomic():
            if Errand.objects.filter(due, pk=pk, status=S.OPEN).update(reminded_at=moment) != 1:
                continue
            errand = Errand.objects.get(pk=pk)
            waited = int((moment - errand.created_at).total_seconds() // 60)
            _tell(
                members_covering(errand.division_code, {Role.VOLUNTEER, Role.COMMUNITY_STAFF}),
                "errand_unclaimed",
                errand,
                minutes=str(waited),
                address=errand.address,
            )
            _log(errand, EventKind.REMINDED, None, details={"minutes": waited})
            reminded += 1
    return reminded
