"""The catalogue in Django admin: lists and forms open, and an edit reaches search at once."""

import pytest

from civicgrid.catalog import search
from civicgrid.catalog.importing import MaterialRow
from civicgrid.catalog.models import Synonym
from civicgrid.catalog.tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_admin_lists_and_edits_items_materials_life_events_and_synonyms(client, personas):
    item = f.item("企业设立登记（营业执照核发）", materials=[MaterialRow("公司章程")])
    f.life_event()
    client.force_login(personas.admin)
    for url in (
        "/admin/catalog/serviceitem/",
        f"/admin/catalog/serviceitem/{item.pk}/change/",
        "/admin/catalog/serviceitem/add/",
        "/admin/catalog/lifeevent/",
        "/admin/catalog/synonym/",
        "/admin/catalog/synonym/add/",
    ):
        assert client.get(url).status_code == 200, url
    assert search.search("business licence") == []
    response = client.post(
        "/admin/catalog/synonym/add/", {"terms": "营业执照，business licence", "note": ""}
    )
    assert response.status_code == 302
    assert [e.name for e in search.search("business licence")] == ["企业设立登记（营业执照核发）"]
    refused = client.post("/admin/catalog/synonym/add/", {"terms": "只有一个词", "note": ""})
    assert refused.status_code == 200 and "同义词至少需要两个词" in refused.content.decode()
    assert Synonym.objects.count() == 1
