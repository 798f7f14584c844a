"""Switching the interface to English and back with the language selector."""

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def test_a_reader_switches_to_english_and_back(page, english_catalogue):
    page.goto("/regions/131128/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h2")).to_have_text("下辖 10 个区划")
    # Each language is offered in its own name, whatever language the page is in.
    expect(page.locator("#language option")).to_have_text(["简体中文", "English"])

    with page.expect_navigation():
        page.select_option("#language", "en")
    assert page.url.endswith("/regions/131128/")  # back on the same page
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h2")).to_have_text("10 sub-divisions")
    expect(page.locator("h1 .tag")).to_have_text("County")
    expect(page.locator(".mainnav")).to_contain_text("Divisions")
    expect(page.locator("#q")).to_have_attribute("placeholder", "Name or pinyin initials, e.g. fcx")
    expect(page.locator("#language option")).to_have_text(["简体中文", "English"])
    expect(page.locator("#language")).to_have_value("en")

    # The choice sticks for the next pages, and htmx fragments follow it.
    page.goto("/")
    expect(page.locator("h1")).to_have_text(
        "One platform for a region’s epidemic prevention and government services"
    )
    page.goto("/regions/")
    page.locator("#q").fill("没有这个地方")
    expect(page.locator("#search-results")).to_contain_text("No division matches “没有这个地方”.")

    with page.expect_navigation():
        page.select_option("#language", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".mainnav")).to_contain_text("行政区划")
    expect(page.locator("h2")).to_contain_text("下辖")
    assert page.js_errors == []
