"""The public catalogue pages: browsing, searching, the item page, the rate, templates."""

import pytest
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch

from civicgrid.catalog import selectors
from civicgrid.catalog.choices import ItemStatus, OnlineDepth
from civicgrid.catalog.importing import MaterialRow
from civicgrid.catalog.models import ServiceMaterial
from civicgrid.catalog.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def item():
    event = f.life_event("touzi", "投资建设")
    return f.item(
        "企业投资项目核准",
        code="131128-FGJ-XK-001",
        dept=f.department("阜城县发展和改革局"),
        kind="licence",
        legal_limit_days=20,
        promised_limit_days=10,
        legal_basis="《企业投资项目核准和备案管理条例》第三条",
        conditions="属于核准目录范围内的企业投资项目",
        fee=0,
        by_appointment=True,
        by_mail=True,
        hall_visits=0,
        online_depth=OnlineDepth.FULL,
        faq=[{"q": "可以全程网办吗？", "a": "可以。"}],
        life_events=[event],
        materials=[
            MaterialRow("项目申请报告"),
            MaterialRow("营业执照", certificate_type="business_licence"),
            MaterialRow("法定代表人身份证", original_check=True),
        ],
    )


def test_anyone_browses_and_searches_the_catalogue(client, item):
    page = client.get("/services/").content.decode()
    assert "投资建设" in page and "阜城县发展和改革局" in page and "网上可办率" in page
    found = client.get("/services/", {"q": "qytz"}).content.decode()
    assert "企业投资项目核准" in found and "共 1 项" in found
    nothing = client.get("/services/", {"q": "！！！"}).content.decode()
    assert "没有找到相关事项" in nothing
    by_event = client.get("/services/", {"life_event": "touzi"}).content.decode()
    assert "企业投资项目核准" in by_event
    by_level = client.get("/services/", {"level": "2"}).content.decode()
    assert "共 0 项" in by_level
    # Malformed filters are ignored, not errors.
    assert (
        client.get("/services/", {"department": "abc", "level": "9", "page": "-1"}).status_code
        == 200
    )


def test_the_item_page_shows_every_standard_element(client, item):
    page = client.get(f"/services/items/{item.code}/").content.decode()
    for text in (
        "行政许可", "阜城县发展和改革局", "县级", "《企业投资项目核准和备案管理条例》第三条",
        "属于核准目录范围内的企业投资项目", "20 个工作日", "10 个工作日", "不收费",
        "网上办理、预约办理、窗口办理、邮寄办理", "0 次（全程不见面）", "四级：全程网办",
        "可由电子证照自动获取，无需提交", "需核验原件", "可以全程网办吗？",
    ):  # fmt: skip
        assert text in page, text


def test_apply_and_book_buttons_appear_only_where_the_pages_exist_and_the_channel_is_offered(
    client, item, monkeypatch
):
    def fake_reverse(name, args=None):
        if name in ("applications:apply", "appointments:book"):
            return f"/{name.split(':')[0]}/{args[0]}/"
        raise NoReverseMatch(name)

    monkeypatch.setattr(selectors, "reverse", fake_reverse)
    page = client.get(f"/services/items/{item.code}/").content.decode()
    assert (
        f'href="/applications/{item.code}/"' in page
        and f'href="/appointments/{item.code}/"' in page
    )
    item.by_appointment = False
    item.save()
    page = client.get(f"/services/items/{item.code}/").content.decode()
    assert "/appointments/" not in page and "/applications/" in page


def test_a_missing_page_of_another_app_hides_its_button():
    assert selectors.optional_url("applications:no_such_page", "X") is None


def test_unpublished_and_unknown_items_are_not_found(client, item):
    item.status = ItemStatus.DRAFT
    item.save()
    assert client.get(f"/services/items/{item.code}/").status_code == 404
    assert client.get("/services/items/NOPE/").status_code == 404


def test_a_material_template_downloads_from_the_item_page(client, item, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    material = ServiceMaterial.objects.get(item=item, name="项目申请报告")
    material.template.save("项目申请报告模板.docx", ContentFile(b"PK\x03\x04 template"))
    page = client.get(f"/services/items/{item.code}/").content.decode()
    url = f"/services/items/{item.code}/materials/{material.pk}/template/"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"PK")
    other = ServiceMaterial.objects.get(item=item, name="营业执照")
    assert (
        client.get(f"/services/items/{item.code}/materials/{other.pk}/template/").status_code == 404
    )
    assert client.get(f"/services/items/WRONG/materials/{material.pk}/template/").status_code == 404


def test_the_rate_page_shows_levels_and_departments(client, item):
    f.item("窗口事项", dept=f.department("阜城县民政局"), online=False)
    page = client.get("/services/online-rate/").content.decode()
    assert "50.0%" in page and "阜城县民政局" in page and "0.0%" in page
    assert client.get("/services/online-rate/", {"within": "garbage"}).status_code == 200
    assert (
        "暂无已发布事项"
        in client.get("/services/online-rate/", {"within": "131127"}).content.decode()
    )


def test_the_import_link_shows_only_to_those_who_may_import(client, personas, item):
    client.force_login(personas.resident_a)
    assert "导入服务事项" not in client.get("/services/").content.decode()
    client.force_login(personas.clerk_a)
    assert "导入服务事项" in client.get("/services/").content.decode()


def test_the_home_page_query_count_does_not_grow_with_the_catalogue(
    client, item, django_assert_max_num_queries
):
    for n in range(30):
        f.item(f"事项{n}", dept=f.department(f"部门{n % 5}"))
    client.get("/services/", {"q": "事项"})  # builds the index
    with django_assert_max_num_queries(12):
        client.get("/services/", {"q": "事项"})
