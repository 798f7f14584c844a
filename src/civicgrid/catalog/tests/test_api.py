"""The catalogue API: search paged, details, life events, departments, the rate."""

import pytest

from civicgrid.catalog.importing import MaterialRow
from civicgrid.catalog.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    event = f.life_event("fugong", "复工复产")
    tax = f.department("国家税务总局阜城县税务局")
    return [
        f.item(
            "发票领用增量",
            code="SWJ-QT-001",
            dept=tax,
            life_events=[event],
            materials=[MaterialRow("经办人身份证件", certificate_type="id_card")],
        ),
        *(f.item(f"测试事项{n:02d}", code=f"T-{n:02d}") for n in range(25)),
    ]


def test_search_is_paged_and_filtered(client, items):
    body = client.get("/api/v1/catalog/items", {"q": "测试事项", "limit": 10, "offset": 20}).json()
    assert body["count"] == 25 and len(body["items"]) == 5
    assert body["items"][0]["code"] == "T-20"
    tax = items[0].department_id
    body = client.get("/api/v1/catalog/items", {"department": tax}).json()
    assert [i["name"] for i in body["items"]] == ["发票领用增量"]
    body = client.get("/api/v1/catalog/items", {"life_event": "fugong", "level": 3}).json()
    assert body["count"] == 1 and body["items"][0]["department_name"] == "国家税务总局阜城县税务局"


def test_bad_parameters_get_a_422_naming_them(client, items):
    assert client.get("/api/v1/catalog/items", {"level": 7}).status_code == 422
    assert client.get("/api/v1/catalog/items", {"limit": 1000}).status_code == 422
    assert client.get("/api/v1/catalog/items", {"q": "字" * 51}).status_code == 422
    assert client.get("/api/v1/catalog/online-rate", {"within": "12a"}).status_code == 422
    assert client.get("/api/v1/catalog/online-rate", {"within": "1300"}).status_code == 422


def test_an_item_in_detail(client, items):
    body = client.get("/api/v1/catalog/items/SWJ-QT-001").json()
    assert body["department_name"] == "国家税务总局阜城县税务局"
    assert body["materials"] == [
        {
            "name": "经办人身份证件",
            "required": True,
            "original_check": False,
            "certificate_type": "id_card",
            "template_url": None,
            "notes": "",
        }
    ]
    assert body["life_events"] == [{"code": "fugong", "name": "复工复产", "audience": "enterprise"}]
    assert body["handleable_online"] is True
    assert client.get("/api/v1/catalog/items/NOPE").status_code == 404


def test_life_events_departments_and_the_rate(client, items):
    assert client.get("/api/v1/catalog/life-events").json() == [
        {"code": "fugong", "name": "复工复产", "audience": "enterprise", "items": 1}
    ]
    departments = {d["name"]: d["items"] for d in client.get("/api/v1/catalog/departments").json()}
    assert departments == {"国家税务总局阜城县税务局": 1, "阜城县市场监督管理局": 25}
    rate = client.get("/api/v1/catalog/online-rate", {"within": "131128"}).json()
    assert rate["target"] == "95" or float(rate["target"]) == 95
    assert rate["total"]["items"] == 26 and rate["by_level"][0]["label"] == "县级"


def test_the_result_list_has_the_documented_shape(client, items):
    from civicgrid.catalog.api import ItemPage

    body = client.get("/api/v1/catalog/items", {"q": "发票"}).json()
    assert ItemPage.model_validate(body).items[0].name == "发票领用增量"
    assert set(body["items"][0]) == set(
        ItemPage.model_fields["items"].annotation.__args__[0].model_fields
    )
