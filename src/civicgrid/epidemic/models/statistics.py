"""Live statistics: sums per division and day, kept in the same transaction as each report.

Every counted write of a report adds its change (new − old values) to one row per data element
for each division above the unit — province, city, county, township, community — with
`INSERT ... ON CONFLICT DO UPDATE SET hundredths = hundredths + excluded.hundredths`. The
increment happens inside the database, so concurrent submissions never lose one. Reading
"province by city" or "county by community" over some days is one index range: (form, level,
division_code, date) — the subtree first, so a county never scans the province's townships;
"a division by day" is (form, division_code, date).

Figures are stored in hundredths as integers: exact on SQLite and PostgreSQL alike, since
elements are integers or decimals with two places.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.scoping import ScopedQuerySet
from civicgrid.epidemic.models.forms import DataElement, ReportForm


class ElementTotal(models.Model):
    """The sum of one element over the counted reports of one division's units on one day."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="+")
    element = models.ForeignKey(DataElement, on_delete=models.CASCADE, related_name="+")
    division_code = models.CharField(_("区划代码"), max_length=12)
    level = models.PositiveSmallIntegerField(_("层级"))
    date = models.DateField(_("日期"))
    hundredths = models.BigIntegerField(_("合计（百分之一）"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标实时合计")
        verbose_name_plural = _("指标实时合计")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "division_code", "date", "element"],
                name="epidemic_elementtotal_unique_cell",
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="epidemic_elementtotal_level_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["form", "level", "division_code", "date"], name="epidemic_total_by_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division_code} {self.date} {self.element_id}={self.hundredths / 100}"


class ReportTally(models.Model):
    """How many units of one division have a counted report of a form on a day, and how many
    of those were on time: completeness down the hierarchy without counting reports."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="+")
    division_code = models.CharField(_("区划代码"), max_length=12)
    level = models.PositiveSmallIntegerField(_("层级"))
    date = models.DateField(_("日期"))
    reports = models.IntegerField(_("已上报单位数"), default=0)
    on_time = models.IntegerField(_("按时上报单位数"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("上报计数")
        verbose_name_plural = _("上报计数")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "division_code", "date"], name="epidemic_reporttally_unique_cell"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="epidemic_reporttally_level_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["form", "level", "division_code", "date"], name="epidemic_tally_by_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division_code} {self.date} {self.reports}"
