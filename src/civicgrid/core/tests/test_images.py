"""Uploaded pictures are decoded, not trusted by name; limits hold; metadata does not survive."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from civicgrid.core import images
from civicgrid.core.images import check_image
from civicgrid.errands.tests.factories import jpeg_bytes, png_bytes

NOT_AN_IMAGE = "上传的文件不是有效的图片，请上传 JPEG、PNG 或 WebP 格式的图片"


def _refusal(data: bytes, field: str = "receipt") -> list[str]:
    with pytest.raises(ValidationError) as caught:
        check_image(data, field=field)
    return caught.value.message_dict[field]


def test_it_accepts_a_png_and_a_jpeg_with_their_sizes():
    png = check_image(png_bytes(4, 3), field="receipt")
    assert (png.content_type, png.width, png.height) == ("image/png", 4, 3)
    jpeg = check_image(jpeg_bytes(64, 48), field="receipt")
    assert (jpeg.content_type, jpeg.width, jpeg.height) == ("image/jpeg", 64, 48)


def test_it_strips_the_gps_position_a_phone_writes_into_a_photo():
    original = jpeg_bytes(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    stored = check_image(original, field="photo").data
    assert not Image.open(io.BytesIO(stored)).getexif()


def test_it_scales_down_to_a_width_only_when_asked():
    out = io.BytesIO()
    Image.new("RGB", (2400, 1200), (10, 120, 200)).save(out, "JPEG")
    scaled = check_image(out.getvalue(), field="image", max_width=1600)
    assert (scaled.width, scaled.height) == (1600, 800)
    with Image.open(io.BytesIO(scaled.data)) as stored:
        assert stored.size == (1600, 800)
    assert check_image(out.getvalue(), field="image").width == 2400


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4 a renamed pdf",
        b"<?php system($_GET['c']); ?>",
        png_bytes()[:40],  # truncated in the middle of the pixels
        b"\xff\xd8\xff\xe0 only a JPEG signature",
    ],
    ids=["pdf", "script", "truncated-png", "jpeg-signature-only"],
)
def test_it_refuses_what_is_not_an_image_naming_the_field(data):
    assert _refusal(data) == [NOT_AN_IMAGE]


def test_a_gif_is_refused_with_the_formats_that_are_taken():
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "GIF")
    assert _refusal(out.getvalue(), "image") == [NOT_AN_IMAGE]


def test_it_refuses_a_file_over_the_size_limit_saying_how_large_it_is():
    data = png_bytes() + b"\0" * images.MAX_UPLOAD_BYTES
    assert _refusal(data) == ["图片不能超过 5 MB（这张有 5.0 MB）"]


def test_a_huge_bitmap_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 100)
    assert _refusal(png_bytes(20, 20)) == ["图片尺寸过大（20×20 像素）"]


def test_it_refuses_an_empty_upload():
    assert _refusal(b"", "photo") == ["请上传图片"]
