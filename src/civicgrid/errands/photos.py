"""Checking an uploaded receipt or drop-off photo: decoded, not trusted by name.

A photo is accepted when Pillow decodes it completely as a JPEG, PNG or WebP within the size
limits; a renamed PDF, a truncated file or a decompression bomb is refused with a Chinese
message naming the field. What is stored is re-encoded from the decoded pixels, upright and
without metadata: a phone's EXIF block carries the GPS position of where the picture was taken,
which is the volunteer's or the resident's whereabouts and nobody else's business.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo; more is a bomb, not a receipt
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CheckedPhoto:
    content: bytes
    content_type: str
    width: int
    height: int


def check_photo(content: bytes, *, field: str) -> CheckedPhoto:
    """The photo, cleaned, if `content` decodes as a JPEG, PNG or WebP image within the limits;
    otherwise a ValidationError on `field` saying what is wrong."""
    if not content:
        raise ValidationError({field: _("请上传照片")})
    if len(content) > MAX_PHOTO_BYTES:
        raise ValidationError(
            {
                field: _("照片不能超过 %(mb)d MB（这张有 %(size).1f MB）")
                % {"mb": MAX_PHOTO_BYTES // (1024 * 1024), "size": len(content) / 1024 / 1024}
            }
        )
    not_a_photo = ValidationError(
        {field: _("上传的文件不是照片，请上传 JPG、PNG 或 WebP 格式的图片")}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=list(FORMATS)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise not_a_photo
                fmt = image.format or ""
                image.load()  # decodes every pixel: a truncated or forged file fails here
                upright = ImageOps.exif_transpose(image)
                return _clean(upright, fmt)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise not_a_photo from None


def _clean(image: Image.Image, fmt: str) -> CheckedPhoto:
    """Re-encode without metadata, in the format it came in."""
    output = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(output, "JPEG", quality=85, optimize=True)
    elif fmt == "WEBP":
        image.save(output, "WEBP", quality=85)
    else:
        image.save(output, "PNG", optimize=True)
    return CheckedPhoto(output.getvalue(), FORMATS[fmt], image.width, image.height)
