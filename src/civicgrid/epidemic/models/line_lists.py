"""Line lists (issue 5, part 2): cases, close contacts, key persons, medical observation and its
health monitoring, transmission clusters, and the live line-list totals.

Every record names a person of the population register (`population.Person`, found by the
hash of the citizen ID), so the same person is never entered twice: at most one case per
person and one contact record per person (database constraints), and at most one active
observation per person. `division_code` is where the record belongs for scoping: the person's
residence for cases, contacts and key persons, the place of observation for observations
(the person's home community, or the site).

The follow-up worklist reads observations only: the monitoring action keeps each
observation's last check (`last_slot`, `last_check_at`, `last_temperature`, `fever`) up to
date, so a county's worklist of 100,000 people is one index range over observations, never an
aggregate over millions of monitoring entries.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import Organisation
from civicgrid.core.scoping import ScopedQuerySet
from civicgrid.epidemic.choices import (
    CaseStatus,
    CheckSlot,
    ContactType,
    KeyPersonCategory,
    Measure,
    ObservationPlace,
    ObservationStatus,
    Outcome,
    Severity,
)
from civicgrid.epidemic.querysets import (
    KeyPersonQuerySet,
    LineListQuerySet,
    MonitoringQuerySet,
    ObservationQuerySet,
)
from civicgrid.population.models import Person
from civicgrid.regions.models import Grid

EPOCH = datetime.date(2000, 1, 1)


def slot_key(day: datetime.date, slot: str) -> int:
    """A check slot as one integer that grows with time: two per day since 2000-01-01."""
    return (day - EPOCH).days * 2 + (1 if slot == CheckSlot.EVENING else 0)


def slot_of_key(key: int) -> tuple[datetime.date, str]:
    return EPOCH + datetime.timedelta(days=key // 2), (
        CheckSlot.EVENING if key % 2 else CheckSlot.MORNING
    )


class TransmissionCluster(models.Model):
    """A connected group of cases and contacts (a chain). Linking two groups merges them, so a
    chain's nodes and edges are read with one indexed query each, however long it is."""

    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    size = models.PositiveIntegerField(_("人数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = LineListQuerySet.as_manager()

    class Meta:
        verbose_name = _("传播链")
        verbose_name_plural = _("传播链")

    def __str__(self) -> str:
        return f"#{self.pk} ({self.size})"


class Case(models.Model):
    """A suspected or confirmed case or an asymptomatic infection: one per person, ever.

    `status` moves only along `choices.RECLASSIFICATIONS`, each step kept in
    `CaseClassification`. `confirmed_on` is the day it counted as confirmed (the statistics'
    "new confirmed" day). `version` grows with every write (optimistic locking)."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("分类"), max_length=14, choices=CaseStatus.choices)
    division_code = models.CharField(_("区划代码"), max_length=12)
    reporting_unit = models.ForeignKey(
        Organisation, verbose_name=_("报告单位"), on_delete=models.PROTECT, related_name="+"
    )
    hospital = models.ForeignKey(
        Organisation,
        verbose_name=_("收治医院"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    severity = models.CharField(
        _("临床严重程度"), max_length=10, choices=Severity.choices, blank=True, default=""
    )
    onset_date = models.DateField(_("发病日期"), null=True, blank=True)
    diagnosis_date = models.DateField(_("诊断日期"), null=True, blank=True)
    report_date = models.DateField(_("报告日期"))
    confirmed_on = models.DateField(_("确诊日期"), null=True, blank=True)
    outcome = models.CharField(
        _("转归"), max_length=10, choices=Outcome.choices, blank=True, default=""
    )
    outcome_date = models.DateField(_("转归日期"), null=True, blank=True)
    cluster = models.ForeignKey(
        TransmissionCluster, null=True, on_delete=models.SET_NULL, related_name="cases"
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = LineListQuerySet.as_manager()

    class Meta:
        verbose_name = _("病例")
        verbose_name_plural = _("病例")
        ordering = ["-report_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person"], name="epidemic_case_one_per_person"),
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="epidemic_case_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CONFIRMED) | Q(confirmed_on__isnull=False),
                name="epidemic_case_confirmed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(outcome="", outcome_date__isnull=True)
                | (~Q(outcome="") & Q(outcome_date__isnull=False)),
                name="epidemic_case_outcome_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["division_code", "status"], name="epidemic_case_area"),
            models.Index(fields=["reporting_unit", "report_date"], name="epidemic_case_unit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} · {self.person.name}"


class CaseClassification(models.Model):
    """One step of a case's classification: its entry ("" → status) and every change."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="classifications")
    from_status = models.CharField(_("原分类"), max_length=14, blank=True)
    to_status = models.CharField(_("新分类"), max_length=14, choices=CaseStatus.choices)
    on_date = models.DateField(_("日期"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("病例分类记录")
        verbose_name_plural = _("病例分类记录")
        ordering = ["case", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status or '—'} → {self.to_status}"


class Contact(models.Model):
    """A person traced as a close contact of one or more cases (`exposures`): one record per
    person. `converted_case` is set when the contact later becomes a case themself."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("区划代码"), max_length=12)
    reported_on = models.DateField(_("登记日期"))
    converted_case = models.OneToOneField(
        Case,
        verbose_name=_("转为病例"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="as_contact",
    )
    cluster = models.ForeignKey(
        TransmissionCluster, null=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = LineListQuerySet.as_manager()

    class Meta:
        verbose_name = _("密切接触者")
        verbose_name_plural = _("密切接触者")
        ordering = ["-reported_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person"], name="epidemic_contact_one_per_person"),
        ]
        indexes = [models.Index(fields=["division_code"], name="epidemic_contact_area")]

    def __str__(self) -> str:
        return self.person.name


class ContactExposure(models.Model):
    """That a contact was exposed to a source case: an edge of the transmission graph."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="exposures")
    case = models.ForeignKey(
        Case, verbose_name=_("传染源病例"), on_delete=models.PROTECT, related_name="exposures"
    )
    contact_type = models.CharField(_("接触方式"), max_length=12, choices=ContactType.choices)
    last_exposure_date = models.DateField(_("末次接触日期"))
    cluster = models.ForeignKey(
        TransmissionCluster, null=True, on_delete=models.SET_NULL, related_name="exposures"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("接触记录")
        verbose_name_plural = _("接触记录")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "case"], name="epidemic_contactexposure_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(contact_type__in=ContactType.values),
                name="epidemic_contactexposure_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.contact_id}"


class KeyPerson(models.Model):
    """重点人员: e.g. an arrival from a high-risk area, followed by the community and grid."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("区划代码"), max_length=12)
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    category = models.CharField(_("类别"), max_length=20, choices=KeyPersonCategory.choices)
    origin = models.CharField(_("来自地区"), max_length=100, blank=True)
    arrival_date = models.DateField(_("抵达日期"))
    transport = models.CharField(_("交通方式及班次"), max_length=100, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = KeyPersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("重点人员")
        verbose_name_plural = _("重点人员")
        ordering = ["-arrival_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "category", "arrival_date"],
                name="epidemic_keyperson_unique_arrival",
            ),
            models.CheckConstraint(
                condition=Q(category__in=KeyPersonCategory.values),
                name="epidemic_keyperson_category_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["division_code", "arrival_date"], name="epidemic_keyperson_area"),
            models.Index(fields=["grid", "arrival_date"], name="epidemic_keyperson_grid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.person.name}"


class QuarantineSite(models.Model):
    """A named site for centralised observation. `occupied` is kept by the observation actions
    with a guarded UPDATE, so the database refuses an observation beyond `capacity` even when
    two are placed at once."""

    name = models.CharField(_("隔离点名称"), max_length=100)
    division_code = models.CharField(_("区划代码"), max_length=12)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("房间数"))
    occupied = models.PositiveIntegerField(_("在住人数"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = LineListQuerySet.as_manager()

    class Meta:
        verbose_name = _("集中隔离点")
        verbose_name_plural = _("集中隔离点")
        ordering = ["division_code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["division_code", "name"], name="epidemic_quarantinesite_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(occupied__lte=models.F("capacity")),
                name="epidemic_quarantinesite_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Observation(models.Model):
    """Medical observation of a person at home or at a site, from `start_date` to
    `planned_end_date`, followed by `team` (a community committee or a clinic).

    The last check is kept here by `do_record_check` so that the worklist reads only this
    table: `last_slot` is `slot_key(date, slot)` of the newest check (None before the first),
    `fever` whether that check found a temperature ≥ 37.3 °C or symptoms."""

    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("区划代码"), max_length=12)
    place = models.CharField(_("观察方式"), max_length=6, choices=ObservationPlace.choices)
    site = models.ForeignKey(
        QuarantineSite,
        verbose_name=_("隔离点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="observations",
    )
    team = models.ForeignKey(
        Organisation, verbose_name=_("负责单位"), on_delete=models.PROTECT, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    key_person = models.ForeignKey(
        KeyPerson, null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    start_date = models.DateField(_("开始日期"))
    planned_end_date = models.DateField(_("计划解除日期"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ObservationStatus.choices,
        default=ObservationStatus.ACTIVE,
    )
    released_on = models.DateField(_("解除日期"), null=True, blank=True)
    release_note = models.CharField(_("解除说明"), max_length=200, blank=True)
    last_slot = models.IntegerField(_("最近监测时段"), null=True, blank=True)
    last_check_at = models.DateTimeField(_("最近监测时间"), null=True, blank=True)
    last_temperature = models.DecimalField(
        _("最近体温"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    fever = models.BooleanField(_("发热或有症状"), default=False)
    checks = models.PositiveIntegerField(_("监测次数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("医学观察")
        verbose_name_plural = _("医学观察")
        ordering = ["planned_end_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status=ObservationStatus.ACTIVE),
                name="epidemic_observation_one_active_per_person",
            ),
            models.CheckConstraint(
                condition=Q(place=ObservationPlace.HOME, site__isnull=True)
                | Q(place=ObservationPlace.SITE, site__isnull=False),
                name="epidemic_observation_site_iff_site_place",
            ),
            models.CheckConstraint(
                condition=Q(planned_end_date__gte=models.F("start_date")),
                name="epidemic_observation_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status=ObservationStatus.ACTIVE, released_on__isnull=True)
                | Q(status=ObservationStatus.RELEASED, released_on__isnull=False),
                name="epidemic_observation_released_has_date",
            ),
        ]
        indexes = [
            # The worklist of a county (or any jurisdiction): active ones, a code range.
            models.Index(fields=["status", "division_code"], name="epidemic_obs_worklist"),
            # A team's worklist.
            models.Index(fields=["team", "status", "planned_end_date"], name="epidemic_obs_team"),
            models.Index(fields=["person", "status"], name="epidemic_obs_person"),
        ]

    def __str__(self) -> str:
        return f"{self.get_place_display()} · {self.person.name}"

    @property
    def last_check(self) -> tuple[datetime.date, str] | None:
        return None if self.last_slot is None else slot_of_key(self.last_slot)


class MonitoringEntry(models.Model):
    """One health check of a person under observation: temperature and symptoms, morning or
    evening, recorded by the team or by the person. One per slot; `key` is the client's
    retry key (a phone that resends gets the first entry back, never a second)."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="entries")
    division_code = models.CharField(_("区划代码"), max_length=12)
    date = models.DateField(_("日期"))
    slot = models.CharField(_("时段"), max_length=2, choices=CheckSlot.choices)
    temperature = models.DecimalField(_("体温（℃）"), max_digits=3, decimal_places=1)
    symptoms = models.JSONField(_("症状"), default=list, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    by_self = models.BooleanField(_("本人填报"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))
    key = models.CharField(_("客户端重试键"), max_length=64, null=True, blank=True, unique=True)

    objects = MonitoringQuerySet.as_manager()

    class Meta:
        verbose_name = _("健康监测记录")
        verbose_name_plural = _("健康监测记录")
        ordering = ["observation", "-date", "-slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["observation", "date", "slot"], name="epidemic_monitoringentry_one_per_slot"
            ),
            models.CheckConstraint(
                condition=Q(temperature__gte=34, temperature__lte=43),
                name="epidemic_monitoringentry_temperature_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.observation_id} {self.date} {self.slot} {self.temperature}"


class LineListTotal(models.Model):
    """How many line-list events of one kind (`Measure`) happened in one division on one day,
    kept at every level (province … community) in the transaction of the event with the same
    UPSERT increments as the report totals (`live_totals`)."""

    division_code = models.CharField(_("区划代码"), max_length=12)
    level = models.PositiveSmallIntegerField(_("层级"))
    date = models.DateField(_("日期"))
    measure = models.CharField(_("指标"), max_length=24, choices=Measure.choices)
    count = models.IntegerField(_("数量"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("个案实时合计")
        verbose_name_plural = _("个案实时合计")
        constraints = [
            models.UniqueConstraint(
                fields=["division_code", "date", "measure"],
                name="epidemic_linelisttotal_unique_cell",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="epidemic_linelisttotal_level_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["level", "division_code", "date"], name="epidemic_lltotal_level"),
        ]

    def __str__(self) -> str:
        return f"{self.division_code} {self.date} {self.measure}={self.count}"
