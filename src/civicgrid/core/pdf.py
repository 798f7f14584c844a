"""What every PDF the platform draws shares: the Chinese font.

reportlab's built-in CID font STSong-Light is supplied by every PDF reader, so nothing is
embedded and the files stay small; it is registered once per process, on first use.
"""

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

CHINESE_FONT = "STSong-Light"


def chinese_font() -> str:
    """The registered font's name, for `setFont` and paragraph styles."""
    if CHINESE_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CHINESE_FONT))
    return CHINESE_FONT
