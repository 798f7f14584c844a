"""Articles: sanitised rich text, the publish/retract workflow, and who reads what."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.core.audit.models import AuditRecord
from civicgrid.learning import actions
from civicgrid.learning.choices import PublicationStatus
from civicgrid.learning.models import Article, ArticleRead
from civicgrid.learning.richtext import clean_body, image_url
from civicgrid.learning.tests import factories as f

pytestmark = pytest.mark.django_db


def draft_input(body: str, **fields) -> actions.ArticleInput:
    return actions.ArticleInput(
        **{
            "title": "标题",
            "topic": f.topic(),
            "body": body,
            "verified_by": "县疾控中心审核",
            **fields,
        }
    )


def test_the_sanitiser_keeps_formatting_and_drops_scripts_handlers_styles_and_outside_images():
    dirty = (
        '<h2 style="color:red" onclick="steal()">洗手</h2><script>alert(1)</script>'
        '<p>用<strong>肥皂</strong><img src="https://tracker.example/p.gif" onerror="x()"></p>'
        '<a href="javascript:alert(1)">点我</a><a href="https://www.nhc.gov.cn/">卫健委</a>'
        "<iframe src='https://x'></iframe><style>p{}</style>"
    )
    assert clean_body(dirty) == (
        '<h2>洗手</h2><p>用<strong>肥皂</strong></p><a rel="noopener noreferrer nofollow">点我</a>'
        '<a href="https://www.nhc.gov.cn/" rel="noopener noreferrer nofollow">卫健委</a>'
    )


def test_an_image_of_the_platform_stays_in_the_body(personas):
    draft = f.article(personas.county_a_officer, publish=False)
    image = actions.do_add_article_image(
        personas.county_a_officer, article=draft, data=f.png_bytes()
    )
    body = f'<p><img src="{image_url(image.key)}" alt="示意图" width="40"></p>'
    updated = actions.do_update_article(
        personas.county_a_officer, article=draft, data=draft_input(body)
    )
    assert updated.body == body


def test_it_refuses_an_image_uploaded_for_another_article(personas):
    other = f.article(personas.county_a_officer, publish=False)
    image = actions.do_add_article_image(
        personas.county_a_officer, article=other, data=f.png_bytes()
    )
    draft = f.article(personas.county_a_officer, publish=False, title="另一篇")
    with pytest.raises(ValidationError) as caught:
        actions.do_update_article(
            personas.county_a_officer,
            article=draft,
            data=draft_input(f'<img src="{image_url(image.key)}">'),
        )
    assert "不属于本文" in caught.value.message_dict["body"][0]


def test_publishing_needs_a_body_and_a_verified_by_line(personas):
    draft = actions.do_create_article(
        personas.cdc_a,
        division_code="131128",
        data=draft_input("<p> </p>", verified_by=""),
    )
    with pytest.raises(ValidationError) as caught:
        actions.do_publish_article(personas.cdc_a, article=draft)
    assert set(caught.value.message_dict) == {"body", "verified_by"}
    draft.refresh_from_db()
    assert draft.status == PublicationStatus.DRAFT


def test_a_retracted_article_disappears_for_residents_but_its_record_stays(personas, client):
    f.live_in(personas.resident_a)
    article = f.article(personas.county_a_officer)
    client.force_login(personas.resident_a)
    assert client.get(f"/learning/articles/{article.pk}/").status_code == 200

    actions.do_retract_article(personas.city_officer, article=article, reason="数据已更新")

    assert client.get(f"/learning/articles/{article.pk}/").status_code == 404
    assert article.title not in client.get("/learning/").content.decode()
    article.refresh_from_db()
    assert article.status == PublicationStatus.RETRACTED
    assert article.retracted_by == personas.city_officer
    assert article.retraction_reason == "数据已更新"
    assert article.retracted_at is not None and article.published_at is not None
    assert AuditRecord.objects.filter(
        target_type="learning.article", target_id=str(article.pk), reason="数据已更新"
    ).exists()


def test_retracting_needs_a_reason_and_a_published_article(personas):
    article = f.article(personas.county_a_officer)
    with pytest.raises(ValidationError) as caught:
        actions.do_retract_article(personas.county_a_officer, article=article, reason=" ")
    assert "reason" in caught.value.message_dict
    draft = f.article(personas.county_a_officer, publish=False)
    with pytest.raises(ValidationError):
        actions.do_retract_article(personas.county_a_officer, article=draft, reason="错误")


def test_a_published_article_is_not_edited(personas):
    article = f.article(personas.county_a_officer)
    with pytest.raises(ValidationError):
        actions.do_update_article(personas.county_a_officer, article=article, data=draft_input("x"))


def test_a_resident_of_county_a_does_not_see_county_bs_article(personas, client):
    f.live_in(personas.resident_a, f.COMMUNITY_A1)
    f.live_in(personas.resident_b, f.COMMUNITY_B1)
    ours = f.article(personas.county_a_officer, title="阜城县的文章")
    theirs = f.article(personas.county_b_officer, f.COUNTY_B, title="景县的文章")
    province = f.article(personas.province_officer, f.PROVINCE, title="全省的文章")

    assert set(Article.objects.reaching(personas.resident_a)) == {ours, province}
    assert set(Article.objects.reaching(personas.resident_b)) == {theirs, province}
    client.force_login(personas.resident_a)
    page = client.get("/learning/").content.decode()
    assert "阜城县的文章" in page and "全省的文章" in page and "景县的文章" not in page
    assert client.get(f"/learning/articles/{theirs.pk}/").status_code == 404


def test_a_resident_whose_community_is_unknown_gets_province_wide_articles(personas):
    f.article(personas.county_a_officer, title="阜城县的文章")
    province = f.article(personas.province_officer, f.PROVINCE, title="全省的文章")
    assert list(Article.objects.reaching(personas.resident_b)) == [province]


def test_staff_of_county_b_cannot_edit_publish_or_retract_county_as_article(personas, client):
    draft = f.article(personas.county_a_officer, publish=False)
    published = f.article(personas.county_a_officer, title="已发布")
    client.force_login(personas.county_b_officer)
    assert client.get(f"/learning/manage/articles/{draft.pk}/").status_code == 404
    assert client.post(f"/learning/manage/articles/{draft.pk}/publish/").status_code == 404
    response = client.post(f"/learning/manage/articles/{published.pk}/retract/", {"reason": "试试"})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        actions.do_publish_article(personas.county_b_officer, article=draft)
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == ("draft", "published")


def test_authors_publish_only_inside_their_jurisdiction(personas):
    with pytest.raises(ValidationError) as caught:
        actions.do_create_article(
            personas.county_a_officer, division_code="131127", data=draft_input("<p>x</p>")
        )
    assert "division_code" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.do_create_article(
            personas.grid_worker_a1, division_code="131128100001", data=draft_input("<p>x</p>")
        )
    assert not Article.objects.exists()


def test_reading_is_recorded_once(personas, client):
    f.live_in(personas.resident_a)
    article = f.article(personas.county_a_officer)
    client.force_login(personas.resident_a)
    for _ in range(3):
        client.get(f"/learning/articles/{article.pk}/")
    assert ArticleRead.objects.filter(user=personas.resident_a).count() == 1
    record = client.get("/learning/me/").content.decode()
    assert article.title in record


def test_the_article_page_shows_the_sanitised_body_and_the_source(personas, client):
    f.live_in(personas.resident_a)
    draft = actions.do_create_article(
        personas.county_a_officer,
        division_code="131128",
        data=draft_input('<p>正文<img src=x onerror="alert(1)"></p><script>alert(2)</script>'),
    )
    actions.do_publish_article(personas.county_a_officer, article=draft)
    client.force_login(personas.resident_a)
    page = client.get(f"/learning/articles/{draft.pk}/").content.decode()
    assert "<p>正文</p>" in page and "alert(" not in page
    assert "县疾控中心审核" in page


def test_the_editor_page_saves_a_draft_and_shows_errors_on_the_fields(personas, client):
    client.force_login(personas.cdc_a)
    response = client.post(
        "/learning/manage/articles/new/",
        {"title": "", "topic": f.topic().pk, "division_code": "131128000000", "body": "<p>x</p>"},
    )
    assert response.status_code == 200 and not Article.objects.exists()
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    response = client.post(
        "/learning/manage/articles/new/",
        {
            "title": "居家消毒",
            "topic": f.topic().pk,
            "division_code": "131128000000",
            "body": "<p>开窗通风</p><script>x</script>",
            "verified_by": "县疾控中心审核",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302 and article.body == "<p>开窗通风</p>"
    response = client.post(f"/learning/manage/articles/{article.pk}/publish/")
    article.refresh_from_db()
    assert article.status == PublicationStatus.PUBLISHED and article.published_by == personas.cdc_a
