"""A grid worker on a 390 px phone: finds a household by the last 4 digits of a mobile, records
a screening visit, and taps to call a resident."""

import pytest

from civicgrid.core.audit.models import AuditRecord
from civicgrid.population.actions import subject_key_of
from civicgrid.population.choices import Relationship
from civicgrid.population.models import ScreeningVisit
from civicgrid.population.tests import factories as f

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect

pytestmark = pytest.mark.browser
PHONE_WIDTH = 390


@pytest.fixture
def grid(personas):
    f.assign(personas.grid_worker_a1, grid_index=0)
    wanted = f.household(grid_index=0, room="301")
    head = f.person(wanted, "张伟", relationship=Relationship.HEAD, mobile="13800005678")
    f.person(wanted, "李娜", relationship=Relationship.SPOUSE)
    for n in range(6):
        other = f.household(grid_index=0, room=f"1{n:02d}")
        f.person(other, f"邻居{n}", relationship=Relationship.HEAD, mobile=f"1390000{n:04d}")
    return {"household": wanted, "head": head}


def _fits_the_phone(phone) -> None:  # type: ignore[no-untyped-def]
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{phone.url} is {width}px wide on a {PHONE_WIDTH}px phone"


def test_a_grid_worker_finds_a_household_by_the_last_4_digits_and_records_a_visit(
    phone, live_server, personas, grid, sign_in
):
    sign_in(phone, personas.grid_worker_a1)
    phone.goto("/population/grid/")
    expect(phone.locator(".gw-households > li")).to_have_count(7)
    _fits_the_phone(phone)

    phone.get_by_placeholder("姓名、拼音、门牌或手机尾号").fill("5678")
    cards = phone.locator(".gw-households > li")
    expect(cards).to_have_count(1)  # live results, without pressing 查找
    expect(cards.first).to_contain_text("张伟")
    expect(phone).to_have_url(f"{live_server.url}/population/grid/?q=5678&tag=")

    cards.first.get_by_role("link", name="记录走访").click()
    expect(phone.locator("h1")).to_contain_text("记录走访")
    _fits_the_phone(phone)
    phone.get_by_text("张伟（户主）").tap()
    phone.get_by_text("电话联系").tap()
    save = phone.get_by_role("button", name="保存走访记录")
    box = save.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= PHONE_WIDTH * 0.8
    save.tap()
    expect(phone.get_by_role("status")).to_contain_text("已保存")
    expect(phone.get_by_role("status")).to_contain_text("联系到 1 人")

    visit = ScreeningVisit.objects.get()
    assert visit.household == grid["household"] and visit.method == "phone"
    assert list(visit.reached.all()) == [grid["head"]]
    assert visit.recorded_by == personas.grid_worker_a1
    assert phone.js_errors == []


def test_a_grid_worker_taps_to_call_and_the_read_is_audited(
    phone, live_server, personas, grid, sign_in
):
    sign_in(phone, personas.grid_worker_a1)
    phone.goto(f"/population/grid/households/{grid['household'].pk}/")
    _fits_the_phone(phone)
    expect(phone.get_by_text("138****5678")).to_be_visible()
    phone.get_by_text("拨打电话").tap()
    phone.get_by_role("button", name="入户排查联系").tap()
    call = phone.get_by_role("link", name="拨打 13800005678")
    expect(call).to_have_attribute("href", "tel:13800005678")
    record = AuditRecord.objects.get(action="view_unmasked")
    assert record.subject_key == subject_key_of(grid["head"])
    assert phone.js_errors == []


def test_a_risky_survey_answer_reaches_the_worklist_and_a_visit_follows_it_up(
    phone, live_server, personas, grid, sign_in
):
    from civicgrid.population.models import Survey, SurveyQuestion, SurveyResponse

    survey = Survey.objects.create(title="返乡人员防疫调查", division_code="131128000000")
    SurveyQuestion.objects.create(
        survey=survey, text="14 天内是否到过中高风险地区？", kind="yes_no", risk_answer="是"
    )
    resident = personas.resident_a
    resident.id_number = grid["head"].id_number.reveal()  # the register knows her as 张伟
    resident.save()

    # The resident answers on her phone.
    sign_in(phone, resident)
    phone.goto("/population/self/")
    phone.get_by_role("link", name="返乡人员防疫调查").tap()
    phone.get_by_label("是").check()
    phone.get_by_role("button", name="提交").tap()
    expect(phone.get_by_text("网格员会与您联系")).to_be_visible()

    # Her grid worker finds it on the worklist, and the visit form comes with her ticked.
    sign_in(phone, personas.grid_worker_a1)
    phone.goto("/population/grid/worklist/")
    card = phone.locator("#follow-ups ~ ol .gw-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("14 天内是否到过中高风险地区？ 是")
    _fits_the_phone(phone)
    card.get_by_role("link", name="记录走访").tap()
    expect(phone.locator("input[name=reached]:checked")).to_have_count(1)
    phone.get_by_text("电话联系").tap()
    phone.get_by_role("button", name="保存走访记录").tap()
    expect(phone.get_by_role("status")).to_contain_text("已完成 1 份防疫调查答卷的跟进")

    answer = SurveyResponse.objects.get()
    assert answer.followed_up_by == ScreeningVisit.objects.get()
    phone.goto("/population/grid/worklist/")
    expect(phone.locator("#follow-ups")).to_have_count(0)
    assert phone.js_errors == []
