"""Checking an uploaded receipt or drop-off photo without an imaging library.

Pillow is not a dependency, so a photo is recognised by its content, not its name or the
browser's content type: the JPEG, PNG or WebP signature, and the header that gives the image
its size, read far enough to know it is a picture (a renamed PDF or a truncated file is
refused). What is stored is exactly what was uploaded; nothing is re-encoded.
"""

import struct
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_SIDE = 20_000  # pixels; larger claims are a broken or hostile header

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
# JPEG start-of-frame markers carrying the size (not DHT C4, JPG C8 or DAC CC).
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


@dataclass(frozen=True)
class CheckedPhoto:
    content: bytes
    content_type: str
    width: int
    height: int


def check_photo(content: bytes, *, field: str) -> CheckedPhoto:
    """The photo if `content` is a JPEG, PNG or WebP image within the size limit; otherwise a
    ValidationError on `field` saying what is wrong, in Chinese."""
    if not content:
        raise ValidationError({field: _("请上传照片")})
    if len(content) > MAX_PHOTO_BYTES:
        raise ValidationError(
            {
                field: _("照片不能超过 %(mb)d MB（这张有 %(size).1f MB）")
                % {"mb": MAX_PHOTO_BYTES // (1024 * 1024), "size": len(content) / 1024 / 1024}
            }
        )
    for reader, content_type in ((_png, "image/png"), (_jpeg, "image/jpeg"), (_webp, "image/webp")):
        size = reader(content)
        if size is not None:
            width, height = size
            if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
                break
            return CheckedPhoto(content, content_type, width, height)
    raise ValidationError({field: _("上传的文件不是照片，请上传 JPG、PNG 或 WebP 格式的图片")})


def _png(data: bytes) -> tuple[int, int] | None:
    # Signature, then the IHDR chunk first: length 13, type, width, height.
    if not data.startswith(_PNG) or len(data) < 33 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg(data: bytes) -> tuple[int, int] | None:
    if not data.startswith(_JPEG):
        return None
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        if length < 2:
            return None
        if marker in _SOF_MARKERS:
            if position + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[position + 5 : position + 9])
            return width, height
        if marker == 0xDA:  # start of scan before any frame header: not a picture
            return None
        position += 2 + length
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None
