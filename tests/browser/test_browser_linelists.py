"""Line lists in the browser: 阜城县's CDC enters a confirmed case by ID number and a close
contact under home observation; the county officer's figure changes at once; a member of the
community committee records a fever check on a phone and the worklist flags it."""

import pytest
from test_browser_declaration import fits_the_phone

from civicgrid.core.testing import COMMUNITY_A1
from civicgrid.epidemic.tests import factories as f

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def fill_person(tab, id_number: str, name: str) -> None:  # type: ignore[no-untyped-def]
    tab.get_by_label("公民身份号码").fill(id_number)
    tab.get_by_label("姓名（新登记时必填）").fill(name)
    tab.get_by_label("现住址所在村（社区）").select_option(COMMUNITY_A1)


def test_a_case_and_a_contact_reach_the_county_figures_and_a_fever_check_the_worklist(
    page, phone, live_server, personas, sign_in
):
    statistics = "/epidemic/line-lists/statistics/?within=131128"
    new_confirmed = page.get_by_test_id("line-list-total").locator("[data-column=new_confirmed]")
    under_observation = page.get_by_test_id("line-list-total").locator(
        "[data-column=under_observation]"
    )
    sign_in(page, personas.county_a_officer)
    page.goto(statistics)
    expect(new_confirmed).to_have_text("0")

    # The CDC enters a confirmed case by ID number: a person new to the register.
    sign_in(page, personas.cdc_a)
    page.goto("/epidemic/line-lists/cases/new/")
    fill_person(page, "12345", "王病例")
    page.get_by_role("button", name="录入").click()
    expect(page.get_by_test_id("errors")).to_contain_text("身份")  # the kernel's ID message
    fill_person(page, f.id_number(), "王病例")
    page.get_by_label("分类").select_option("confirmed")
    page.get_by_role("button", name="录入").click()
    expect(page.get_by_test_id("case-status")).to_have_text("确诊病例")
    # A close contact, placed under home observation by the community committee.
    page.get_by_text("登记密切接触者").click()
    fill_person(page, f.id_number(), "李密接")
    page.get_by_label("接触方式").select_option("household")
    page.get_by_label("居家医学观察负责单位（不选则暂不安排）").select_option(
        str(personas.organisations["community_a1"].pk)
    )
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_test_id("contacts")).to_contain_text("李密接")
    assert page.js_errors == []

    # The county officer sees both figures change at once.
    sign_in(page, personas.county_a_officer)
    page.goto(statistics)
    expect(new_confirmed).to_have_text("1")
    expect(under_observation).to_have_text("1")

    # A member of the committee records this morning's check: 38.2 ℃.
    sign_in(phone, personas.grid_worker_a1)
    phone.goto("/epidemic/line-lists/worklist/")
    row = phone.get_by_test_id("worklist").locator("li", has_text="李密接")
    expect(row.locator("[data-flag=am_due]")).to_be_visible()
    row.get_by_role("link", name="李密接").click()
    phone.get_by_label("时段").select_option("am")
    phone.get_by_label("体温（℃）").fill("38.2")
    assert fits_the_phone(phone)
    phone.get_by_role("button", name="保存").click()
    row = phone.get_by_test_id("worklist").locator("li", has_text="李密接")
    expect(row.locator("[data-flag=fever]")).to_be_visible()
    expect(phone.locator(".ep-chips [data-flag=fever] strong")).to_have_text("1")
    assert phone.js_errors == []

    # The chain page draws the case and the contact from the server's layout.
    sign_in(page, personas.county_a_officer)
    page.goto("/epidemic/line-lists/chains/?within=131128")
    page.get_by_test_id("chains").get_by_role("link").first.click()
    expect(page.locator("#chain-graph")).to_have_attribute("data-rendered", "2")
    assert page.js_errors == []
