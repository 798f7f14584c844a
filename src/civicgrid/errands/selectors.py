"""Read-side helpers shared by the pages and the API: where a need goes, what a volunteer may
see of the person, the staff board and the ledger."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.core.division_codes import InvalidDivisionCode, normalize_code
from civicgrid.errands.actions import CENT, Destination, covers_any, oversees
from civicgrid.errands.choices import ACTIVE_STATUSES, ErrandStatus, LedgerKind, PostedVia
from civicgrid.errands.models import Errand, LedgerEntry
from civicgrid.errands.querysets import (
    BOARD_ROLES,
    POST_FOR_OTHERS_ROLES,
    codes_for_roles,
    volunteer_codes,
)
from civicgrid.population.declarations import person_of
from civicgrid.population.models import HouseholdDeclaration
from civicgrid.regions.models import Division

ZERO = Decimal("0")


def masked_name(name: str) -> str:
    """张伟 → 张*, 欧阳娜娜 → 欧***: enough to greet someone at the door, not to look them up."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def resident_destination(user: Any) -> Destination:
    """Where a resident's own need goes: their household in the register, else the household
    they declared. ValidationError when they have neither (they should declare first)."""
    person = person_of(user)
    mobile = user.mobile.reveal() if user.mobile else ""
    if person is not None and person.household is not None:
        home = person.household
        return Destination(
            community_code=home.division_code,
            building=home.building,
            unit=home.unit,
            room=home.room,
            contact_name=person.name,
            contact_mobile=mobile,
            household=home,
            grid=home.grid,
            requester=user,
        )
    declaration = (
        HouseholdDeclaration.objects.filter(declared_by=user)
        .exclude(status="rejected")
        .order_by("-created_at")
        .first()
    )
    if declaration is None:
        raise ValidationError({"household": _("请先在“我的家庭”登记住户信息，再发布代购需求")})
    return Destination(
        community_code=declaration.division_code,
        building=declaration.building,
        unit=declaration.unit,
        room=declaration.room,
        contact_name=user.full_name or _("居民"),
        contact_mobile=mobile,
        requester=user,
    )


def communities_for_posting(user: Any) -> list[Division]:
    """Communities in which a grid worker or community staff member may post for a resident."""
    codes = codes_for_roles(user, POST_FOR_OTHERS_ROLES)
    communities = Division.objects.filter(level=5)
    condition = Q(pk__in=[])
    for code in codes:
        prefix = code.rstrip("0") or code
        condition |= Q(code__startswith=prefix)
    return list(communities.filter(condition).order_by("code")[:200])


def destination_for_others(
    actor: Any,
    *,
    community_code: str,
    building: str,
    unit: str,
    room: str,
    contact_name: str,
    contact_mobile: str,
) -> Destination:
    """A need posted on a resident's behalf. If the number belongs to a resident's account,
    that resident becomes the requester (they confirm on their phone); otherwise the poster
    confirms for them."""
    try:
        code = normalize_code(community_code)
    except InvalidDivisionCode as exc:
        raise ValidationError({"community": str(exc)}) from exc
    community = Division.objects.filter(code=code, level=5).first()
    if community is None:
        raise ValidationError({"community": _("请选择具体的社区或村")})
    requester = None
    if contact_mobile.strip():
        from civicgrid.accounts.models import User
        from civicgrid.core.mobile import normalize_mobile

        try:
            number = normalize_mobile(contact_mobile)
        except ValidationError as exc:
            raise ValidationError({"contact_mobile": exc.messages}) from exc
        requester = User.objects.filter(mobile=number, is_resident=True, is_active=True).first()
    return Destination(
        community_code=code,
        building=building,
        unit=unit,
        room=room,
        contact_name=contact_name,
        contact_mobile=contact_mobile,
        requester=requester,
    )


def posting_mode(user: Any) -> str | None:
    """How this user posts: for themselves, as a grid worker, or taking a call; None if not."""
    if getattr(user, "is_resident", False):
        return PostedVia.SELF
    roles = user.roles() if hasattr(user, "roles") else set()
    if Role.COMMUNITY_STAFF in roles:
        return PostedVia.PHONE_CALL
    if Role.GRID_WORKER in roles:
        return PostedVia.GRID_WORKER
    return None


def is_volunteer(user: Any) -> bool:
    return bool(volunteer_codes(user))


def may_see_board(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) or codes_for_roles(user, BOARD_ROLES))


@dataclass
class Viewer:
    """What one user may do with one errand; the detail page and the API read it."""

    is_requester: bool
    is_holder: bool
    is_staff: bool
    may_claim: bool
    actions: list[str] = field(default_factory=list)


def viewer_of(user: Any, errand: Errand) -> Viewer:
    s = ErrandStatus
    requester = errand.is_requester_side(user)
    holder = errand.volunteer_id == user.pk
    staff = oversees(user, errand)
    claim = errand.status == s.OPEN and covers_any(volunteer_codes(user), errand.division_code)
    actions = []
    if claim:
        actions.append("claim")
    if holder and errand.status == s.CLAIMED:
        actions += ["bought", "release"]
    if holder and errand.status == s.BOUGHT:
        actions.append("deliver")
    if holder and errand.status in (s.CLAIMED, s.BOUGHT, s.DELIVERED):
        actions.append("call")
    if requester and errand.status == s.DELIVERED:
        actions.append("confirm")
    if (requester and errand.status in (s.OPEN, s.CLAIMED)) or (
        staff and errand.status in ACTIVE_STATUSES
    ):
        actions.append("cancel")
    if staff and errand.status in ACTIVE_STATUSES:
        actions.append("reassign")
    if (requester or holder) and errand.status == s.CONFIRMED:
        actions.append("rate")
    if (requester or holder or staff) and errand.status == s.CONFIRMED:
        actions.append("repay")
    if requester or holder or staff or errand.posted_by_id == user.pk:
        actions.append("message")
    return Viewer(requester, holder, staff, claim, actions)


def ledger_totals(entries: QuerySet[LedgerEntry]) -> dict[str, Decimal]:
    sums = {
        row["kind"]: row["total"] for row in entries.values("kind").annotate(total=Sum("amount"))
    }
    owed = (sums.get(LedgerKind.OWED) or ZERO).quantize(CENT)
    settled = (sums.get(LedgerKind.SETTLED) or ZERO).quantize(CENT)
    return {"owed": owed, "settled": settled, "outstanding": owed - settled}


def ledger_for(user: Any) -> dict[str, Any]:
    """A person's own ledger: what they owe as a requester, and what is owed to them as a
    volunteer, errand by errand."""
    as_requester = LedgerEntry.objects.filter(
        Q(errand__requester=user) | Q(errand__requester__isnull=True, errand__posted_by=user)
    )
    as_volunteer = LedgerEntry.objects.filter(volunteer=user)
    return {
        "owing": ledger_totals(as_requester),
        "owed_to_me": ledger_totals(as_volunteer),
        "entries": list(
            (as_requester | as_volunteer)
            .select_related("errand", "volunteer")
            .order_by("-created_at", "-id")[:200]
        ),
    }


@dataclass
class Board:
    """The staff board of the errands a user oversees (their jurisdiction)."""

    counts: dict[str, int]
    overdue: list[Errand]
    open: list[Errand]
    claimed: list[Errand]
    volunteers: list[dict[str, Any]]
    money: dict[str, Decimal]


def board_errands(user: Any) -> QuerySet[Errand]:
    from civicgrid.core.scoping import jurisdiction_q

    errands = Errand.objects.visible_to(user)
    if not getattr(user, "is_superuser", False):
        errands = errands.filter(jurisdiction_q(codes_for_roles(user, BOARD_ROLES)))
    return errands


def board_for(user: Any, *, limit: int = 50) -> Board:
    errands = board_errands(user)
    now = timezone.now()
    counts = dict.fromkeys(ErrandStatus.values, 0)
    counts.update(
        {row["status"]: row["n"] for row in errands.values("status").annotate(n=Count("id"))}
    )
    counts["in_progress"] = counts[ErrandStatus.CLAIMED] + counts[ErrandStatus.BOUGHT]
    active = errands.filter(status__in=ACTIVE_STATUSES).select_related("volunteer")
    overdue = active.filter(window_end__lt=now).order_by("window_end")
    counts["overdue"] = overdue.count()
    week = now - datetime.timedelta(days=7)
    volunteers = list(
        errands.filter(volunteer__isnull=False)
        .values("volunteer_id", "volunteer__full_name", "volunteer__username")
        .annotate(
            active=Count("id", filter=Q(status__in=ACTIVE_STATUSES)),
            done=Count("id", filter=Q(status__in=("delivered", "confirmed"))),
            done_week=Count(
                "id", filter=Q(status__in=("delivered", "confirmed"), delivered_at__gte=week)
            ),
            advanced=Sum("amount_advanced"),
        )
        .order_by("-active", "-done", "volunteer_id")[:limit]
    )
    entries = LedgerEntry.objects.filter(errand__in=errands.values("pk"))
    return Board(
        counts=counts,
        overdue=list(overdue[:limit]),
        open=list(active.filter(status=ErrandStatus.OPEN).order_by("created_at")[:limit]),
        claimed=list(active.exclude(status=ErrandStatus.OPEN).order_by("window_end")[:limit]),
        volunteers=volunteers,
        money=ledger_totals(entries),
    )
