"""Live line-list figures for any division and date range, by sub-division, and by day.

Read from `LineListTotal` (kept in each case's, contact's and observation's own transaction):
one index range (level, division code, date) per table, like the report statistics. Figures:
"new" ones are the events inside the range, "cumulative" ones every event up to its end, and
"current" ones the difference of two cumulative counts (suspected now = suspected entered −
suspected reclassified, under observation = started − released).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Sum, When
from django.utils.translation import gettext_lazy as _

from civicgrid.core import division_codes
from civicgrid.core.scoping import jurisdiction_q
from civicgrid.epidemic.choices import Measure as M
from civicgrid.epidemic.models import LineListTotal
from civicgrid.regions.models import Division


@dataclass(frozen=True)
class Column:
    code: str
    name: object
    kind: str  # "new" (inside the range), "cumulative" or "current" (up to the end)
    plus: tuple[str, ...]
    minus: tuple[str, ...] = ()


COLUMNS = (
    Column("new_confirmed", _("新增确诊"), "new", (M.CONFIRMED,)),
    Column("cum_confirmed", _("累计确诊"), "cumulative", (M.CONFIRMED,)),
    Column("new_suspected", _("新增疑似"), "new", (M.SUSPECTED,)),
    Column("suspected_now", _("现有疑似"), "current", (M.SUSPECTED,), (M.SUSPECTED_CLOSED,)),
    Column("new_asymptomatic", _("新增无症状感染者"), "new", (M.ASYMPTOMATIC,)),
    Column(
        "asymptomatic_now",
        _("现有无症状感染者"),
        "current",
        (M.ASYMPTOMATIC,),
        (M.ASYMPTOMATIC_CLOSED,),
    ),
    Column("cum_recovered", _("累计治愈出院"), "cumulative", (M.RECOVERED,)),
    Column("cum_died", _("累计死亡"), "cumulative", (M.DIED,)),
    Column("new_contacts", _("新增密切接触者"), "new", (M.CONTACTS,)),
    Column(
        "under_observation",
        _("在观察人数"),
        "current",
        (M.OBSERVATION_STARTED,),
        (M.OBSERVATION_RELEASED,),
    ),
    Column("new_key_persons", _("新增重点人员"), "new", (M.KEY_PERSONS,)),
)
COLUMN_CODES = {c.code: c for c in COLUMNS}


@dataclass
class LineListRow:
    label: str
    code: str = ""
    values: dict[str, int] = field(default_factory=dict)
    drillable: bool = False

    @property
    def cells(self) -> list[int]:
        return [self.values.get(c.code, 0) for c in COLUMNS]


@dataclass
class LineListStatistics:
    within: Division
    start: datetime.date
    end: datetime.date
    columns: tuple[Column, ...]
    rows: list[LineListRow]
    total: LineListRow


def _figures(inside: dict[str, int], upto: dict[str, int]) -> dict[str, int]:
    values = {}
    for column in COLUMNS:
        source = inside if column.kind == "new" else upto
        values[column.code] = sum(source.get(m, 0) for m in column.plus) - sum(
            source.get(m, 0) for m in column.minus
        )
    return values


def line_list_statistics(
    within: Division, start: datetime.date, end: datetime.date
) -> LineListStatistics:
    """The figures of `within` and of each child division (two queries)."""
    child_level = min(within.level + 1, max(division_codes.LEVEL_DIGITS))
    sums = (
        LineListTotal.objects.filter(date__lte=end)
        .order_by()
        .values("division_code", "measure")
        .annotate(
            upto=Sum("count"),
            inside=Sum(
                Case(When(date__gte=start, then="count"), default=0, output_field=IntegerField())
            ),
        )
    )
    # Not `level IN (…)`: SQLite would read the subtree through the unique index instead
    # (see selectors.statistics).
    cells = list(sums.filter(division_code=within.code, level=within.level))
    if child_level != within.level:
        cells += sums.filter(jurisdiction_q([within.code]), level=child_level)
    inside: dict[str, dict[str, int]] = defaultdict(dict)
    upto: dict[str, dict[str, int]] = defaultdict(dict)
    for cell in cells:
        inside[cell["division_code"]][cell["measure"]] = cell["inside"] or 0
        upto[cell["division_code"]][cell["measure"]] = cell["upto"] or 0
    total = LineListRow(
        str(_("合计：%(name)s") % {"name": within.name}),
        within.short_code,
        _figures(inside[within.code], upto[within.code]),
    )
    rows = []
    if within.level < child_level:
        for child in Division.objects.filter(parent=within).order_by("code"):
            rows.append(
                LineListRow(
                    child.name,
                    child.short_code,
                    _figures(inside.get(child.code, {}), upto.get(child.code, {})),
                    drillable=True,
                )
            )
        direct = {
            c.code: total.values[c.code] - sum(r.values[c.code] for r in rows) for c in COLUMNS
        }
        if any(direct.values()):
            rows.append(LineListRow(str(_("区划未细分")), values=direct))
    return LineListStatistics(within, start, end, COLUMNS, rows, total)


def line_list_sheet(report: LineListStatistics) -> tuple[list[str], list[list[object]]]:
    headers = [str(_("区划")), str(_("区划代码"))] + [str(c.name) for c in report.columns]
    rows: list[list[object]] = [[r.label, r.code, *r.cells] for r in [*report.rows, report.total]]
    return headers, rows


@dataclass
class LineListTrend:
    column: Column
    dates: list[datetime.date]
    values: list[int]


def line_list_trend(
    within: Division, column: Column, start: datetime.date, end: datetime.date
) -> LineListTrend:
    """One column of `within` by day: new ones per day, cumulative and current ones as they
    stood at the end of each day (one index range on (level, division, date))."""
    measures = column.plus + column.minus
    rows = (
        LineListTotal.objects.filter(
            level=within.level, division_code=within.code, measure__in=measures, date__lte=end
        )
        .order_by()
        .values_list("date", "measure", "count")
    )
    by_day: dict[datetime.date, int] = defaultdict(int)
    before = 0
    for day, measure, count in rows:
        signed = count if measure in column.plus else -count
        if day < start:
            before += signed
        else:
            by_day[day] += signed
    dates = [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]
    if column.kind == "new":
        return LineListTrend(column, dates, [by_day.get(d, 0) for d in dates])
    values, running = [], before
    for d in dates:
        running += by_day.get(d, 0)
        values.append(running)
    return LineListTrend(column, dates, values)
