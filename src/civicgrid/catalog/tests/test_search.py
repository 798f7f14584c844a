"""Search that understands Chinese: words, pinyin initials, synonyms, ranking, filters."""

import pytest

from civicgrid.catalog import search
from civicgrid.catalog.choices import ItemStatus
from civicgrid.catalog.models import ServiceItem
from civicgrid.catalog.tests import factories as f

pytestmark = pytest.mark.django_db


def names(query, **filters):
    return [e.name for e in search.search(query, **filters)]


@pytest.fixture
def catalogue():
    tax = f.department("国家税务总局阜城县税务局")
    return {
        "licence": f.item("企业设立登记（营业执照核发）", code="SCJ-1"),
        "lost": f.item("营业执照遗失补领", code="SCJ-2"),
        "works": f.item("建筑工程施工许可证核发", code="ZJJ-1"),
        "invoice": f.item("发票领用增量", code="SWJ-1", dept=tax),
        "resume": f.item("企业复工复产申报", code="FGJ-1"),
        # Mentions the licence only in its conditions.
        "food": f.item(
            "食品经营许可", code="SCJ-3", conditions="申请人已取得营业执照，具备经营场所。"
        ),
    }


def test_a_query_finds_items_by_its_words_in_another_order(catalogue):
    # "建筑施工许可" is not part of any name; its words 建筑 / 施工 / 许可 are.
    assert names("建筑施工许可")[0] == "建筑工程施工许可证核发"
    assert names("怎么办理施工许可")[0] == "建筑工程施工许可证核发"
    # Items sharing only a word come after it (食品经营许可 shares 许可).
    assert names("建筑施工许可")[1:] == ["食品经营许可"]


def test_pinyin_initials_and_syllables_find_the_name(catalogue):
    assert names("yyzz") == ["企业设立登记（营业执照核发）", "营业执照遗失补领"]
    assert names("YYZZ") == names("yyzz")
    assert names("shigong") == ["建筑工程施工许可证核发"]


def test_a_synonym_finds_items_named_otherwise(catalogue):
    f.synonym("营业执照", "执照", "business licence")
    f.synonym("发票领用增量", "增版增量")
    f.synonym("复工", "复产")
    assert "营业执照遗失补领" in names("business licence")
    assert "营业执照遗失补领" in names("Business  Licence")  # case and spacing do not matter
    assert names("增版增量") == ["发票领用增量"]
    assert names("复产") == ["企业复工复产申报"]


def test_synonyms_edited_as_data_take_effect_at_once(catalogue):
    assert names("开公司") == []
    group = f.synonym("开公司", "企业设立")
    assert names("开公司") == ["企业设立登记（营业执照核发）"]
    group.delete()
    assert names("开公司") == []


def test_items_named_after_the_query_come_before_items_that_only_mention_it(catalogue):
    found = names("营业执照")
    assert found[-1] == "食品经营许可"
    assert set(found[:2]) == {"企业设立登记（营业执照核发）", "营业执照遗失补领"}


def test_items_matching_more_of_the_query_rank_first(catalogue):
    found = names("营业执照 遗失")
    assert found[0] == "营业执照遗失补领"


def test_an_empty_query_lists_everything_and_garbage_finds_nothing(catalogue):
    assert len(names("")) == 6
    assert len(names("   ")) == 6
    assert names("！！！？？") == []
    assert names("的了吗") == []
    assert names("x") == []
    assert names("a" * 500) == []
    assert names("<script>alert(1)</script>") == []


def test_the_exact_code_finds_its_item(catalogue):
    assert names("zjj-1") == ["建筑工程施工许可证核发"]


def test_filters_narrow_by_department_life_event_and_level(catalogue):
    event = f.life_event("fugong", "复工复产")
    city = f.department("衡水市住房公积金管理中心", "131100000000")
    f.item("住房公积金提取", code="GJJ-1", dept=city, life_events=[event])
    catalogue["resume"].life_events.add(event)
    assert names("", life_event="fugong") == ["企业复工复产申报", "住房公积金提取"]
    assert names("", level=2) == ["住房公积金提取"]
    tax = catalogue["invoice"].department_id
    assert names("", department=tax) == ["发票领用增量"]
    assert names("营业执照", department=tax) == []


def test_unpublished_items_are_not_found_and_changes_show_at_once(catalogue):
    item = catalogue["works"]
    assert names("施工")
    item.status = ItemStatus.WITHDRAWN
    item.save()
    assert names("施工") == []
    ServiceItem.objects.filter(pk=item.pk).update(status=ItemStatus.PUBLISHED)  # no signal
    assert names("施工") == []  # the index follows the catalogue version, not every update()
    item.refresh_from_db()
    item.save()
    assert names("施工") == ["建筑工程施工许可证核发"]


def test_materials_and_life_events_are_searched_too(catalogue):
    from civicgrid.catalog.importing import MaterialRow

    f.item("公章刻制备案", code="GAJ-1", materials=[MaterialRow("法定代表人身份证")])
    assert names("法定代表人") == ["公章刻制备案"]
