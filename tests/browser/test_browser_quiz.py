"""A resident takes a quiz on a phone; the community's completion rate changes for its staff."""

import pytest

# Shared with the declaration flow (tests/browser is on sys.path, as pytest puts it there).
from test_browser_declaration import fits_the_phone

from civicgrid.accounts.actions import do_grant_role
from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.learning.tests import factories as f

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def test_a_resident_passes_a_quiz_and_the_community_completion_rate_rises(
    phone, page, live_server, personas, sign_in
):
    quiz = f.quiz(personas.province_officer, f.PROVINCE, pass_percent=100)
    f.live_in(personas.resident_a, f.COMMUNITY_A1)
    staff = User.objects.create_user("community_staff_a1", full_name="社区干部")
    do_grant_role(
        user=staff, organisation=personas.organisations["community_a1"], role=Role.COMMUNITY_STAFF
    )

    sign_in(page, staff)
    page.goto("/learning/completion/")
    total = page.get_by_test_id("completion-total")
    expect(total).to_contain_text("居民账号 1 个，已通过测验 0 人")
    expect(total).to_contain_text("0.0%")

    sign_in(phone, personas.resident_a)
    phone.goto("/learning/")
    phone.get_by_role("link", name=quiz.title).click()
    expect(phone.locator("h1")).to_have_text(quiz.title)
    # A first try with a question left out: the page names it and keeps what was chosen.
    phone.get_by_label("20 秒").check()
    phone.get_by_role("button", name="提交答卷").click()
    expect(phone.locator("[role=alert]")).to_contain_text("答卷未提交")
    expect(phone.locator(".ln-question").nth(1).locator(".errorlist")).to_have_text(
        "第 2 题还没有作答"
    )
    expect(phone.get_by_label("20 秒")).to_be_checked()
    phone.get_by_label("乘坐公共交通").check()
    phone.get_by_label("就医").check()
    assert fits_the_phone(phone)
    phone.get_by_role("button", name="提交答卷").click()

    expect(phone.locator("h1")).to_have_text("答题结果")
    expect(phone.locator(".ln-score")).to_contain_text("100 分")
    expect(phone.locator(".ln-score")).to_contain_text("通过")
    expect(phone.locator(".ln-explain").first).to_contain_text("不少于 20 秒")
    assert fits_the_phone(phone)
    assert phone.js_errors == []

    page.reload()
    expect(total).to_contain_text("居民账号 1 个，已通过测验 1 人")
    expect(total).to_contain_text("100.0%")
    expect(page.locator("#completion-chart")).to_have_attribute("data-rendered", "true")
    assert page.js_errors == []
