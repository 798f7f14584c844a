"""An appointment on phones and at the counter: a resident takes the last place of a slot and
sees the QR code; a second resident, who had the same slot on screen, is told it is full; the
first resident moves the booking to a later slot; on the day a clerk of the office checks the
booking in by typing its number, and the office's load page counts it.

The clock is real for booking (slots on the next working day); for the check-in it travels to
ten minutes before the new slot (time-machine patches the whole process, so the live server's
thread sees the same time; the browsers keep theirs, which nothing here reads).
"""

import datetime
import io

import pytest
import time_machine
from django.utils import timezone

from civicgrid.appointments.actions import find_booking_by_code
from civicgrid.appointments.models import Booking, Slot
from civicgrid.appointments.tests import factories as f
from civicgrid.core.workdays import calendar

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect
zxingcpp = pytest.importorskip("zxingcpp")
Image = pytest.importorskip("PIL.Image")

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def _resident_phone(browser, live_server, sign_in, user):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="zh-CN", base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.js_errors = []  # type: ignore[attr-defined]
    tab.on("pageerror", lambda error: tab.js_errors.append(str(error)))
    sign_in(tab, user)
    return tab


def _fits_phone(tab) -> None:  # type: ignore[no-untyped-def]
    tab.wait_for_load_state("domcontentloaded")  # a click's new page may not be parsed yet
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{tab.url} is {width}px wide on a 390px phone"


def _open_slot_page(tab, item_name: str, office_name: str, day: datetime.date) -> None:  # type: ignore[no-untyped-def]
    """Item → office → day, as a resident taps through the booking page."""
    tab.goto("/appointments/")
    tab.get_by_role("link", name="预约办事").click()
    tab.get_by_role("link", name=item_name).tap()
    tab.get_by_role("link", name=office_name).tap()
    tab.locator(f'.ap-days a[href$="day={day:%Y-%m-%d}"]').tap()


def test_last_place_full_slot_reschedule_and_check_in_by_number(
    browser, live_server, personas, sign_in, page, tmp_path
):
    department = personas.organisations["department_a"]
    thing = f.item(department, name="企业投资项目备案")
    hall = f.office(department, items=[thing], name="阜城县政务服务中心")
    counter = hall.counters.get()
    day = calendar.add_working_days(timezone.localdate(), 1)
    last_place = Slot.objects.create(
        counter=counter,
        office=hall,
        division_code=hall.division_code,
        date=day,
        starts_at=f.at(day, 10),
        ends_at=f.at(day, 10, 30),
        capacity=1,
    )
    later = Slot.objects.create(
        counter=counter,
        office=hall,
        division_code=hall.division_code,
        date=day,
        starts_at=f.at(day, 11),
        ends_at=f.at(day, 11, 30),
        capacity=2,
    )
    first = _resident_phone(browser, live_server, sign_in, personas.resident_a)
    second = _resident_phone(browser, live_server, sign_in, personas.resident_b)

    # Both residents reach the same day and see the 10:00 slot with one place left.
    for tab in (first, second):
        _open_slot_page(tab, thing.name, hall.name, day)
        expect(tab.get_by_label("10:00–10:30 · 1号窗口 余 1 个")).to_be_visible()
        _fits_phone(tab)
    first.screenshot(path=str(tmp_path / "1-slots.png"), full_page=True)

    # The first takes the last place and sees the QR code and the booking number.
    first.get_by_label("10:00–10:30 · 1号窗口 余 1 个").check()
    first.get_by_role("button", name="确认预约").tap()
    expect(first.get_by_role("status")).to_contain_text("预约成功")
    booking = Booking.objects.get()
    assert (booking.applicant, booking.slot) == (personas.resident_a, last_place)
    expect(first.get_by_role("img", name="预约签到码")).to_be_visible()
    expect(first.locator(".ap-facts .code")).to_have_text(booking.number)
    _fits_phone(first)
    first.screenshot(path=str(tmp_path / "2-qr.png"), full_page=True)
    # What a counter's scanner reads off the phone's screen names this booking.
    shot = first.get_by_role("img", name="预约签到码").screenshot()
    (scanned,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert find_booking_by_code(scanned.text) == booking

    # The second, with the slot still on screen, is told it is full; nothing is booked.
    second.get_by_label("10:00–10:30 · 1号窗口 余 1 个").check()
    second.get_by_role("button", name="确认预约").tap()
    expect(second.get_by_role("alert")).to_have_text("该时段已约满，请选择其他时段")
    expect(second.get_by_label("10:00–10:30 · 1号窗口 余 1 个")).to_have_count(0)
    assert Booking.objects.count() == 1
    assert Slot.objects.get(pk=last_place.pk).booked == 1
    _fits_phone(second)

    # The first moves the booking to 11:00; the 10:00 place is free again.
    first.get_by_role("link", name="改约").tap()
    first.locator(f'.ap-days a[href$="day={day:%Y-%m-%d}"]').tap()
    first.get_by_label("11:00–11:30 · 1号窗口").check()
    first.get_by_role("button", name="确认改约").tap()
    expect(first.get_by_role("status")).to_contain_text("已改约")
    expect(first.locator(".ap-facts")).to_contain_text("11:00–11:30")
    booking.refresh_from_db()
    assert booking.slot == later and booking.rescheduled_count == 1
    assert Slot.objects.get(pk=last_place.pk).booked == 0
    _fits_phone(first)

    # On the day, ten minutes before 11:00, clerk_a types the number at the check-in form.
    with time_machine.travel(f.at(day, 10, 50), tick=True):
        sign_in(page, personas.clerk_a)
        page.goto(f"/appointments/staff/{hall.pk}/")
        expect(page.locator(".ap-scan-note")).to_contain_text("扫码枪")
        page.get_by_label("预约码").fill("YY000000XXXXXX")
        page.get_by_role("button", name="签到").click()
        expect(page.locator(".errorlist")).to_contain_text("无法识别的预约码")
        page.get_by_label("预约码").fill(booking.number.lower())
        page.get_by_role("button", name="签到").click()
        expect(page.get_by_role("status")).to_contain_text("已签到：resident_a")
        expect(page.get_by_role("status")).to_contain_text(booking.number)
        row = page.locator("table.list tr", has_text=booking.number)
        expect(row).to_contain_text("已签到")
        page.screenshot(path=str(tmp_path / "3-check-in.png"), full_page=True)

        # The load page counts the booking on its day: 1 of 3 places taken, 1 checked in.
        page.get_by_role("link", name="负荷").first.click()
        load_row = page.locator("table.ap-load tbody tr", has_text=f"{day:%Y-%m-%d}")
        expect(load_row.locator("td.num")).to_have_text(["1", "3", "1", "0"])
        expect(load_row).to_contain_text("33%")
        page.screenshot(path=str(tmp_path / "4-load.png"), full_page=True)
        load_row.get_by_role("link").click()
        expect(page.locator("table.list tr", has_text=booking.number)).to_contain_text("已签到")

    booking.refresh_from_db()
    assert (booking.status, booking.checked_in_by) == ("checked_in", personas.clerk_a)
    for tab in (first, second):
        assert tab.js_errors == []
        tab.context.close()
    print(f"screenshots in {tmp_path}")
