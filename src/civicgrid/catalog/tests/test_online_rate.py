"""The online-availability rate, computed from the catalogue and the cases received."""

from decimal import Decimal

import pytest

from civicgrid.catalog import selectors
from civicgrid.catalog.actions import do_count_case
from civicgrid.catalog.choices import ItemStatus, OnlineDepth
from civicgrid.catalog.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    county = f.department("阜城县市场监督管理局")
    other = f.department("阜城县民政局")
    city = f.department("衡水市人力资源和社会保障局", "131100000000")
    return {
        # county, department 1: four published items
        "full": f.item("A", dept=county, online_depth=OnlineDepth.FULL),
        "depth3": f.item("B", dept=county, online_depth=OnlineDepth.SUBMISSION),
        "depth2": f.item("C", dept=county, online_depth=OnlineDepth.FORMS),
        "counter": f.item("D", dept=county, online=False, online_depth=OnlineDepth.INFORMATION),
        # not counted at all
        "draft": f.item("E", dept=county, status=ItemStatus.DRAFT),
        # county, department 2
        "welfare": f.item("F", dept=other, online_depth=OnlineDepth.FULL),
        # city
        "city": f.item("G", dept=city, online_depth=OnlineDepth.FULL),
    }


def cases(item, *, online, offline):
    for _ in range(online):
        do_count_case(item=item, online=True)
    for _ in range(offline):
        do_count_case(item=item, online=False)


def test_the_rate_counts_published_items_online_at_depth_three_or_more(items):
    rate = selectors.online_rate()
    # 6 published; online at depth >= 3: full, depth3, welfare, city
    assert (rate.items, rate.handleable, rate.percent) == (6, 4, Decimal("66.7"))
    assert rate.cases_online_percent is None
    assert not rate.meets_target


def test_an_item_whose_cases_all_came_through_the_counter_does_not_count(items):
    cases(items["full"], online=3, offline=1)
    cases(items["depth3"], online=0, offline=5)  # claims online; nobody used it
    cases(items["counter"], online=0, offline=2)
    rate = selectors.online_rate()
    assert (rate.items, rate.handleable) == (6, 3)
    assert rate.percent == Decimal("50.0")
    assert (rate.cases_total, rate.cases_online) == (11, 3)
    assert rate.cases_online_percent == Decimal("27.3")
    # One online case is enough to count again.
    cases(items["depth3"], online=1, offline=0)
    assert selectors.online_rate().handleable == 4


def test_rates_per_level_and_per_department(items):
    cases(items["welfare"], online=2, offline=0)
    levels = {r.label: r for r in selectors.online_rates_by_level()}
    assert set(levels) == {"市级", "县级"}
    assert (levels["县级"].items, levels["县级"].handleable, levels["县级"].percent) == (
        5, 3, Decimal("60.0"),
    )  # fmt: skip
    assert (levels["市级"].items, levels["市级"].handleable, levels["市级"].percent) == (
        1, 1, Decimal("100.0"),
    )  # fmt: skip
    assert levels["市级"].meets_target and not levels["县级"].meets_target
    departments = selectors.online_rates_by_department()
    # lowest rate first
    assert [(d.label, d.items, d.handleable) for d in departments] == [
        ("阜城县市场监督管理局", 4, 2),
        ("衡水市人力资源和社会保障局", 1, 1),
        ("阜城县民政局", 1, 1),
    ]
    assert departments[2].cases_online_percent == Decimal("100.0")


def test_the_rate_within_a_division(items):
    county = selectors.online_rate(within="131128")
    assert (county.items, county.handleable) == (5, 3)
    assert selectors.online_rate(within="131127").percent is None


def test_the_rate_reaches_the_target_at_95_percent():
    dept = f.department()
    for n in range(19):
        f.item(f"在线{n}", dept=dept, online_depth=OnlineDepth.FULL)
    f.item("窗口", dept=dept, online=False)
    rate = selectors.online_rate()
    assert rate.percent == Decimal("95.0") and rate.meets_target
