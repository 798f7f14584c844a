"""Read side shared by the pages and the API: statistics, trends, completeness, approvals.

Levels 1–3 (province, city, county) read the live totals (`ElementTotal`, `ReportTally`), one
index range per query; below a county — a township's units — the reports themselves are few
enough to read directly. A division's own units (a county's CDC, a city hospital) belong to no
child division: their share is the row "本级直属单位" = the division's total less its children's.

Figures over a date range: a new-count element (`ElementKind.NEW`) is summed over the days; a
cumulative one (`ElementKind.CUMULATIVE`, as units report it) is read on the last day.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from civicgrid.core import division_codes
from civicgrid.core.scoping import jurisdiction_q
from civicgrid.epidemic.choices import ElementKind, ReportStatus
from civicgrid.epidemic.models import DataElement, ElementTotal, Report, ReportForm, ReportTally
from civicgrid.epidemic.remit import form_units
from civicgrid.regions.models import Division

TOTALS_LEVELS = (1, 2, 3)  # levels whose children are read from the live totals
MAX_RANGE_DAYS = 366


def _number(hundredths: int | None) -> Decimal:
    value = Decimal(hundredths or 0) / 100
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


@dataclass
class StatRow:
    label: str
    code: str = ""  # significant code of a child division, to drill into
    values: dict[str, Decimal] = field(default_factory=dict)
    drillable: bool = False
    cells: list[Decimal] = field(default_factory=list)  # values in the order of the elements


@dataclass
class Statistics:
    form: ReportForm
    within: Division
    start: datetime.date
    end: datetime.date
    elements: list[DataElement]
    rows: list[StatRow]
    total: StatRow
    unreported_on_end: int = 0  # units without a counted report on the last day


def _children(within: Division) -> list[Division]:
    return list(Division.objects.filter(parent=within).order_by("code"))


def _range_filter(elements: list[DataElement], start: datetime.date, end: datetime.date) -> Q:
    new = [e.pk for e in elements if e.kind == ElementKind.NEW]
    cumulative = [e.pk for e in elements if e.kind == ElementKind.CUMULATIVE]
    return Q(element_id__in=new, date__gte=start, date__lte=end) | Q(
        element_id__in=cumulative, date=end
    )


def statistics(
    form: ReportForm,
    within: Division,
    start: datetime.date,
    end: datetime.date,
    *,
    by_community: bool = False,
) -> Statistics:
    """Figures per child division (or per unit below a county) and the total of `within`.

    `by_community`: one row per village or community with figures (level 5) instead, e.g. a
    county by community; still one index range on the totals."""
    elements = list(form.elements.filter(is_active=True))
    codes = {e.pk: e.code for e in elements}
    totals = (
        ElementTotal.objects.filter(_range_filter(elements, start, end), form=form)
        .order_by()
        .values("division_code", "element_id")
        .annotate(value=Sum("hundredths"))
    )
    if within.level in TOTALS_LEVELS:
        level = max(division_codes.LEVEL_DIGITS) if by_community else within.level + 1
        # Two look-ups rather than `level IN (within's, the rows')`: with the IN, SQLite's
        # planner reads the subtree through the unique index's code range instead, the whole
        # province for the province (6-10 s on the province-scale set against 3 ms).
        cells = [
            *totals.filter(division_code=within.code, level=within.level),
            *totals.filter(jurisdiction_q([within.code]), level=level),
        ]
        by_code: dict[str, dict[str, Decimal]] = defaultdict(dict)
        for cell in cells:
            by_code[cell["division_code"]][codes[cell["element_id"]]] = _number(cell["value"])
        total = StatRow(_("合计：%(name)s") % {"name": within.name}, values=by_code[within.code])
        areas = (
            Division.objects.filter(code__in=[c for c in by_code if c != within.code])
            if by_community
            else _children(within)
        )
        rows = [
            StatRow(area.name, area.short_code, by_code.get(area.code, {}), True)
            for area in sorted(areas, key=lambda a: a.code)
        ]
        direct = {
            c: total.values.get(c, Decimal(0)) - sum((r.values.get(c, 0) for r in rows), Decimal(0))
            for c in codes.values()
        }
        if any(direct.values()):
            rest = _("不在村（社区）的单位") if by_community else _("本级直属单位")
            rows.append(StatRow(rest, values=direct))
    else:
        rows = _unit_rows(form, within, elements, start, end)
        total = StatRow(
            _("合计：%(name)s") % {"name": within.name},
            values={
                e.code: sum((r.values.get(e.code, Decimal(0)) for r in rows), Decimal(0))
                for e in elements
            },
        )
    for row in [*rows, total]:
        row.cells = [row.values.get(e.code, Decimal(0)) for e in elements]
    tally = ReportTally.objects.filter(form=form, division_code=within.code, date=end).first()
    expected = form_units(form).filter(jurisdiction_q([within.code])).count()
    unreported = max(expected - (tally.reports if tally else 0), 0)
    return Statistics(form, within, start, end, elements, rows, total, unreported)


def _unit_rows(
    form: ReportForm,
    within: Division,
    elements: list[DataElement],
    start: datetime.date,
    end: datetime.date,
) -> list[StatRow]:
    units = {u.pk: StatRow(u.name) for u in form_units(form).filter(jurisdiction_q([within.code]))}
    reports = (
        Report.objects.counted()
        .filter(jurisdiction_q([within.code]), form=form, date__gte=start, date__lte=end)
        .values_list("unit_id", "date", "values")
    )
    for unit_id, date, values in reports:
        row = units.get(unit_id)
        if row is None:  # a unit switched off since it reported: still counted in the totals
            continue
        for e in elements:
            if e.code in values and (e.kind == ElementKind.NEW or date == end):
                row.values[e.code] = row.values.get(e.code, Decimal(0)) + Decimal(values[e.code])
    return sorted(units.values(), key=lambda r: r.label)


def statistics_sheet(report: Statistics) -> tuple[list[str], list[list[object]]]:
    headers = [_("区划或单位"), _("区划代码")] + [e.label for e in report.elements]
    rows: list[list[object]] = [[r.label, r.code, *r.cells] for r in [*report.rows, report.total]]
    return headers, rows


# --- trends ----------------------------------------------------------------------------------


@dataclass
class Trend:
    element: DataElement
    dates: list[datetime.date]
    values: list[Decimal]


def trend(
    form: ReportForm,
    within: Division,
    element: DataElement,
    start: datetime.date,
    end: datetime.date,
) -> Trend:
    """One element of `within` by day: one index range (form, division, date)."""
    found = dict(
        ElementTotal.objects.filter(
            form=form, division_code=within.code, element=element, date__gte=start, date__lte=end
        ).values_list("date", "hundredths")
    )
    dates = [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]
    return Trend(element, dates, [_number(found.get(d)) for d in dates])


# --- completeness and timeliness -------------------------------------------------------------


@dataclass
class CompletenessRow:
    label: str
    expected: int
    reported: int
    on_time: int
    code: str = ""
    drillable: bool = False

    @property
    def percent(self) -> float | None:
        return round(100 * self.reported / self.expected, 1) if self.expected else None

    @property
    def missing(self) -> int:
        return max(self.expected - self.reported, 0)


@dataclass
class UnitStatus:
    unit_id: int
    name: str
    division_code: str
    status: str  # a ReportStatus value, or "" when nothing is counted yet
    submitted_at: datetime.datetime | None
    on_time: bool | None
    report_id: int | None

    @property
    def status_label(self) -> str:
        return str(ReportStatus(self.status).label) if self.status else ""


@dataclass
class Completeness:
    form: ReportForm
    within: Division
    date: datetime.date
    rows: list[CompletenessRow]
    total: CompletenessRow
    missing_units: list[UnitStatus]
    missing_count: int


MISSING_SHOWN = 200


def completeness(form: ReportForm, within: Division, date: datetime.date) -> Completeness:
    """Units expected, reported and on time per child division; the units still missing."""
    units = form_units(form).filter(jurisdiction_q([within.code]))
    leaf = within.level >= max(division_codes.LEVEL_DIGITS)
    child_digits = division_codes.LEVEL_DIGITS[within.level if leaf else within.level + 1]
    expected = dict(
        units.annotate(area=Substr("division_code", 1, child_digits))
        .order_by()
        .values("area")
        .annotate(n=Count("pk"))
        .values_list("area", "n")
    )
    tallies = {
        row["division_code"]: (row["reports"], row["on_time"])
        for row in ReportTally.objects.filter(
            jurisdiction_q([within.code]), form=form, date=date, level__lte=within.level + 1
        ).values("division_code", "reports", "on_time")
    }
    own = tallies.get(within.code, (0, 0))
    total = CompletenessRow(
        _("合计：%(name)s") % {"name": within.name}, sum(expected.values()), own[0], own[1]
    )
    rows = []
    if not leaf:
        for child in _children(within):
            done = tallies.get(child.code, (0, 0))
            rows.append(
                CompletenessRow(
                    child.name,
                    expected.get(child.code[:child_digits], 0),
                    *done,
                    code=child.short_code,
                    drillable=True,
                )
            )
        direct_expected = expected.get(within.code[:child_digits], 0)
        if direct_expected:
            reported = total.reported - sum(r.reported for r in rows)
            on_time = total.on_time - sum(r.on_time for r in rows)
            rows.append(CompletenessRow(_("本级直属单位"), direct_expected, reported, on_time))
    counted = Report.objects.counted().filter(form=form, date=date).values("unit_id")
    missing = units.exclude(pk__in=counted).order_by("division_code", "name")
    missing_units = [
        UnitStatus(u.pk, u.name, u.division_code, "", None, None, None)
        for u in missing[:MISSING_SHOWN]
    ]
    return Completeness(form, within, date, rows, total, missing_units, missing.count())


def unit_statuses(form: ReportForm, within: Division, date: datetime.date) -> list[UnitStatus]:
    """Every unit of `within` with its report's status on `date` (for a county and below)."""
    reports = {
        r.unit_id: r
        for r in Report.objects.filter(jurisdiction_q([within.code]), form=form, date=date)
    }
    result = []
    for unit in form_units(form).filter(jurisdiction_q([within.code])).order_by("division_code"):
        r = reports.get(unit.pk)
        result.append(
            UnitStatus(
                unit.pk,
                unit.name,
                unit.division_code,
                r.status if r else "",
                r.submitted_at if r else None,
                r.on_time if r else None,
                r.pk if r else None,
            )
        )
    return result


def completeness_sheet(report: Completeness) -> tuple[list[str], list[list[object]]]:
    headers = [
        _("区划"),
        _("区划代码"),
        _("应报单位"),
        _("已报单位"),
        _("按时上报"),
        _("未报单位"),
        _("上报率（%）"),
    ]
    rows: list[list[object]] = [
        [
            r.label,
            r.code,
            r.expected,
            r.reported,
            r.on_time,
            r.missing,
            r.percent if r.percent is not None else "",
        ]
        for r in [*report.rows, report.total]
    ]
    return headers, rows


# --- approvals -------------------------------------------------------------------------------


@dataclass
class ApprovalRow:
    division: Division
    counts: dict[str, int]

    @property
    def submitted(self) -> int:
        return self.counts.get(ReportStatus.SUBMITTED, 0)


def approval_rows(form: ReportForm, within: Division, date: datetime.date) -> list[ApprovalRow]:
    """Reports of `date` by status per child division of `within` (a county's own: itself)."""
    leaf = within.level >= 3
    areas = [within] if leaf else _children(within)
    digits = division_codes.LEVEL_DIGITS[within.level if leaf else within.level + 1]
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in (
        Report.objects.filter(jurisdiction_q([within.code]), form=form, date=date)
        .annotate(area=Substr("division_code", 1, digits))
        .order_by()
        .values("area", "status")
        .annotate(n=Count("pk"))
    ):
        counts[row["area"]][row["status"]] = row["n"]
    return [ApprovalRow(a, counts.get(a.code[:digits], {})) for a in areas]
