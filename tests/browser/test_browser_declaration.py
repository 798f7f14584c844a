"""A resident declares their household on a phone; the grid worker verifies it into the register."""

import datetime

import pytest

from civicgrid.core.idcard import make_id_number
from civicgrid.population.choices import DeclarationStatus
from civicgrid.population.models import HouseholdDeclaration, Person
from civicgrid.population.tests import factories as f

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390
HEAD_ID = make_id_number("131128", datetime.date(1978, 3, 14), 31)
CHILD_ID = make_id_number("131128", datetime.date(2009, 11, 2), 42)


def fits_the_phone(tab) -> bool:  # type: ignore[no-untyped-def]
    return tab.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_a_resident_declares_two_members_on_a_phone_and_the_grid_worker_verifies(
    phone, live_server, personas, sign_in
):
    sign_in(phone, personas.resident_a)
    phone.goto("/population/self/")
    phone.get_by_role("link", name="登记我家的住户信息").click()
    expect(phone.locator("h1")).to_have_text("住户登记")

    phone.get_by_label("社区/村").fill(f.COMMUNITY_A1)
    phone.get_by_label("楼栋").fill("5号楼")
    phone.get_by_label("单元").fill("1单元")
    phone.get_by_label("门牌/房号").fill("602")
    first = phone.locator("fieldset.member").nth(0)
    first.get_by_label("姓名").fill("赵国庆")
    first.get_by_label("公民身份号码").fill(HEAD_ID)
    first.get_by_label("这是我本人").check()

    expect(phone.locator("fieldset.member")).to_have_count(1)
    phone.get_by_role("button", name="再添加一位成员").click()
    second = phone.locator("fieldset.member").nth(1)
    expect(second.locator("legend")).to_have_text("成员 2")
    expect(second.get_by_label("姓名")).to_be_focused()  # the phone shows where to type
    second.get_by_label("姓名").fill("赵小满")
    second.get_by_label("公民身份号码").fill(CHILD_ID[:-1] + ("1" if CHILD_ID[-1] == "0" else "0"))
    second.get_by_label("与户主关系").select_option(label="子女")
    assert fits_the_phone(phone)

    # A mistyped check digit: the page says which member and keeps both members' entries.
    phone.get_by_role("button", name="提交登记").click()
    expect(phone.locator("p.error[role=alert]")).to_be_visible()
    second = phone.locator("fieldset.member").nth(1)
    expect(second.locator(".errorlist")).to_contain_text("校验码")
    expect(second.get_by_label("公民身份号码")).to_have_attribute("aria-invalid", "true")
    expect(phone.locator("fieldset.member").nth(0).get_by_label("姓名")).to_have_value("赵国庆")
    assert not HouseholdDeclaration.objects.exists()

    second.get_by_label("公民身份号码").fill(CHILD_ID)
    phone.get_by_role("button", name="提交登记").click()
    expect(phone.locator("h1")).to_have_text("我的家庭")
    expect(phone.locator("table.list")).to_contain_text("赵国庆、赵小满")
    expect(phone.locator("table.list")).to_contain_text("待核实")
    assert fits_the_phone(phone)
    assert phone.js_errors == []

    # The grid worker of the community, on their own phone, verifies it into their grid.
    f.assign(personas.grid_worker_a1, grid_index=0)
    grid = f.grids_of(f.COMMUNITY_A1)[0]
    sign_in(phone, personas.grid_worker_a1)
    phone.goto("/population/self/review/")
    card = phone.locator(".card", has_text="5号楼 1单元 602")
    expect(card).to_contain_text("赵国庆 · 户主")
    expect(card).to_contain_text("赵小满 · 子女")
    expect(card).not_to_contain_text(HEAD_ID)  # masked for the reviewer too
    assert fits_the_phone(phone)
    card.get_by_label("归入网格").select_option(str(grid.pk))
    card.get_by_role("button", name="核实入库").click()
    expect(phone.locator("main")).to_contain_text("没有待核实的登记。")

    declaration = HouseholdDeclaration.objects.get()
    assert declaration.status == DeclarationStatus.VERIFIED
    assert set(Person.objects.values_list("name", flat=True)) == {"赵国庆", "赵小满"}
    assert declaration.household.grid == grid

    # Back with the resident: the register now knows them.
    sign_in(phone, personas.resident_a)
    phone.goto("/population/self/")
    expect(phone.locator("table.list")).to_contain_text("已核实")
    expect(phone.locator(".card h3")).to_contain_text("赵国庆")
    assert phone.js_errors == []
