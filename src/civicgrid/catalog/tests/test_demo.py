"""The demo catalogue: over 100 realistic items across departments, loaded once."""

import pytest

from civicgrid.catalog import search
from civicgrid.catalog.demo import do_load_demo_catalog
from civicgrid.catalog.models import ServiceItem, ServiceMaterial, Synonym

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_with_the_items_the_issue_names(personas):
    created = do_load_demo_catalog()
    assert created >= 100 and ServiceItem.objects.count() == created
    assert do_load_demo_catalog() == 0
    assert ServiceItem.objects.values("department").distinct().count() >= 12
    assert set(ServiceItem.objects.values_list("level", flat=True)) == {1, 2, 3, 4}
    for name in (
        "企业投资项目核准",
        "政府投资项目可行性研究报告审批",
        "发票领用增量",
        "企业复工复产申报",
    ):
        assert ServiceItem.objects.filter(name=name).exists(), name
    assert ServiceMaterial.objects.filter(certificate_type="business_licence").count() > 10
    assert Synonym.objects.count() >= 10
    assert [e.name for e in search.search("增版增量")] == ["发票领用增量"]
    assert "企业设立登记（营业执照核发）" in [e.name for e in search.search("business licence")[:3]]
    assert next(e.name for e in search.search("复产")) == "企业复工复产申报"


def test_the_pages_render_the_demo_catalogue(client, personas):
    do_load_demo_catalog()
    home = client.get("/services/").content.decode()
    assert "复工复产" in home and "国家税务总局阜城县税务局" in home and "乡镇（街道）级" in home
    code = ServiceItem.objects.get(name="企业投资项目核准").code
    page = client.get(f"/services/items/{code}/").content.decode()
    assert "可由电子证照自动获取，无需提交" in page and "核准和备案有什么区别？" in page
    rate = client.get("/services/online-rate/").content.decode()
    assert "阜城县公安局" in rate and "省级" in rate
