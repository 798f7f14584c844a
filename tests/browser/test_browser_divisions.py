"""The division browser in a real browser: the chart, links down the hierarchy, htmx search."""

import re

import pytest

from civicgrid.regions.actions import do_generate_demo_grids
from civicgrid.regions.models import Grid

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect

pytestmark = pytest.mark.browser

# How many pixels of the chart's canvas are painted (not transparent).
PAINTED_PIXELS = """el => {
  const canvas = el.querySelector("canvas");
  if (!canvas || !canvas.width || !canvas.height) { return 0; }
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i]) { painted++; } }
  return painted;
}"""

# Where, inside the chart element, the middle of the bar for `name` is drawn.
BAR_POSITION = """name => {
  const el = document.getElementById("children-chart");
  const chart = echarts.getInstanceByDom(el);
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const index = data.names.indexOf(name);
  return chart.convertToPixel({ seriesIndex: 0 }, [index, data.counts[index] / 2]);
}"""


def test_the_province_page_draws_a_chart_of_its_cities(page):
    page.goto("/regions/")
    expect(page.locator("h1")).to_contain_text("河北省")
    chart = page.locator("#children-chart")
    expect(chart).to_have_attribute("data-rendered", "true")
    expect(chart.locator("canvas")).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 200
    assert chart.evaluate(PAINTED_PIXELS) > 2000
    assert page.js_errors == []


def test_a_reader_walks_down_from_the_province_to_fucheng_county_by_links(page):
    page.goto("/regions/")
    page.get_by_role("link", name="衡水市", exact=True).click()
    expect(page).to_have_url(re.compile(r"/regions/1311/$"))
    expect(page.locator("h1")).to_contain_text("衡水市")
    expect(page.locator(".breadcrumbs")).to_contain_text("河北省")

    page.get_by_role("link", name="阜城县", exact=True).click()
    expect(page).to_have_url(re.compile(r"/regions/131128/$"))
    expect(page.locator("h1")).to_contain_text("阜城县")
    expect(page.locator("h1")).to_contain_text("131128000000")
    expect(page.locator(".breadcrumbs")).to_contain_text("河北省 › 衡水市 › 阜城县")
    expect(page.get_by_role("link", name="阜城镇", exact=True)).to_be_visible()
    assert page.js_errors == []


def test_clicking_a_bar_of_the_chart_opens_that_city(page):
    page.goto("/regions/")
    chart = page.locator("#children-chart")
    expect(chart).to_have_attribute("data-rendered", "true")
    x, y = page.evaluate(BAR_POSITION, "衡水市")
    box = chart.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page).to_have_url(re.compile(r"/regions/1311/$"))
    expect(page.locator("h1")).to_contain_text("衡水市")


def test_typing_pinyin_initials_finds_the_county_without_leaving_the_page(page):
    page.goto("/regions/")
    page.locator("#q").fill("fcx")
    result = page.locator("#search-results").get_by_role("link", name="阜城县", exact=True)
    expect(result).to_be_visible()
    assert page.url.endswith("/regions/")  # htmx swapped the results in; no navigation
    expect(page.locator("#search-results")).to_contain_text("131128000000")

    page.locator("#q").fill("没有这个地方")
    expect(page.locator("#search-results")).to_contain_text("没有找到与“没有这个地方”匹配的区划")

    page.locator("#q").fill("fcx")
    result.click()
    expect(page.locator("h1")).to_contain_text("阜城县")


def test_the_search_page_works_without_htmx_too(page):
    page.goto("/regions/search/?q=fcx")
    expect(page.get_by_role("link", name="阜城县", exact=True)).to_be_visible()
    expect(page.locator("#q")).to_have_value("fcx")


def test_a_township_counts_each_villages_grids_and_a_village_lists_them(page):
    do_generate_demo_grids("131128100000")
    village = "东南关居民委员会"
    grids = list(Grid.objects.filter(division__name=village, division_code__startswith="131128100"))
    assert grids

    page.goto("/regions/131128100/")
    expect(page.locator("table.list thead")).to_contain_text("网格数")
    row = page.locator("table.list tbody tr", has_text=village)
    expect(row.locator("td.num")).to_have_text(str(len(grids)))

    row.get_by_role("link", name=village).click()
    expect(page.locator("h1")).to_contain_text(village)
    expect(page.locator("h2")).to_contain_text(f"划分为 {len(grids)} 个网格")
    expect(page.locator("table.list tbody tr")).to_have_count(len(grids))
    expect(page.locator("table.list tbody")).to_contain_text(grids[0].name)
