"""Signing in through the real pages: a resident with an SMS code, staff with a password."""

import re

import pytest

from civicgrid.core import sms
from civicgrid.core.testing import TEST_PASSWORD

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect

pytestmark = pytest.mark.browser

PHONE_WIDTH = 390
MOBILE = "13912345678"


@pytest.fixture(autouse=True)
def _sms_to_memory(settings):  # type: ignore[no-untyped-def]
    # As in src/civicgrid/conftest.py, which tests/conftest.py does not re-export: texts go to
    # the in-memory outbox, which the live server (a thread of this process) appends to.
    settings.SMS_BACKEND = "civicgrid.core.sms.LocmemSmsBackend"
    sms.outbox.clear()


def code_sent_to(mobile: str) -> str:
    """The six digits of the last sign-in text to `mobile` (the tests' in-memory SMS outbox)."""
    texts = [message.text for message in sms.outbox if message.mobile == mobile]
    assert texts, f"no text was sent to {mobile}"
    found = re.search(r"\d{6}", texts[-1])
    assert found, texts[-1]
    return found.group()


def test_a_resident_signs_in_with_an_sms_code_and_sees_who_read_their_data(phone):
    phone.goto("/accounts/login/code/")
    phone.get_by_label("手机号码").fill(MOBILE)
    phone.get_by_role("button", name="获取验证码").click()

    expect(phone.locator("h1")).to_have_text("输入验证码")
    expect(phone.locator("main")).to_contain_text("139****5678")  # masked, even to its owner
    code = code_sent_to(MOBILE)
    wrong = "000000" if code != "000000" else "111111"
    phone.get_by_label("短信验证码").fill(wrong)
    phone.get_by_role("button", name="登录").click()
    expect(phone.locator(".errorlist")).to_contain_text("验证码不正确")

    phone.get_by_label("短信验证码").fill(code)
    phone.get_by_role("button", name="登录").click()
    expect(phone).to_have_url(re.compile(r"/accounts/workspace/$"))
    # A first sign-in opens a resident account with no name yet: greeted without one.
    expect(phone.locator("h1")).to_have_text("您好")
    expect(phone.locator(".cards")).to_contain_text("我的家庭")

    phone.locator(".mainnav").get_by_role("link", name="谁查看了我的数据").click()
    expect(phone.locator("h1")).to_have_text("谁查看了我的数据")
    expect(phone.locator("main")).to_contain_text("暂无记录")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert phone.js_errors == []


def test_staff_see_a_wrong_password_rejected_then_sign_in_to_their_workspace(page, personas):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("county_a_officer")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()

    error = page.locator("p.error[role=alert]")
    expect(error).to_have_text("用户名或密码错误")
    expect(error).to_be_visible()
    expect(error).to_have_css("color", "rgb(197, 48, 48)")  # --bad: styled, not plain text
    expect(page.get_by_label("用户名")).to_have_value("county_a_officer")  # kept for a retry

    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/workspace/$"))
    expect(page.locator("h1")).to_have_text("county_a_officer，您好")
    expect(page.locator("main")).to_contain_text("阜城县疫情防控办公室 · 县级工作人员")
    expect(page.locator(".cards .card").first).to_be_visible()
    expect(page.locator(".mainnav")).to_contain_text("退出")
    assert page.js_errors == []
