"""Pictures people upload (article images, receipts, drop-off photos): decoded, not trusted.

An upload is accepted only when Pillow decodes every pixel of it as a JPEG, PNG or WebP within
`MAX_UPLOAD_BYTES` and `MAX_PIXELS` (a small file can decode to a huge bitmap): a renamed PDF,
a script, a truncated file or a decompression bomb is refused with a Chinese message naming the
field. What is stored is re-encoded from the decoded pixels, upright per its EXIF orientation
and without metadata — a phone writes the GPS position of where a picture was taken into it,
and that is nobody else's business — and, when the caller asks, scaled down to a width.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo; more is a bomb, not a picture
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True)
class CheckedImage:
    data: bytes  # re-encoded, without metadata
    content_type: str
    width: int
    height: int


def check_image(data: bytes, *, field: str, max_width: int | None = None) -> CheckedImage:
    """The upload, decoded and re-encoded (scaled down to `max_width` if wider); otherwise a
    ValidationError on `field` saying what is wrong."""
    if not data:
        raise ValidationError({field: _("请上传图片")})
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                field: _("图片不能超过 %(mb)d MB（这张有 %(size).1f MB）")
                % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024), "size": len(data) / 1024 / 1024}
            }
        )
    not_an_image = ValidationError(
        {field: _("上传的文件不是有效的图片，请上传 JPEG、PNG 或 WebP 格式的图片")}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ValidationError(
                        {
                            field: _("图片尺寸过大（%(w)d×%(h)d 像素）")
                            % {"w": image.width, "h": image.height}
                        }
                    )
                fmt = image.format or ""
                image.load()  # decodes every pixel: a truncated or forged file fails here
                upright = ImageOps.exif_transpose(image)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        raise not_an_image from None
    if max_width and upright.width > max_width:
        upright = upright.resize((max_width, round(upright.height * max_width / upright.width)))
    return _encode(upright, fmt)


def _encode(image: Image.Image, fmt: str) -> CheckedImage:
    """Re-encode in the format it came in; nothing but the pixels is carried over."""
    output = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(output, "JPEG", quality=85, optimize=True)
    elif fmt == "WEBP":
        image.save(output, "WEBP", quality=85)
    else:
        image.save(output, "PNG", optimize=True)
    return CheckedImage(output.getvalue(), FORMATS[fmt], image.width, image.height)
