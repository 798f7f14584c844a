"""Appointments (办事预约): offices and counters, their opening hours and closures, the slots they
offer, bookings, and the blocks repeated no-shows bring with their appeals.

Slots are materialised rows (see `slots.py` for why): a slot's `booked` counter is what the
race-safe conditional UPDATE of `actions.do_book_appointment` increments, and the daily load of an
office is a sum over them. Every row that belongs to an office carries the office's
`division_code`, so staff see them through the one jurisdiction mechanism.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import Organisation
from civicgrid.appointments.choices import AppealStatus, BookingStatus, CancelledBy, Weekday
from civicgrid.appointments.querysets import (
    BlockQuerySet,
    BookingQuerySet,
    OfficePartQuerySet,
    OfficeQuerySet,
)
from civicgrid.catalog.models import ServiceItem


class Office(models.Model):
    """A place applicants come to: a county service hall or a department's own office."""

    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    phone = models.CharField(_("咨询电话"), max_length=30, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("运行单位"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    notes = models.TextField(_("办事须知"), blank=True)
    is_active = models.BooleanField(_("开放预约"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        verbose_name = _("办事大厅")
        verbose_name_plural = _("办事大厅")
        ordering = ["division_code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["division_code", "name"], name="appointments_office_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(division_code__regex=r"^[0-9]{12}$"),
                name="appointments_office_division_code_12_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Counter(models.Model):
    """A window of an office and the service items it handles; it has its own hours."""

    office = models.ForeignKey(
        Office, verbose_name=_("办事大厅"), on_delete=models.CASCADE, related_name="counters"
    )
    name = models.CharField(_("窗口名称"), max_length=50)
    items = models.ManyToManyField(
        ServiceItem, verbose_name=_("可办事项"), related_name="appointment_counters", blank=True
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = OfficePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["office", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="appointments_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.name}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.division_code = self.office.division_code
        super().save(*args, **kwargs)


class OpeningHours(models.Model):
    """One opening period of a counter on a weekday (a morning and an afternoon are two rows)."""

    counter = models.ForeignKey(
        Counter, verbose_name=_("窗口"), on_delete=models.CASCADE, related_name="hours"
    )
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"))
    slot_minutes = models.PositiveSmallIntegerField(_("每个时段（分钟）"), default=30)
    capacity = models.PositiveSmallIntegerField(_("每个时段可约人数"), default=2)

    class Meta:
        verbose_name = _("开放时间")
        verbose_name_plural = _("开放时间")
        ordering = ["counter", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")),
                name="appointments_hours_start_before_end",
                violation_error_message=_("开始时间须早于结束时间。"),
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="appointments_hours_slot_length",
                violation_error_message=_("每个时段须在 5 至 240 分钟之间。"),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=200),
                name="appointments_hours_capacity",
                violation_error_message=_("每个时段可约人数须在 1 至 200 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="appointments_hours_weekday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Closure(models.Model):
    """A date an office is closed although the calendar says it is a working day."""

    office = models.ForeignKey(
        Office, verbose_name=_("办事大厅"), on_delete=models.CASCADE, related_name="closures"
    )
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=100)

    class Meta:
        verbose_name = _("闭厅日期")
        verbose_name_plural = _("闭厅日期")
        ordering = ["office", "date"]
        constraints = [
            models.UniqueConstraint(fields=["office", "date"], name="appointments_closure_unique")
        ]

    def __str__(self) -> str:
        return f"{self.office} {self.date} {self.reason}"


class Slot(models.Model):
    """A bookable period at a counter. `booked` never exceeds `capacity` (checked by the
    database as well as by the conditional UPDATE that takes a place)."""

    counter = models.ForeignKey(
        Counter, verbose_name=_("窗口"), on_delete=models.CASCADE, related_name="slots"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("办事大厅"), on_delete=models.CASCADE, related_name="slots"
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    date = models.DateField(_("日期"))
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    capacity = models.PositiveSmallIntegerField(_("可约人数"))
    booked = models.PositiveSmallIntegerField(_("已约人数"), default=0)
    is_open = models.BooleanField(_("可预约"), default=True)

    objects = OfficePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["starts_at", "counter"]
        constraints = [
            models.UniqueConstraint(
                fields=["counter", "starts_at"], name="appointments_slot_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="appointments_slot_within_capacity"
            ),
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="appointments_slot_ordered"
            ),
        ]
        indexes = [models.Index(fields=["office", "date"], name="appointments_slot_office_day")]

    def __str__(self) -> str:
        return f"{self.counter} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)


class Booking(models.Model):
    """One applicant's appointment for one item at one slot. At most one `booked` booking per
    applicant and item (a partial unique index), whatever the channel."""

    number = models.CharField(_("预约号"), max_length=20, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        on_delete=models.PROTECT,
        related_name="appointment_bookings",
    )
    enterprise = models.ForeignKey(
        Organisation,
        verbose_name=_("代办企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The enterprise's code as validated when booking (the organisation's may change later).
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("办理事项"), on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        Office, verbose_name=_("办事大厅"), on_delete=models.PROTECT, related_name="bookings"
    )
    counter = models.ForeignKey(
        Counter, verbose_name=_("窗口"), on_delete=models.PROTECT, related_name="bookings"
    )
    slot = models.ForeignKey(
        Slot, verbose_name=_("时段"), on_delete=models.PROTECT, related_name="bookings"
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    starts_at = models.DateTimeField(_("预约开始"), db_index=True)
    ends_at = models.DateTimeField(_("预约结束"))
    status = models.CharField(
        _("状态"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    rescheduled_count = models.PositiveSmallIntegerField(_("改约次数"), default=0)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancelled_by = models.CharField(
        _("取消方"), max_length=12, choices=CancelledBy.choices, blank=True
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签到经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    no_show_at = models.DateTimeField(_("记为爽约时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "item"],
                condition=Q(status="booked"),
                name="appointments_booking_one_active_per_item",
                violation_error_message=_("您已有该事项的有效预约。"),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "ends_at"], name="appointments_booking_due"),
            models.Index(fields=["applicant", "status"], name="appointments_booking_mine"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.status == BookingStatus.BOOKED


class BookingBlock(models.Model):
    """Booking suspended for an applicant after repeated no-shows, until `ends_at` or until an
    appeal is granted. It belongs to the office of the no-show that triggered it, whose staff
    decide the appeal."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        on_delete=models.CASCADE,
        related_name="appointment_blocks",
    )
    office = models.ForeignKey(
        Office, verbose_name=_("办事大厅"), on_delete=models.PROTECT, related_name="blocks"
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    no_shows = models.PositiveSmallIntegerField(_("爽约次数"))
    lifted_at = models.DateTimeField(_("提前解除时间"), null=True, blank=True)

    objects = BlockQuerySet.as_manager()

    class Meta:
        verbose_name = _("预约限制")
        verbose_name_plural = _("预约限制")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=F("ends_at")), name="appointments_block_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.applicant} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"


class BlockAppeal(models.Model):
    """The applicant's appeal against a block (one per block), granted or refused with a
    reason by the office's staff."""

    block = models.OneToOneField(
        BookingBlock, verbose_name=_("预约限制"), on_delete=models.CASCADE, related_name="appeal"
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    text = models.TextField(_("申诉理由"), max_length=500)
    status = models.CharField(
        _("状态"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.PENDING
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.CharField(_("处理意见"), max_length=200, blank=True)

    objects = OfficePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("限制申诉")
        verbose_name_plural = _("限制申诉")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | ~Q(decision_reason=""),
                name="appointments_appeal_decision_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.block} {self.get_status_display()}"
