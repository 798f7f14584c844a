"""Receipt and drop-off photos are decoded, not trusted by name; metadata does not survive."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from civicgrid.errands.photos import MAX_PHOTO_BYTES, check_photo
from civicgrid.errands.tests.factories import jpeg_bytes, png_bytes


def test_it_accepts_a_png_and_a_jpeg_with_their_sizes():
    png = check_photo(png_bytes(4, 3), field="receipt")
    assert (png.content_type, png.width, png.height) == ("image/png", 4, 3)
    jpeg = check_photo(jpeg_bytes(64, 48), field="receipt")
    assert (jpeg.content_type, jpeg.width, jpeg.height) == ("image/jpeg", 64, 48)


def test_it_strips_the_gps_position_a_phone_writes_into_a_photo():
    original = jpeg_bytes(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    stored = check_photo(original, field="photo").content
    assert not Image.open(io.BytesIO(stored)).getexif()


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4 a renamed pdf",
        b"plain text, named receipt.jpg",
        png_bytes()[:40],  # truncated in the middle of the pixels
        b"\xff\xd8\xff\xe0 only a JPEG signature",
    ],
    ids=["pdf", "text", "truncated-png", "jpeg-signature-only"],
)
def test_it_refuses_what_is_not_a_photo_naming_the_field(content):
    with pytest.raises(ValidationError) as caught:
        check_photo(content, field="receipt")
    assert caught.value.message_dict == {
        "receipt": ["上传的文件不是照片，请上传 JPG、PNG 或 WebP 格式的图片"]
    }


def test_it_refuses_a_photo_over_the_size_limit_saying_how_large_it_is():
    content = png_bytes() + b"\0" * MAX_PHOTO_BYTES
    with pytest.raises(ValidationError) as caught:
        check_photo(content, field="receipt")
    assert caught.value.message_dict["receipt"] == ["照片不能超过 5 MB（这张有 5.0 MB）"]


def test_it_refuses_an_empty_upload():
    with pytest.raises(ValidationError) as caught:
        check_photo(b"", field="photo")
    assert caught.value.message_dict == {"photo": ["请上传照片"]}
