"""Pages on a phone screen, and the API docs served entirely by the app itself."""

from urllib.parse import urlsplit

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390
PHONE_PAGES = [
    "/",
    "/regions/",
    "/regions/1311/",
    "/regions/131128/",
    "/regions/131128100/",
    "/regions/131128100001/",
    "/regions/search/?q=fcx",
    "/api/v1/docs",
]


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_the_page_fits_a_phone_screen_without_sideways_scrolling(phone, path):
    phone.goto(path)
    phone.wait_for_load_state("networkidle")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{path} is {width}px wide on a {PHONE_WIDTH}px phone"
    assert phone.js_errors == []


def test_every_menu_entry_is_on_screen_on_a_phone(phone):
    phone.goto("/regions/")
    links = phone.locator(".mainnav a")
    assert links.count() >= 3
    for index in range(links.count()):
        box = links.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH
    language = phone.locator("#language").bounding_box()
    assert language is not None and language["x"] + language["width"] <= PHONE_WIDTH


def test_the_chart_on_a_phone_is_drawn_inside_the_screen(phone):
    phone.goto("/regions/")
    chart = phone.locator("#children-chart")
    expect(chart).to_have_attribute("data-rendered", "true")
    box = chart.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH


def test_the_api_docs_load_every_asset_from_this_server(page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/divisions/search")
    page.wait_for_load_state("networkidle")
    elsewhere = [
        url
        for url in requested
        if urlsplit(url).scheme not in ("data", "blob")
        and urlsplit(url).hostname not in ("localhost", "127.0.0.1")
    ]
    assert elsewhere == []
    assert any("/static/ninja/swagger-ui-bundle.js" in url for url in requested)
    assert page.js_errors == []
