"""A township health centre submits its daily report on a phone; the county officer's figures
change at once, the city sees the same totals, and a sibling county gets 404."""

import pytest
from test_browser_declaration import fits_the_phone

from civicgrid.epidemic.tests import factories as f

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def test_a_submission_shows_up_for_the_county_and_the_city_and_not_for_a_sibling(
    phone, page, live_server, personas, sign_in
):
    form = f.daily_form(personas)
    _, clinician = f.health_centre()
    statistics = f"/epidemic/forms/{form.pk}/statistics/"
    new_confirmed = page.get_by_test_id("statistics-total").locator("[data-element=new_confirmed]")

    sign_in(page, personas.county_a_officer)
    page.goto(statistics)
    expect(page.locator("h1")).to_contain_text("阜城县")
    expect(new_confirmed).to_have_text("0")

    sign_in(phone, clinician)
    phone.goto(f"/epidemic/forms/{form.pk}/report/")
    expect(phone.get_by_test_id("report-status")).to_contain_text("未填报")
    # A blocking rule first: more cured than ever confirmed is refused, naming both figures.
    for label, value in [
        ("新增确诊", "3"),
        ("累计确诊", "12"),
        ("新增治愈", "20"),
        ("发热门诊就诊", "40"),
    ]:
        phone.get_by_label(label, exact=False).first.fill(value)
    phone.get_by_role("button", name="上报", exact=True).click()
    expect(phone.locator(".errorlist").first).to_contain_text(
        "「新增治愈」（20）不能大于「累计确诊」（12）"
    )
    expect(phone.get_by_label("新增确诊", exact=False).first).to_have_value("3")
    phone.get_by_label("新增治愈", exact=False).first.fill("1")
    assert fits_the_phone(phone)
    phone.get_by_role("button", name="上报", exact=True).click()
    expect(phone.get_by_test_id("report-status")).to_contain_text("已上报")
    assert phone.js_errors == []

    page.reload()
    expect(new_confirmed).to_have_text("3")
    row = page.locator("table.ep-stats tbody tr", has_text="阜城镇").first
    expect(row.locator("td").nth(1)).to_have_text("3")
    assert page.js_errors == []

    sign_in(page, personas.city_officer)
    page.goto(statistics)
    expect(page.locator("h1")).to_contain_text("衡水市")
    expect(new_confirmed).to_have_text("3")
    expect(
        page.locator("table.ep-stats tbody tr", has_text="阜城县").locator("td").nth(1)
    ).to_have_text("3")
    page.locator("#trend-chart[data-rendered=true]").wait_for()

    sign_in(page, personas.county_b_officer)
    answer = page.goto(f"{statistics}?within=131128")
    assert answer is not None and answer.status == 404
    page.goto(statistics)
    expect(new_confirmed).to_have_text("0")
