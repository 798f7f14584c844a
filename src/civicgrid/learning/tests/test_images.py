"""Images for articles: decoded, not trusted by name; size limits; metadata removed."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from civicgrid.learning import images
from civicgrid.learning.actions import do_add_article_image
from civicgrid.learning.models import ArticleImage
from civicgrid.learning.tests import factories as f


def test_a_png_is_accepted_and_re_encoded():
    checked = images.check_image(f.png_bytes((40, 30)))
    assert (checked.content_type, checked.width, checked.height) == ("image/png", 40, 30)


def test_a_text_file_named_like_an_image_is_refused():
    with pytest.raises(ValidationError) as caught:
        images.check_image(b"<?php system($_GET['c']); ?>")
    assert caught.value.message_dict["image"] == ["文件不是有效的图片，或图片已损坏"]


def test_a_truncated_image_is_refused():
    with pytest.raises(ValidationError):
        images.check_image(f.png_bytes((300, 300))[:200])


def test_a_gif_is_refused_with_the_formats_that_are_taken():
    with pytest.raises(ValidationError) as caught:
        images.check_image(f.png_bytes(fmt="GIF"))
    assert "JPEG、PNG 或 WebP" in caught.value.message_dict["image"][0]


def test_a_file_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(ValidationError) as caught:
        images.check_image(f.png_bytes((200, 200)))
    assert "图片太大" in caught.value.message_dict["image"][0]


def test_a_huge_bitmap_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 100)
    with pytest.raises(ValidationError) as caught:
        images.check_image(f.png_bytes((20, 20)))
    assert "尺寸过大" in caught.value.message_dict["image"][0]


def test_a_photo_loses_its_metadata_and_is_scaled_to_the_page():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {2: (39.0, 54.0, 0.0)}  # a GPS latitude
    out = io.BytesIO()
    Image.new("RGB", (2400, 1200), (10, 120, 200)).save(out, "JPEG", exif=exif)
    checked = images.check_image(out.getvalue())
    with Image.open(io.BytesIO(checked.data)) as stored:
        assert stored.size == (images.MAX_WIDTH, 800)
        assert not stored.getexif()


@pytest.mark.django_db
def test_a_refused_upload_saves_nothing(personas):
    draft = f.article(personas.county_a_officer, publish=False)
    with pytest.raises(ValidationError):
        do_add_article_image(personas.county_a_officer, article=draft, data=b"%PDF-1.4")
    assert not ArticleImage.objects.exists()


@pytest.mark.django_db
def test_the_upload_page_names_the_problem(personas, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft = f.article(personas.county_a_officer, publish=False)
    client.force_login(personas.county_a_officer)
    url = f"/learning/manage/articles/{draft.pk}/images/"
    fake = SimpleUploadedFile("photo.jpg", b"not an image", content_type="image/jpeg")
    response = client.post(url, {"image": fake})
    assert response.status_code == 200
    assert "文件不是有效的图片" in response.content.decode()
    real = SimpleUploadedFile("photo.png", f.png_bytes(), content_type="image/png")
    assert client.post(url, {"image": real}).status_code == 302
    image = ArticleImage.objects.get()
    served = client.get(f"/learning/images/{image.key}/")
    assert served["Content-Type"] == "image/png" and served.content == bytes(image.data)
