"""The printable A4 poster of a gate: community and gate name, the QR code, instructions.

Drawn with reportlab's built-in CID font STSong-Light, which every PDF reader supplies for
Chinese text, so nothing is embedded and the file stays a few kilobytes. The QR code is drawn
as vector squares from segno's matrix: sharp at any printer resolution.
"""

import io

import segno
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from civicgrid.core.pdf import chinese_font

QR_SIZE = 120 * mm


def _centered(pdf: canvas.Canvas, text: str, y: float, size: float) -> None:
    pdf.setFont(chinese_font(), size)
    pdf.drawCentredString(A4[0] / 2, y, text)


def _draw_qr(pdf: canvas.Canvas, url: str, x: float, y: float, size: float) -> None:
    qr = segno.make(url, error="m", micro=False)
    rows = [list(row) for row in qr.matrix_iter(border=4)]
    cell = size / len(rows)
    pdf.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + c * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)


def poster_pdf(*, place: str, community: str, gate: str, url: str, version: int) -> bytes:
    """One A4 page. `place` is the township and county above the community."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{community} {gate}")
    width, height = A4
    _centered(pdf, place, height - 28 * mm, 14)
    _centered(pdf, community, height - 45 * mm, 30)
    _centered(pdf, _("%(gate)s · 出入扫码登记") % {"gate": gate}, height - 62 * mm, 22)
    _draw_qr(pdf, url, (width - QR_SIZE) / 2, height - 70 * mm - QR_SIZE, QR_SIZE)
    steps = [
        _("1. 用手机相机或微信扫描上方二维码"),
        _("2. 居民首次使用时用手机号和短信验证码登录，以后无需再登录"),
        _("3. 点击“出”或“进”，把结果页出示给门岗查看"),
        _("4. 访客请填写姓名、手机号、来访事由和拜访对象"),
        _("没有手机的居民请到门岗登记。"),
    ]
    y = height - 78 * mm - QR_SIZE
    for step in steps:
        pdf.setFont(chinese_font(), 14)
        pdf.drawString(30 * mm, y, step)
        y -= 9 * mm
    pdf.setFont(chinese_font(), 8)
    pdf.drawString(
        20 * mm,
        15 * mm,
        _("二维码第 %(v)d 版，由 CivicGrid 签发，%(d)s 打印。出入记录保存期满后自动删除。")
        % {"v": version, "d": timezone.localdate().isoformat()},
    )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def qr_svg(url: str) -> str:
    """The QR code as inline SVG for a page (the gate tablet)."""
    return segno.make(url, error="m", micro=False).svg_inline(scale=8, border=4)
