"""Check-in at the office by the device's camera: Chromium's fake camera plays a video of the
applicant's booking QR code (the text the booking page's code carries); the clerk presses
用摄像头扫码 and the booking is checked in without typing — through the same form and the same
server checks as a typed code. A browser without a usable camera says so and keeps the form."""

import io
from pathlib import Path

import pytest
import segno

from civicgrid.appointments.actions import booking_token
from civicgrid.appointments.models import Booking
from civicgrid.appointments.tests import factories as f

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect
Image = pytest.importorskip("PIL.Image")

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 640, 480


def write_y4m(path: Path, text: str, frames: int = 5) -> Path:
    """A still video (YUV 4:2:0) of the QR code of `text` on white, as a camera would see a
    phone screen held up to it."""
    png = io.BytesIO()
    segno.make(text, error="m").save(png, kind="png", scale=6, border=4)
    code = Image.open(png).convert("L")
    picture = Image.new("L", (WIDTH, HEIGHT), 255)
    picture.paste(code, ((WIDTH - code.width) // 2, (HEIGHT - code.height) // 2))
    luma = picture.tobytes()
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n" + luma + chroma + chroma)
    return path


def test_a_clerk_checks_a_booking_in_with_the_camera(
    browser_with_camera, live_server, personas, sign_in, tmp_path
):
    world = f.live_world(personas)
    arriving = world["arriving"]
    camera = browser_with_camera(write_y4m(tmp_path / "qr.y4m", booking_token(arriving)))
    context = camera.new_context(locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, personas.clerk_a)

    page.goto(f"/appointments/staff/{world['office'].pk}/")
    page.get_by_role("button", name="用摄像头扫码").click()
    # The code is read from the video, put in the form and submitted: the page comes back
    # with the check-in confirmation.
    expect(page.locator(".notice[role=status]")).to_contain_text(arriving.number)
    expect(page.locator("table.list tr", has_text=arriving.number)).to_contain_text("已签到")
    expect(page.get_by_role("button", name="关闭摄像头")).to_be_hidden()
    page.screenshot(path=str(tmp_path / "camera-check-in.png"), full_page=True)
    arriving.refresh_from_db()
    assert (arriving.status, arriving.checked_in_by) == ("checked_in", personas.clerk_a)
    assert Booking.objects.get(pk=world["booking"].pk).status == "booked"  # only that one
    assert errors == []
    context.close()


def test_without_a_camera_the_page_says_so_and_the_form_still_works(
    browser, live_server, personas, sign_in
):
    world = f.live_world(personas)
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, personas.clerk_a)
    page.goto(f"/appointments/staff/{world['office'].pk}/")
    # Headless Chromium without a fake device has no camera: asking for it fails.
    page.get_by_role("button", name="用摄像头扫码").click()
    expect(page.locator("[data-camera-status]")).to_contain_text("无法使用摄像头")
    expect(page.get_by_role("button", name="用摄像头扫码")).to_be_visible()
    page.get_by_label("预约码").fill(world["arriving"].number)
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.locator(".notice[role=status]")).to_contain_text(world["arriving"].number)
    context.close()
