"""Daily aggregate reports, their revisions, and the days the province has locked."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import Organisation
from civicgrid.epidemic.choices import ReportStatus
from civicgrid.epidemic.models.forms import ReportForm
from civicgrid.epidemic.querysets import ReportQuerySet


class Report(models.Model):
    """One unit's figures of one form for one day: at most one per (form, unit, date).

    `values` maps element codes to numbers as decimal strings ("12", "3.50"): exact on every
    database. `version` grows by one with every write; a write names the version it read and
    fails when another write came first (optimistic locking, `actions.StaleReport`).
    `division_code` is the unit's division, copied so scoping and roll-ups need no join.
    """

    form = models.ForeignKey(ReportForm, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(
        Organisation, verbose_name=_("填报单位"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("区划代码"), max_length=12, editable=False)
    date = models.DateField(_("报告日期"))
    values = models.JSONField(_("数据"), default=dict)
    warnings = models.JSONField(_("校验提示"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    on_time = models.BooleanField(_("按时上报"), null=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("日报")
        verbose_name_plural = _("日报")
        ordering = ["-date", "division_code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "unit", "date"], name="epidemic_report_unique_unit_day"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="epidemic_report_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="epidemic_report_version_positive"
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="epidemic_report_counted_has_submitted_at",
            ),
        ]
        indexes = [
            # Completeness and the unit list of a day: a form's reports of a date in a subtree.
            models.Index(fields=["form", "date", "division_code"], name="epidemic_report_day"),
            # A township's units over some days: the subtree first, then the dates.
            models.Index(
                fields=["form", "division_code", "date"], name="epidemic_report_area_days"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form} · {self.unit} · {self.date:%Y-%m-%d}"

    @property
    def is_counted(self) -> bool:
        return self.status != ReportStatus.DRAFT


class ReportRevision(models.Model):
    """The report as one write left it: every save, submission and correction keeps one."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField(_("版本"))
    values = models.JSONField(_("数据"), default=dict)
    status = models.CharField(_("状态"), max_length=12, choices=ReportStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("日报修改记录")
        verbose_name_plural = _("日报修改记录")
        ordering = ["report", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "version"], name="epidemic_reportrevision_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} v{self.version}"


class DayLock(models.Model):
    """A day of a form the province has locked for its jurisdiction: nothing changes in it.

    Only the province reopens it (deleting this row), with a reason in the audit trail.
    """

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="locks")
    division_code = models.CharField(_("区划代码"), max_length=12)
    date = models.DateField(_("报告日期"))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked_at = models.DateTimeField(_("锁定时间"))

    class Meta:
        verbose_name = _("锁定日")
        verbose_name_plural = _("锁定日")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "division_code", "date"], name="epidemic_daylock_unique_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form} · {self.date:%Y-%m-%d}"


class ReportReminder(models.Model):
    """That a unit has been reminded of an overdue report: one reminder per unit and day."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("逾期提醒")
        verbose_name_plural = _("逾期提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "unit", "date"], name="epidemic_reportreminder_unique_unit_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} · {self.unit_id} · {self.date:%Y-%m-%d}"
