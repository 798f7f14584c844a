"""A whole errand on phones: a resident posts, two volunteers race to claim (one wins, the other
is told), the winner buys and delivers with the handoff code the resident reads out, the resident
confirms and the ledger shows the amount owed."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from civicgrid.errands.models import Errand, LedgerEntry
from civicgrid.errands.tests import factories as f

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _phone_for(browser, live_server, user):  # type: ignore[no-untyped-def]
    """A phone tab of its own, signed in as `user` (signing in has its own browser tests)."""
    context = browser.new_context(
        locale="zh-CN", base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    tab = context.new_page()
    tab.js_errors = []  # type: ignore[attr-defined]
    tab.on("pageerror", lambda error: tab.js_errors.append(str(error)))
    return tab


def _fits(tab) -> None:  # type: ignore[no-untyped-def]
    tab.wait_for_load_state("domcontentloaded")  # a click's new page may not be parsed yet
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{tab.url} is {width}px wide on a 390px phone"


def test_a_whole_errand_from_posting_to_the_amount_owed(browser, live_server, personas, tmp_path):
    f.resident_home(personas.resident_a, room="602")
    second = f.volunteer("volunteer_a2", personas.organisations["volunteers_a1"])
    resident = _phone_for(browser, live_server, personas.resident_a)
    winner = _phone_for(browser, live_server, personas.volunteer_a)
    loser = _phone_for(browser, live_server, second)

    # The resident posts a need.
    resident.goto("/errands/")
    resident.get_by_role("link", name="我需要代购").click()
    _fits(resident)
    resident.get_by_text("买菜/生鲜").tap()
    resident.get_by_label("物品清单（每行一样：物品 数量 单位）").fill("西红柿 2 斤\n鸡蛋 1 盒")
    resident.get_by_label("预算（元）").fill("-5")
    resident.get_by_role("button", name="发布需求").tap()
    expect(resident.get_by_role("alert").filter(has_text="金额不能为负数")).to_be_visible()
    assert not Errand.objects.exists()
    resident.get_by_label("预算（元）").fill("60")
    resident.get_by_role("button", name="发布需求").tap()
    expect(resident.locator("h1")).to_contain_text("买菜/生鲜")
    errand = Errand.objects.get()
    expect(resident.locator(".er-code-digits")).to_have_text(errand.handoff_code)

    # Two volunteers see it and tap "claim" at once: one wins, the other is told.
    winner.goto("/errands/")
    loser.goto("/errands/")
    _fits(winner)
    expect(loser.locator(".er-open > li")).to_have_count(1)
    winner.locator(".er-open").get_by_role("button", name="认领").tap()
    expect(winner.get_by_role("status")).to_contain_text("认领成功")
    loser.locator(".er-open").get_by_role("button", name="认领").tap()
    expect(loser.get_by_role("alert")).to_have_text("手慢了：该需求已被其他志愿者认领")
    expect(loser.locator(".er-open > li")).to_have_count(0)

    # The winner sees what delivery needs, never the code; buys with a receipt and delivers.
    _fits(winner)
    expect(winner.locator("h1")).to_contain_text("1号楼 602")
    assert errand.handoff_code not in winner.locator(".gw-facts").inner_text()
    receipt = tmp_path / "receipt.png"
    receipt.write_bytes(f.png_bytes(40, 60))
    winner.get_by_label("垫付金额（元）").fill("45.50")
    winner.get_by_label("购物小票照片").set_input_files(str(receipt))
    winner.get_by_role("button", name="确认已购买").tap()
    expect(winner.locator("h1")).to_contain_text("已购买")
    winner.get_by_label("居民告知的收货码").fill(
        "0000" if errand.handoff_code != "0000" else "1111"
    )
    winner.get_by_role("button", name="确认送达").tap()
    expect(winner.get_by_role("alert")).to_contain_text("收货码不正确")
    code = resident.locator(".er-code-digits").inner_text()  # the resident reads it out
    winner.get_by_label("居民告知的收货码").fill(code)
    winner.get_by_role("button", name="确认送达").tap()
    expect(winner.locator("h1")).to_contain_text("已送达")

    # The resident confirms; the ledger shows what they owe the volunteer.
    resident.reload()
    resident.get_by_role("button", name="确认收货").tap()
    expect(resident.locator(".er-outstanding")).to_have_text("待还 45.50 元")
    _fits(resident)
    resident.get_by_role("link", name="账目").click()
    expect(resident.locator(".er-totals")).to_contain_text("45.50 元")
    owed = LedgerEntry.objects.get()
    assert (owed.kind, str(owed.amount), owed.volunteer) == ("owed", "45.50", personas.volunteer_a)
    for tab in (resident, winner, loser):
        assert tab.js_errors == []
        tab.context.close()
