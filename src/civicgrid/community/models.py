"""The community brain (社区大脑): gates and their passes, household health and disinfection,
alert rules and the alerts they raise, and the daily pass counts kept after passes expire."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.community.choices import (
    AlertStatus,
    CorrectionStatus,
    Direction,
    DisinfectionArea,
    DisinfectionMethod,
    PassKind,
    Proof,
    RuleKind,
)
from civicgrid.community.querysets import CommunityPlaceQuerySet, CommunityRecordQuerySet
from civicgrid.core.protected_fields import ProtectedMobileField
from civicgrid.population.models import Household, Person
from civicgrid.regions.models import Grid

CODE_12_DIGITS = Q(division_code__regex=r"^[0-9]{12}$")
# Body temperatures a thermometer at a gate or at home can honestly read.
TEMPERATURE_RANGE = Q(temperature__isnull=True) | Q(temperature__gte=35, temperature__lte=42)


def _user_fk(**kwargs) -> models.ForeignKey:  # type: ignore[no-untyped-def]
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **kwargs,
    )


def _optional_reference(to: type[models.Model], **kwargs) -> models.ForeignKey:  # type: ignore[no-untyped-def]
    """A pass's reference, not checked by the database (see `PassRecord`)."""
    return models.ForeignKey(
        to, null=True, blank=True, on_delete=models.SET_NULL, db_constraint=False, **kwargs
    )


class Checkpoint(models.Model):
    """A gate of a community (卡口). Its QR code carries a token signed with `token_version`;
    raising the version revokes every poster and tablet code printed before."""

    division_code = models.CharField(_("社区/村代码"), max_length=12, db_index=True)
    name = models.CharField(_("卡口名称"), max_length=50)
    note = models.CharField(_("位置说明"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    token_version = models.PositiveIntegerField(_("二维码版本"), default=1)
    created_by = _user_fk(verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CommunityPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("卡口")
        verbose_name_plural = _("卡口")
        ordering = ["division_code", "name"]
        constraints = [
            models.CheckConstraint(condition=CODE_12_DIGITS, name="community_checkpoint_code"),
            models.UniqueConstraint(
                fields=["division_code", "name"], name="community_checkpoint_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PassRecord(models.Model):
    """One exit or entry at a gate: a resident's scan, a visitor's form or a guard's entry.

    Personal data, kept `COMMUNITY_PASS_RETENTION_DAYS` and then deleted (the daily counts stay
    in `CheckpointDailyCount`). `subject_key` names who passed ("p:<person>", "u:<account>",
    "v:<mobile hash>"); with `tap_window` it makes a double tap one row, whatever the client.

    Its references are not database constraints. A constraint is checked at commit by
    share-locking the referenced row, and every scan at a gate references the same gate and
    grid: concurrent scans then pile up on those rows and PostgreSQL builds a shared lock
    (a MultiXact) for each, costing the busiest write of the platform about a tenth of its
    throughput. The scan has just read what it references; nothing deletes gates; and the ORM
    still applies `on_delete` when a grid, household, person or account is deleted.
    """

    checkpoint = models.ForeignKey(
        Checkpoint,
        verbose_name=_("卡口"),
        on_delete=models.PROTECT,
        related_name="passes",
        db_constraint=False,
    )
    division_code = models.CharField(_("社区/村代码"), max_length=12)
    grid = _optional_reference(Grid, related_name="+")
    direction = models.CharField(_("方向"), max_length=3, choices=Direction.choices)
    kind = models.CharField(_("类别"), max_length=10, choices=PassKind.choices)
    proof = models.CharField(_("验证方式"), max_length=10, choices=Proof.choices)
    # The (person, scanned_at) index serves look-ups by person.
    person = _optional_reference(Person, related_name="passes", db_index=False)
    household = _optional_reference(Household, related_name="passes")
    user = _user_fk(verbose_name=_("扫码账号"), db_constraint=False)
    visitor_name = models.CharField(_("访客姓名"), max_length=50, blank=True)
    visitor_mobile = ProtectedMobileField(_("访客手机"), blank=True)
    visitor_reason = models.CharField(_("来访事由"), max_length=100, blank=True)
    visitor_host = models.CharField(_("拜访对象"), max_length=100, blank=True)
    temperature = models.DecimalField(
        _("体温（℃）"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    recorded_by = _user_fk(verbose_name=_("登记人"), db_constraint=False)
    scanned_at = models.DateTimeField(_("时间"))
    subject_key = models.CharField(max_length=80, editable=False)
    tap_window = models.BigIntegerField(editable=False)
    voided_at = models.DateTimeField(_("更正作废时间"), null=True, blank=True)

    objects = CommunityRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("出入记录")
        verbose_name_plural = _("出入记录")
        indexes = [
            models.Index(fields=["division_code", "scanned_at"], name="community_pass_code_time"),
            models.Index(fields=["person", "scanned_at"], name="community_pass_person_time"),
            models.Index(fields=["scanned_at"], name="community_pass_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=CODE_12_DIGITS, name="community_passrecord_code"),
            models.CheckConstraint(condition=TEMPERATURE_RANGE, name="community_passrecord_temp"),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="community_passrecord_direction"
            ),
            models.UniqueConstraint(
                fields=["subject_key", "direction", "tap_window"],
                name="community_passrecord_one_tap",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.scanned_at:%Y-%m-%d %H:%M}"

    @property
    def display_name(self) -> str:
        return self.person.name if self.person_id else self.visitor_name


class PassCorrection(models.Model):
    """A resident's request to correct a pass recorded about them; staff accept or reject it."""

    pass_record = models.ForeignKey(
        PassRecord, on_delete=models.CASCADE, related_name="corrections"
    )
    division_code = models.CharField(_("社区/村代码"), max_length=12, db_index=True)
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("更正理由"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN
    )
    resolution = models.CharField(_("处理意见"), max_length=200, blank=True)
    resolved_by = _user_fk()
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    objects = CommunityRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("出入记录更正申请")
        verbose_name_plural = _("出入记录更正申请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pass_record"],
                condition=Q(status="open"),
                name="community_passcorrection_one_open",
            )
        ]

    def __str__(self) -> str:
        return self.reason


class CheckpointDailyCount(models.Model):
    """Passes per gate, day and direction: the aggregate kept after the passes are deleted."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="+")
    division_code = models.CharField(_("社区/村代码"), max_length=12, db_index=True)
    day = models.DateField(_("日期"))
    direction = models.CharField(_("方向"), max_length=3, choices=Direction.choices)
    residents = models.PositiveIntegerField(_("居民人次"), default=0)
    visitors = models.PositiveIntegerField(_("访客人次"), default=0)

    objects = CommunityPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("卡口每日通行量")
        verbose_name_plural = _("卡口每日通行量")
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "day", "direction"], name="community_dailycount_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.day} {self.direction}"


class HealthReport(models.Model):
    """A household's health report for one day; sending it again the same day replaces it."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="health_reports"
    )
    division_code = models.CharField(_("社区/村代码"), max_length=12, db_index=True)
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report_date = models.DateField(_("日期"))
    has_fever = models.BooleanField(_("有人发热"), default=False)
    reported_by = _user_fk(verbose_name=_("报告人"))
    created_at = models.DateTimeField(_("报告时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CommunityRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭健康日报")
        verbose_name_plural = _("家庭健康日报")
        indexes = [
            models.Index(fields=["division_code", "report_date"], name="community_report_code_day")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "report_date"], name="community_healthreport_one_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.report_date}"


class HealthEntry(models.Model):
    """One member's temperature and symptoms in a household's daily report."""

    report = models.ForeignKey(HealthReport, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    temperature = models.DecimalField(_("体温（℃）"), max_digits=3, decimal_places=1)
    symptoms = models.JSONField(_("症状"), default=list, blank=True)
    has_fever = models.BooleanField(_("发热"), default=False)

    class Meta:
        verbose_name = _("成员健康情况")
        verbose_name_plural = _("成员健康情况")
        constraints = [
            models.CheckConstraint(condition=TEMPERATURE_RANGE, name="community_healthentry_temp"),
            models.UniqueConstraint(
                fields=["report", "person"], name="community_healthentry_one_each"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.temperature}"


class DisinfectionLog(models.Model):
    """A household's disinfection: when, where, how."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="disinfections")
    division_code = models.CharField(_("社区/村代码"), max_length=12, db_index=True)
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(_("消毒时间"))
    area = models.CharField(_("区域"), max_length=20, choices=DisinfectionArea.choices)
    method = models.CharField(_("方式"), max_length=20, choices=DisinfectionMethod.choices)
    note = models.CharField(_("备注"), max_length=100, blank=True)
    recorded_by = _user_fk()
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = CommunityRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("家庭消毒记录")
        verbose_name_plural = _("家庭消毒记录")
        ordering = ["-done_at"]
        indexes = [models.Index(fields=["household", "done_at"], name="community_disinf_home")]

    def __str__(self) -> str:
        return f"{self.household} {self.done_at:%Y-%m-%d}"


class AlertRule(models.Model):
    """A community's rule that raises an alert for the household's grid worker to look at."""

    division_code = models.CharField(_("社区/村代码"), max_length=12, db_index=True)
    kind = models.CharField(_("规则"), max_length=20, choices=RuleKind.choices)
    threshold = models.PositiveSmallIntegerField(_("阈值"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = _user_fk()
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CommunityPlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        ordering = ["division_code", "kind"]
        constraints = [
            models.CheckConstraint(condition=CODE_12_DIGITS, name="community_alertrule_code"),
            models.UniqueConstraint(
                fields=["division_code", "kind"], name="community_alertrule_one_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["observed_out", "fever"]) | Q(threshold__gte=1),
                name="community_alertrule_threshold",
            ),
        ]

    def __str__(self) -> str:
        return str(self.description)

    @property
    def description(self) -> str:
        from civicgrid.community.rules import describe

        return describe(self)


class Alert(models.Model):
    """A task for the household's grid worker raised by a rule: not a sanction, a question.

    The worker records what they found (confirmed or dismissed), which is the rule's hit rate.
    One alert per rule, subject and day.
    """

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts")
    division_code = models.CharField(_("社区/村代码"), max_length=12, db_index=True)
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    day = models.DateField(_("日期"))
    subject_key = models.CharField(max_length=40, editable=False)
    detail = models.CharField(_("情况"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    finding = models.CharField(_("核实情况"), max_length=300, blank=True)
    resolved_by = _user_fk()
    resolved_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("预警时间"), auto_now_add=True)

    objects = CommunityRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["division_code", "status"], name="community_alert_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_key", "day"], name="community_alert_once_a_day"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | ~Q(finding=""), name="community_alert_finding"
            ),
        ]

    def __str__(self) -> str:
        return self.detail


class HouseholdReminder(models.Model):
    """That a household was reminded to report on `day`, so it is reminded once."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "day"], name="community_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.day}"
