"""Volunteer errands (志愿服务): a resident's need, the volunteer who takes it, and the money.

An errand belongs to the community of the household it is delivered to (`division_code`).
Its life: open → claimed → bought → delivered → confirmed, or cancelled on the way; a
volunteer giving it up returns it to open. Every step is an `ErrandEvent` (the history with
timestamps), written by the actions in `errands.actions`, which also keep the ledger.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.protected_fields import ProtectedMobileField
from civicgrid.errands.choices import (
    HELD_STATUSES,
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
from civicgrid.errands.querysets import ErrandPartQuerySet, ErrandQuerySet

MONEY = {"max_digits": 9, "decimal_places": 2}


class Errand(models.Model):
    """A need posted for one household: what to buy, by when, and where to leave it.

    `requester` is the resident's account when there is one (they confirm and see the handoff
    code); an errand posted for someone without an account (a phone call, an elderly person)
    is confirmed by whoever posted it (`posted_by`). The volunteer sees the address, a masked
    name and a masked number; the full number only through an audited tap to call.
    """

    division_code = models.CharField(_("社区/村代码"), max_length=12, db_index=True)
    grid = models.ForeignKey(
        "regions.Grid", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    household = models.ForeignKey(
        "population.Household",
        verbose_name=_("住户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("求助人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="errands_requested",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        related_name="errands_posted",
    )
    posted_via = models.CharField(_("发布方式"), max_length=20, choices=PostedVia.choices)
    kind = models.CharField(_("类型"), max_length=20, choices=ErrandKind.choices)
    budget = models.DecimalField(_("预算（元）"), **MONEY)
    window_start = models.DateTimeField(_("送达时间（起）"))
    window_end = models.DateTimeField(_("送达时间（止）"))
    dropoff_instructions = models.CharField(_("放置说明"), max_length=200, blank=True)
    contactless = models.BooleanField(_("无接触配送"), default=True)
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_mobile = ProtectedMobileField(_("联系电话"), blank=True)
    building = models.CharField(_("楼栋"), max_length=30, blank=True)
    unit = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("门牌/房号"), max_length=30)
    status = models.CharField(
        _("状态"), max_length=20, choices=ErrandStatus.choices, default=ErrandStatus.OPEN
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("志愿者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="errands_claimed",
    )
    amount_advanced = models.DecimalField(_("垫付金额（元）"), null=True, blank=True, **MONEY)
    delivery_proof = models.CharField(
        _("送达凭证"), max_length=10, choices=DeliveryProof.choices, blank=True
    )
    # Shown to the requester only; the volunteer types what the resident reads out.
    handoff_code = models.CharField(_("收货码"), max_length=4, editable=False)
    handoff_attempts = models.PositiveSmallIntegerField(_("收货码错误次数"), default=0)
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    bought_at = models.DateTimeField(_("购买时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("最近提醒"), null=True, blank=True)

    objects = ErrandQuerySet.as_manager()

    class Meta:
        verbose_name = _("代购需求")
        verbose_name_plural = _("代购需求")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["division_code", "status"], name="errands_errand_code_status"),
            models.Index(fields=["volunteer", "status"], name="errands_errand_volunteer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(division_code__regex=r"^[0-9]{12}$"),
                name="errands_errand_code_12_digits",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ErrandStatus.values), name="errands_errand_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ErrandKind.values), name="errands_errand_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0), name="errands_errand_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(amount_advanced__isnull=True) | Q(amount_advanced__gte=0),
                name="errands_errand_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(window_end__gt=models.F("window_start")),
                name="errands_errand_window_ordered",
            ),
            # A volunteer holds the errand exactly while it is claimed, bought, delivered or
            # confirmed; an open or cancelled-before-claiming errand has none.
            models.CheckConstraint(
                condition=Q(status__in=HELD_STATUSES, volunteer__isnull=False)
                | Q(status=ErrandStatus.OPEN, volunteer__isnull=True)
                | Q(status=ErrandStatus.CANCELLED),
                name="errands_errand_volunteer_when_held",
            ),
            models.CheckConstraint(
                condition=Q(handoff_code__regex=r"^[0-9]{4}$"),
                name="errands_errand_handoff_code_4_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} · {self.address}"

    @property
    def address(self) -> str:
        return " ".join(p for p in (self.building, self.unit, self.room) if p)

    @property
    def confirmer_id(self) -> int:
        """Who confirms delivery and repays: the resident, or the poster on their behalf."""
        return self.requester_id or self.posted_by_id

    def is_requester_side(self, user: object) -> bool:
        return getattr(user, "pk", None) == self.confirmer_id

    @property
    def is_overdue(self) -> bool:
        return self.status in ("open", "claimed", "bought") and self.window_end < timezone.now()


class ErrandItem(models.Model):
    """One line of the shopping list: what, how many, in which unit."""

    errand = models.ForeignKey(Errand, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("物品"), max_length=50)
    quantity = models.PositiveSmallIntegerField(_("数量"))
    unit = models.CharField(_("单位"), max_length=10, blank=True)
    note = models.CharField(_("备注"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("代购物品")
        verbose_name_plural = _("代购物品")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="errands_erranditem_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} × {self.quantity}{self.unit}"


class ErrandEvent(models.Model):
    """The history: every step of an errand with its time, who took it and why."""

    errand = models.ForeignKey(Errand, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=20, choices=EventKind.choices)
    status = models.CharField(_("之后的状态"), max_length=20, choices=ErrandStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("代购记录")
        verbose_name_plural = _("代购记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class ErrandPhoto(models.Model):
    """A receipt or drop-off photo, kept in the database (checked to be a real image)."""

    errand = models.ForeignKey(Errand, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("类型"), max_length=10, choices=PhotoKind.choices)
    content = models.BinaryField(_("内容"), editable=False)
    content_type = models.CharField(_("格式"), max_length=30)
    size = models.PositiveIntegerField(_("大小"))
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("代购照片")
        verbose_name_plural = _("代购照片")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class LedgerEntry(models.Model):
    """Money between a requester and a volunteer, recorded (not processed): what the requester
    owes for an errand (`owed`) and what they have paid back (`settled`)."""

    errand = models.ForeignKey(Errand, on_delete=models.PROTECT, related_name="ledger")
    division_code = models.CharField(_("社区/村代码"), max_length=12, db_index=True)
    kind = models.CharField(_("类型"), max_length=10, choices=LedgerKind.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    method = models.CharField(
        _("还款方式"), max_length=10, choices=RepaymentMethod.choices, blank=True
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = ErrandPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("代购账目")
        verbose_name_plural = _("代购账目")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=Decimal("0")), name="errands_ledgerentry_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=LedgerKind.values), name="errands_ledgerentry_kind_valid"
            ),
            # What is owed is recorded once per errand, when the requester confirms.
            models.UniqueConstraint(
                fields=["errand"],
                condition=Q(kind="owed"),
                name="errands_ledgerentry_one_owed_per_errand",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ¥{self.amount}"


class ErrandRating(models.Model):
    """A rating of the other side, 1–5 with a comment; once per side and errand."""

    errand = models.ForeignKey(Errand, on_delete=models.CASCADE, related_name="ratings")
    side = models.CharField(_("评价方"), max_length=20, choices=RatingSide.choices)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("评语"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    class Meta:
        verbose_name = _("代购评价")
        verbose_name_plural = _("代购评价")
        constraints = [
            models.UniqueConstraint(fields=["errand", "side"], name="errands_rating_once_per_side"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="errands_rating_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.score}"


class ErrandMessage(models.Model):
    """An in-app message on an errand between the requester side, the volunteer and staff."""

    errand = models.ForeignKey(Errand, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.CharField(_("内容"), max_length=500)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("代购留言")
        verbose_name_plural = _("代购留言")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:30]
