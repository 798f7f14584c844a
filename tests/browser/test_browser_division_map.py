"""The statistics map: the city officer sees Hengshui's counties coloured on a canvas, hovers
阜城县 for its figure and clicks it to drill down to the county, where the page has no map
(no township shapes) but keeps its table."""

import pytest

from civicgrid.epidemic.tests import factories as f

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect

pytestmark = pytest.mark.browser

FUCHENG = [116.17, 37.87]  # a point inside 阜城县 (lng, lat)


def test_the_city_map_renders_and_a_click_drills_down_to_the_county(
    page, live_server, personas, sign_in
):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    f.submit(clinician, form, centre, new=3, cum=7)

    sign_in(page, personas.city_officer)
    page.goto(f"/epidemic/forms/{form.pk}/statistics/?element=new_confirmed")
    expect(page.locator("h1")).to_contain_text("衡水市")
    page.locator("#division-map[data-rendered=true]").wait_for()
    page.locator("#division-map").scroll_into_view_if_needed()
    canvas = page.locator("#division-map canvas").first
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 200
    x, y = page.evaluate(
        "p => echarts.getInstanceByDom(document.getElementById('division-map'))"
        ".convertToPixel({seriesIndex: 0}, p)",
        FUCHENG,
    )
    map_box = page.locator("#division-map").bounding_box()
    page.mouse.move(map_box["x"] + x, map_box["y"] + y)
    expect(page.locator("#division-map")).to_contain_text("阜城县")  # the tooltip
    expect(page.locator("#division-map")).to_contain_text("3")
    page.mouse.click(map_box["x"] + x, map_box["y"] + y)
    page.wait_for_url("**within=131128**")
    expect(page.locator("h1")).to_contain_text("阜城县")
    expect(page.get_by_test_id("no-division-map")).to_be_visible()
    expect(
        page.locator("table.ep-stats tbody tr", has_text="阜城镇").locator("td").nth(1)
    ).to_have_text("3")
    assert page.js_errors == []
