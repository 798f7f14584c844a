"""Checking and re-encoding images uploaded for articles.

An upload is decoded with Pillow, not trusted by its name or declared type: a PDF or a script
renamed `.jpg` is refused. Only JPEG, PNG and WebP are taken, up to `MAX_UPLOAD_BYTES` and
`MAX_PIXELS` (a small file can still decode to a huge bitmap). The stored image is re-encoded:
turned upright per its EXIF orientation, scaled down to `MAX_WIDTH`, and written without its
metadata, so a phone photo's GPS position and camera serial never reach the readers.
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from civicgrid.core.spreadsheets import format_size

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_WIDTH = 1600
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    content_type: str
    width: int
    height: int


def check_image(data: bytes, *, field: str = "image") -> CheckedImage:
    """The upload, decoded and re-encoded; a ValidationError on `field` naming what is wrong."""
    if not data:
        raise ValidationError({field: _("请选择要上传的图片")})
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                field: _("图片太大（%(size)s），最大 %(max)s")
                % {"size": format_size(len(data)), "max": format_size(MAX_UPLOAD_BYTES)}
            }
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            if fmt not in FORMATS:
                raise ValidationError(
                    {
                        field: _("不支持的图片格式（%(fmt)s），请上传 JPEG、PNG 或 WebP 图片")
                        % {"fmt": fmt}
                    }
                )
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    {field: _("图片尺寸过大（%(w)d×%(h)d 像素）") % {"w": width, "h": height}}
                )
            probe.load()  # a truncated or corrupt file fails here, not later for a reader
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValidationError({field: _("文件不是有效的图片，或图片已损坏")}) from exc
    if image.width > MAX_WIDTH:
        image = image.resize((MAX_WIDTH, round(image.height * MAX_WIDTH / image.width)))
    return _encode(image, fmt)


def _encode(image: Image.Image, fmt: str) -> CheckedImage:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return CheckedImage(out.getvalue(), FORMATS[fmt], image.width, image.height)
