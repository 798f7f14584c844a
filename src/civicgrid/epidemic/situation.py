"""The one-click daily situation report (疫情日报) of a division, as a PDF.

A4 landscape, reportlab's built-in CID font STSong-Light (every PDF reader supplies it, so
nothing is embedded): the day's completeness, the day's figures of the division, the same by
sub-division (by unit below a county), the last seven days of each new-count element, and
the line lists' live figures of the day by sub-division. The
figures are the live statistics (`selectors`), so the report is current when it is made.
"""

import datetime
import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from civicgrid.core.pdf import chinese_font
from civicgrid.epidemic import selectors
from civicgrid.epidemic.choices import ElementKind
from civicgrid.epidemic.line_list_stats import line_list_statistics
from civicgrid.epidemic.models import ReportForm
from civicgrid.regions.models import Division


def _table(rows: list[list[object]], widths: list[float] | None = None) -> Table:
    table = Table(
        [[str(c) for c in row] for row in rows], colWidths=widths, repeatRows=1, hAlign="LEFT"
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), chinese_font(), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#c8d1dc")),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def situation_pdf(form: ReportForm, within: Division, date: datetime.date) -> bytes:
    font = chinese_font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15)
    stats = selectors.statistics(form, within, date, date)
    done = selectors.completeness(form, within, date)
    week = date - datetime.timedelta(days=6)
    new = [e for e in stats.elements if e.kind == ElementKind.NEW]
    heads = [e.name for e in stats.elements]
    story = [
        Paragraph(
            _("%(place)s疫情日报 · %(form)s（%(date)s）")
            % {"place": within.name, "form": form.name, "date": f"{date:%Y年%m月%d日}"},
            title,
        ),
        Paragraph(
            _("应报单位 %(e)d 个，已报 %(r)d 个（按时 %(t)d 个），未报 %(m)d 个。")
            % {
                "e": done.total.expected,
                "r": done.total.reported,
                "t": done.total.on_time,
                "m": done.missing_count,
            }
            + (_("累计和现有类指标只含已上报的单位。") if done.missing_count else ""),
            body,
        ),
        Spacer(0, 4 * mm),
        _table([[_("指标"), *heads], [within.name, *stats.total.cells]]),
        Spacer(0, 5 * mm),
        Paragraph(_("分区划情况") if within.level <= 3 else _("各单位情况"), body),
        _table([[_("区划或单位"), *heads], *([r.label, *r.cells] for r in stats.rows)]),
    ]
    if new:
        trends = [selectors.trend(form, within, e, week, date) for e in new]
        story += [
            Spacer(0, 5 * mm),
            Paragraph(_("近七日新增"), body),
            _table(
                [
                    [_("指标"), *(f"{d:%m-%d}" for d in trends[0].dates)],
                    *([t.element.name, *t.values] for t in trends),
                ]
            ),
        ]
    cases = line_list_statistics(within, date, date)
    case_heads = [str(c.name) for c in cases.columns]
    story += [
        Spacer(0, 5 * mm),
        Paragraph(_("个案实时数（病例、密切接触者、医学观察，按录入即时汇总）"), body),
        _table(
            [
                [_("区划"), *case_heads],
                *([r.label, *r.cells] for r in cases.rows),
                [cases.total.label, *cases.total.cells],
            ]
        ),
    ]
    story += [
        Spacer(0, 5 * mm),
        Paragraph(
            _("生成于 %(when)s；数据为各单位上报后实时汇总，非最终核定数。")
            % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
            body,
        ),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"{within.name}{form.name}{date:%Y%m%d}",
    )
    doc.build(story)
    return buffer.getvalue()
