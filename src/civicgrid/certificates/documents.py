"""What a certificate looks like outside the database: its QR code (SVG for pages) and its
printable A4 PDF.

The PDF is drawn with reportlab's built-in CID font STSong-Light, which every PDF reader
supplies for Chinese text (nothing embedded, a few kilobytes), as the community posters are;
their drawing helpers are private to `community`, so the two small ones needed are here. The
QR code is drawn as vector squares from segno's matrix, sharp at any printer resolution.
"""

import io
from functools import lru_cache

import segno
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from civicgrid.certificates import signing
from civicgrid.certificates.models import Certificate
from civicgrid.core.pdf import CHINESE_FONT, chinese_font

QR_SIZE = 62 * mm
LINE = 7.5 * mm


def code_of(certificate: Certificate) -> str:
    return signing.code_of(certificate.payload, certificate.signature)


def qr_content(certificate: Certificate, request: HttpRequest) -> str:
    """The verification URL ending in the certificate's signed `CGC1.` string."""
    return request.build_absolute_uri(
        reverse("certificates:verify_link", args=[code_of(certificate)])
    )


@lru_cache(maxsize=512)
def _qr(content: str) -> segno.QRCode:
    """Memoised per process: choosing the best of the eight masks is most of the cost (about
    0.2 s in pure Python for a version-26 code), and a certificate's code never changes."""
    return segno.make(content, error="m", micro=False)


@lru_cache(maxsize=512)
def qr_svg(content: str) -> str:
    return _qr(content).svg_inline(scale=3, border=4)


def _wrapped(text: str, width: float, size: float) -> list[str]:
    """Lines of `text` no wider than `width` at `size` (Chinese wraps between any characters)."""
    lines, current = [], ""
    for char in text:
        if pdfmetrics.stringWidth(current + char, CHINESE_FONT, size) > width:
            lines.append(current)
            current = char
        else:
            current += char
    return [*lines, current] if current else lines


def _draw_qr(pdf: canvas.Canvas, content: str, x: float, y: float, size: float) -> None:
    """The code as filled rectangles, one per horizontal run of dark modules (a version-27
    code has ~7,000 dark modules but ~2,500 runs: a third of the drawing and of the file)."""
    rows = [list(row) for row in _qr(content).matrix_iter(border=4)]
    cell = size / len(rows)
    pdf.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * cell
        start = None
        for c, dark in enumerate([*row, False]):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                pdf.rect(x + start * cell, top, (c - start) * cell, cell, stroke=0, fill=1)
                start = None


def certificate_pdf(certificate: Certificate, qr: str) -> bytes:
    """One A4 page: title, number, holder, the type's fields, issuer, dates and the QR code."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(f"{certificate.type.name} {certificate.number}")
    width, height = A4
    font = chinese_font()
    pdf.setFont(font, 26)
    pdf.drawCentredString(width / 2, height - 32 * mm, certificate.type.name)
    pdf.setFont(font, 11)
    pdf.drawCentredString(width / 2, height - 41 * mm, _("编号：%s") % certificate.number)
    rows: list[tuple[str, str]] = [
        (_("持证主体"), certificate.subject_name),
        (_("证件号码"), certificate.subject_number_masked),
        *certificate.labelled_fields(),
        (_("发证机构"), certificate.issuer.name),
        (_("签发日期"), timezone.localtime(certificate.issued_at).date().isoformat()),
        (
            _("有效期"),
            f"{certificate.valid_from.isoformat()} — "
            + (certificate.expires_on.isoformat() if certificate.expires_on else _("长期")),
        ),
    ]
    y = height - 58 * mm
    label_x, value_x, right = 22 * mm, 62 * mm, width - 22 * mm
    for label, value in rows:
        pdf.setFont(font, 12)
        pdf.drawString(label_x, y, label)
        for line in _wrapped(str(value), right - value_x, 12) or [""]:
            pdf.drawString(value_x, y, line)
            y -= LINE
        y -= 1.5 * mm
    qr_y = max(28 * mm, min(y - QR_SIZE - 4 * mm, 90 * mm))
    _draw_qr(pdf, qr, (width - QR_SIZE) / 2, qr_y, QR_SIZE)
    pdf.setFont(font, 9)
    notes = [
        _("本证照由 CivicGrid 以 Ed25519 电子签名签发（密钥 %s），与纸质证照具有同等效力。")
        % certificate.key_id,
        _("扫描二维码在线核验（可查是否撤销），或用公布的公钥离线核验。"),
    ]
    for offset, note in enumerate(notes):
        pdf.drawCentredString(width / 2, qr_y - (7 + 5 * offset) * mm, note)
    if certificate.revoked_at is not None:
        pdf.setFont(font, 40)
        pdf.setFillColorRGB(0.8, 0, 0)
        pdf.drawCentredString(width / 2, height / 2, _("已撤销"))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
