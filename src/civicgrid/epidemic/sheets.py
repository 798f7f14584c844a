"""Many units' reports in one sheet: columns 单位, 日期 and one per data element.

The whole sheet goes in one transaction through `do_save_report`, row by row: a single bad row
— an unknown or out-of-remit unit, a bad date, a bad figure, a broken rule — refuses the whole
file with every problem listed by row ("第 5 行：「新增确诊病例」不能为负数"), and nothing is
saved. A row for a report that exists corrects it (the sheet is the newer figures).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.core.spreadsheets import Column, read_table, write_report
from civicgrid.epidemic.actions import ReportConflict, do_save_report
from civicgrid.epidemic.models import DataElement, Report, ReportForm
from civicgrid.epidemic.remit import reporting_units_for

UNIT, DATE = "unit", "date"
MAX_ROWS = 5000


def columns(elements: list[DataElement]) -> list[Column]:
    return [
        Column(UNIT, _("单位"), ("单位", "填报单位", "单位名称")),
        Column(DATE, _("日期"), ("日期", "报告日期")),
        *(Column(e.code, e.name, (e.name, e.label, e.code), required=False) for e in elements),
    ]


def template(form: ReportForm, units: list[str], date: datetime.date) -> bytes:
    """An .xlsx to fill in: one row per unit for `date`, element columns empty."""
    elements = list(form.elements.filter(is_active=True))
    headers = [_("单位"), _("日期"), *(e.label for e in elements)]
    rows = [[name, date.isoformat(), *([""] * len(elements))] for name in units]
    return write_report(rows, headers, title=form.name)


def _parse_date(text: str) -> datetime.date | None:
    text = text.strip().replace("/", "-").replace(".", "-")
    text = text.split(" ")[0]
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass
class SheetResult:
    created: int
    corrected: int
    warnings: list[str]


def do_import_report_sheet(
    actor: Any, *, form: ReportForm, data: bytes, filename: str
) -> SheetResult:
    """Submit (or correct) every row of the sheet, or none; ValidationError lists the rows."""
    elements = list(form.elements.filter(is_active=True))
    table = read_table(data, filename, columns(elements))  # SpreadsheetError: the file itself
    if len(table.records) > MAX_ROWS:
        raise ValidationError(_("一次最多导入 %(n)d 行") % {"n": MAX_ROWS})
    units: dict[str, list[Any]] = {}
    for unit in reporting_units_for(actor, form):
        units.setdefault(unit.name, []).append(unit)
    problems: list[str] = []
    result = SheetResult(0, 0, [])
    with transaction.atomic():
        for record in table.records:
            row = _("第 %(n)d 行") % {"n": record.number}
            found = units.get(record[UNIT].strip(), [])
            date = _parse_date(record[DATE])
            if len(found) != 1:
                problems.append(f"{row}：" + _("“%(u)s”不是您可以填报的单位") % {"u": record[UNIT]})
                continue
            if date is None:
                problems.append(
                    f"{row}：" + _("日期“%(d)s”无法识别，请写成 2020-02-11") % {"d": record[DATE]}
                )
                continue
            current = Report.objects.filter(form=form, unit=found[0], date=date).first()
            try:
                with transaction.atomic():
                    saved = do_save_report(
                        actor,
                        form=form,
                        unit=found[0],
                        date=date,
                        values={e.code: record[e.code] for e in elements},
                        submit=True,
                        expected_version=current.version if current else 0,
                        note=_("表格导入"),
                    )
            except ValidationError as exc:
                problems += [f"{row}：{m}" for m in exc.messages]
            except ReportConflict as exc:
                problems.append(f"{row}：{exc.message}")
            else:
                result.created += saved.created
                result.corrected += not saved.created
                result.warnings += [f"{row}：{w}" for w in saved.warnings]
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise ValidationError(problems)
    return result
