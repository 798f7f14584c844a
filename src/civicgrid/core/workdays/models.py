"""Days and years of the official calendar that administrators enter.

The `chinese_calendar` package knows the years the State Council had announced when it was
released. A later year is entered here: its `CalendarYear` row says "this year's announcement is
complete" (so no warning is given for its dates) and its `CalendarDay` rows list the holidays and
the make-up working days. A `CalendarDay` also overrides the package for a year it knows (a
correction, or a local day off).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.workdays.choices import DayKind


class CalendarYear(models.Model):
    """A year whose official arrangement has been entered by an administrator."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("依据（通知文号）"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("已录入年度")
        verbose_name_plural = _("已录入年度")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2099),
                name="workdays_calendaryear_year_in_range",
                violation_error_message=_("年份须在 2000 至 2099 之间。"),
            )
        ]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One date declared a holiday or a make-up working day; it overrides everything else."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("名称"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()
