"""The background-task demo: a county officer starts a task and watches its bar fill up."""

import time

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect

pytestmark = pytest.mark.browser

# The real task runs in the web request that enqueues it (after commit), so the test needs no
# worker process; a second tab watches the progress through the page's own htmx polling.
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_a_county_officers_demo_task_bar_advances_to_100_percent(
    page, live_server, settings, personas, sign_in
):
    settings.TASKS = IMMEDIATE
    settings.DEMO_TASK_STEP_SECONDS = 0.25  # 20 steps: about five seconds, several polls
    sign_in(page, personas.county_a_officer)

    page.goto("/")
    page.locator(".mainnav").get_by_role("link", name="后台任务").click()
    expect(page.locator("h1")).to_have_text("后台任务演示")
    page.get_by_role("button", name="启动演示任务").click()

    # A second tab opened while the task runs lists it under recent tasks and polls it.
    watcher = page.context.new_page()
    for _ in range(50):
        watcher.goto("/tasks/demo/")
        if watcher.locator(".task-progress").count():
            break
        watcher.wait_for_timeout(100)
    bar = watcher.locator(".task-progress [role=progressbar]")
    seen: list[int] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        value = int(bar.get_attribute("aria-valuenow") or 0)
        if not seen or seen[-1] != value:
            seen.append(value)
        if value == 100:
            break
        watcher.wait_for_timeout(150)
    assert seen[-1] == 100, seen
    assert seen == sorted(seen), seen
    assert any(0 < value < 100 for value in seen), f"no intermediate progress seen: {seen}"
    expect(watcher.locator(".task-progress .tag")).to_have_text("已完成")

    # The first tab's htmx request returns the finished bar, which stops polling.
    area = page.locator("#progress-area")
    expect(area.locator("[role=progressbar]")).to_have_attribute("aria-valuenow", "100")
    expect(area.locator(".tag")).to_have_text("已完成")
    expect(area).to_contain_text("20 / 20 · 100%")
    expect(area.locator(".task-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    assert page.js_errors == []


def test_the_demo_is_offered_neither_to_anonymous_visitors_nor_to_residents(
    page, live_server, personas, sign_in
):
    page.goto("/")
    expect(page.locator(".mainnav")).not_to_contain_text("后台任务")
    page.goto("/tasks/demo/")
    expect(page.locator("#id_password")).to_be_visible()  # sent to sign in first

    sign_in(page, personas.resident_a)
    page.goto("/")
    expect(page.locator(".mainnav")).to_contain_text("工作台")
    expect(page.locator(".mainnav")).not_to_contain_text("后台任务")
