"""The community brain on phones: the QR code of a printed gate poster, read by a real decoder,
opened by a resident who records out and in and reports the household's health; the fever rule
alerts the grid worker, the community dashboard shows it, and the grid worker settles it from
their worklist."""

import io
from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings
from django.test import Client

from civicgrid.community import actions
from civicgrid.community.models import Alert, PassRecord
from civicgrid.community.tests import factories as f
from civicgrid.core.notifications.models import Notification
from civicgrid.population.tests import factories as pf

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
pypdfium2 = pytest.importorskip("pypdfium2")
zxingcpp = pytest.importorskip("zxingcpp")
expect = sync_api.expect

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _tab(browser, live_server, user, viewport=PHONE):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", base_url=live_server.url, viewport=viewport)
    context.set_default_timeout(15_000)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context.new_page()


def _decode_poster(staff, gate) -> str:
    client = Client()
    client.force_login(staff)
    pdf = client.get(f"/community/checkpoints/{gate.pk}/poster.pdf").content
    image = pypdfium2.PdfDocument(io.BytesIO(pdf))[0].render(scale=2).to_pil()
    (code,) = zxingcpp.read_barcodes(image)
    return code.text


def test_a_resident_scans_the_poster_reports_a_fever_and_the_grid_worker_is_alerted(
    browser, live_server, personas, tmp_path
):
    household, (wang, li) = f.home(personas.resident_a, members=("王芳", "李强"))
    pf.assign(personas.grid_worker_a1, grid_index=0)
    staff = f.community_staff(personas)
    gate = f.checkpoint(personas)
    actions.do_save_alert_rule(
        staff, division_code=f.COMMUNITY_A1, kind="fever", threshold=None, is_active=True
    )
    url = urlparse(_decode_poster(staff, gate))
    assert url.path.startswith("/community/s/P.")

    phone = _tab(browser, live_server, personas.resident_a)
    phone.goto(url.path)
    phone.get_by_role("button", name="出", exact=True).click()
    expect(phone.locator(".cb-confirm-direction")).to_have_text("出")
    expect(phone.locator(".cb-confirm-name")).to_contain_text("王*")
    expect(phone.locator(".cb-health")).to_contain_text("未报告")
    phone.screenshot(path=str(tmp_path / "confirm-out.png"), full_page=True)
    phone.goto(url.path)
    phone.get_by_role("button", name="进", exact=True).click()
    expect(phone.locator(".cb-confirm-direction")).to_have_text("进")
    assert list(PassRecord.objects.order_by("pk").values_list("direction", flat=True)) == [
        "out",
        "in",
    ]

    phone.goto("/community/me/health/")
    phone.get_by_label("体温 ℃").nth(0).fill("38.4")
    phone.get_by_label("体温 ℃").nth(1).fill("36.5")
    phone.get_by_role("button", name="提交今日健康情况").click()
    expect(phone.get_by_text("今天的家庭健康情况已报告")).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]

    alert = Alert.objects.get()
    assert Notification.objects.filter(
        recipient=personas.grid_worker_a1, url=f"/community/alerts/{alert.pk}/"
    ).exists()
    desk = _tab(browser, live_server, staff, viewport={"width": 1200, "height": 900})
    desk.goto(f"/community/?c={f.COMMUNITY_A1}")
    expect(desk.locator('[data-figure="fever"]')).to_have_text("1")
    expect(desk.locator('[data-figure="open-alerts"]')).to_have_text("1")
    expect(desk.locator("#hourly-chart")).to_have_attribute("data-rendered", "true")
    desk.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    # The grid worker's day starts at the worklist: the alert is a task there, a tap from its
    # check; once the finding is recorded it is off the list, and the household's page shows
    # the community brain's figures.
    worker = _tab(browser, live_server, personas.grid_worker_a1)
    worker.goto("/population/grid/worklist/")
    task = worker.locator("#community-alerts + p + ol .gw-card")
    expect(task).to_contain_text("报告发热")
    task.get_by_role("link", name="核实处理").click()
    expect(worker.locator("dl")).to_contain_text("王*")
    worker.get_by_text("属实", exact=True).click()
    worker.get_by_label("核实情况").fill("电话确认，已陪同去发热门诊")
    worker.get_by_role("button", name="记录核实结果").click()
    expect(worker.get_by_text("核实结果已记录。")).to_be_visible()
    worker.goto("/population/grid/worklist/")
    expect(worker.locator("#community-alerts")).to_have_count(0)
    worker.goto(f"/population/grid/households/{household.pk}/")
    expect(worker.locator("#community-brain + dl")).to_contain_text("有人发热")
    assert Alert.objects.get().finding == "电话确认，已陪同去发热门诊"
    assert household.health_reports.get().has_fever and li.pk and wang.pk


def test_a_resident_under_home_observation_is_told_to_stay_home_and_reports_a_check(
    browser, live_server, personas
):
    """The line list's observation reaches the gate: the confirmation says to stay home, the
    grid worker is alerted, and the resident's page leads to the twice-daily check."""
    _household, (wang,) = f.home(personas.resident_a)
    pf.assign(personas.grid_worker_a1, grid_index=0)
    staff = f.community_staff(personas)
    gate = f.checkpoint(personas)
    actions.do_save_alert_rule(
        staff, division_code=f.COMMUNITY_A1, kind="observed_out", threshold=None, is_active=True
    )
    observation = f.observe_at_home(personas, wang)
    url = urlparse(_decode_poster(staff, gate))

    phone = _tab(browser, live_server, personas.resident_a)
    phone.goto(url.path)
    phone.get_by_role("button", name="出", exact=True).click()
    expect(phone.locator(".cb-observed")).to_have_text("医学观察期内，请勿外出，请返回家中")
    alert = Alert.objects.get(rule__kind="observed_out")
    assert Notification.objects.filter(
        recipient=personas.grid_worker_a1, url=f"/community/alerts/{alert.pk}/"
    ).exists()

    phone.goto("/community/me/")
    card = phone.locator(f'[data-observation="{observation.pk}"]')
    expect(card).to_contain_text("还没有报告过体温")
    card.get_by_role("link", name="报告体温").click()
    expect(phone.get_by_role("heading", name="我的医学观察")).to_be_visible()
    expect(phone.get_by_role("link", name="随访清单")).to_have_count(0)
    phone.get_by_label("体温（℃）").fill("36.6")
    phone.get_by_role("button", name="保存").click()
    expect(phone.get_by_test_id("checks")).to_contain_text("36.6")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.goto("/community/me/")
    expect(card).to_contain_text("36.6 ℃")
