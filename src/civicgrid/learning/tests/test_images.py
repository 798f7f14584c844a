"""Images for articles: a refused upload saves nothing, the page names the problem (the checks
themselves are core.images', tested in core/tests/test_images.py)."""

import pytest
from django.core.exceptions import ValidationError

from civicgrid.learning.actions import do_add_article_image
from civicgrid.learning.models import ArticleImage
from civicgrid.learning.tests import factories as f


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
    assert "上传的文件不是有效的图片" in response.content.decode()
    real = SimpleUploadedFile("photo.png", f.png_bytes(), content_type="image/png")
    assert client.post(url, {"image": real}).status_code == 302
    image = ArticleImage.objects.get()
    served = client.get(f"/learning/images/{image.key}/")
    assert served["Content-Type"] == "image/png" and served.content == bytes(image.data)
