"""The pages: an applicant books item → office → day → slot on a phone, sees the QR code,
reschedules and cancels; office staff check in, read load, close a day and decide appeals."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.appointments.models import BlockAppeal, Booking, Closure
from civicgrid.appointments.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return f.live_world(personas)


def test_an_applicant_walks_through_the_four_steps_and_books(client, personas, world):
    client.force_login(personas.enterprise_agent_a)
    url = reverse("appointments:booking_create")
    thing = world["items"][0]
    office, slot = world["office"], world["slots"][1]
    assert thing.name in client.get(url).content.decode()
    assert office.name in client.get(url, {"item": thing.pk}).content.decode()
    page = client.get(url, {"item": thing.pk, "office": office.pk}).content.decode()
    assert slot.date.isoformat() in page
    page = client.get(
        url, {"item": thing.pk, "office": office.pk, "day": slot.date.isoformat()}
    ).content.decode()
    assert f'value="{slot.pk}"' in page
    response = client.post(
        url, {"item": thing.pk, "office": office.pk, "day": slot.date.isoformat(), "slot": slot.pk}
    )
    booking = Booking.objects.get(applicant=personas.enterprise_agent_a)
    assert response.status_code == 302 and response["Location"] == reverse(
        "appointments:booking_detail", args=[booking.pk]
    )
    detail = client.get(response["Location"]).content.decode()
    assert "<svg" in detail and booking.number in detail


def test_a_refused_booking_shows_the_reason_on_the_page(client, personas, world):
    client.force_login(personas.resident_a)  # already holds an active booking of the first item
    thing, office, slot = world["items"][0], world["office"], world["slots"][1]
    response = client.post(
        reverse("appointments:booking_create"),
        {"item": thing.pk, "office": office.pk, "day": slot.date.isoformat(), "slot": slot.pk},
    )
    assert response.status_code == 200
    assert "您已预约该事项" in response.content.decode()
    assert Booking.objects.filter(applicant=personas.resident_a).count() == 2


def test_bad_step_values_fall_back_to_the_choice_instead_of_failing(client, personas, world):
    client.force_login(personas.resident_a)
    url = reverse("appointments:booking_create")
    assert client.get(url, {"item": "abc"}).status_code == 200
    assert (
        client.get(
            url, {"item": world["items"][0].pk, "office": "x", "day": "2026-13-40"}
        ).status_code
        == 200
    )
    response = client.post(
        url, {"item": world["items"][1].pk, "office": world["office"].pk, "slot": "nope"}
    )
    assert "请选择一个时段" in response.content.decode()


def test_reschedule_and_cancel_pages(client, personas, world):
    client.force_login(personas.resident_a)
    booking, new = world["booking"], world["slots"][1]
    url = reverse("appointments:booking_reschedule", args=[booking.pk])
    assert f'value="{new.pk}"' in client.get(url, {"day": new.date.isoformat()}).content.decode()
    assert client.post(url, {"slot": new.pk}).status_code == 302
    booking.refresh_from_db()
    assert booking.slot_id == new.pk
    client.post(reverse("appointments:booking_cancel", args=[booking.pk]), {"reason": "不去了"})
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert (
        "<svg"
        not in client.get(
            reverse("appointments:booking_detail", args=[booking.pk])
        ).content.decode()
    )


def test_staff_see_the_day_per_counter_with_masked_names_and_check_in(client, personas, world):
    personas.resident_a.full_name = "王小明"
    personas.resident_a.save()
    client.force_login(personas.clerk_a)
    office = world["office"]
    arriving = world["arriving"]
    day = client.get(reverse("appointments:office_day", args=[office.pk])).content.decode()
    assert "1号窗口" in day and arriving.number in day and "王**" in day and "王小明" not in day
    response = client.post(
        reverse("appointments:office_check_in", args=[office.pk]), {"code": "YY9"}
    )
    assert response.status_code == 422 and "无法识别的预约码" in response.content.decode()
    response = client.post(
        reverse("appointments:office_check_in", args=[office.pk]), {"code": arriving.number}
    )
    assert response.status_code == 200 and "已签到：王小明" in response.content.decode()


def test_the_load_page_shows_booked_against_capacity(client, personas, world):
    client.force_login(personas.clerk_a)
    page = client.get(
        reverse("appointments:office_load", args=[world["office"].pk]),
        {"start": world["slots"][0].date.isoformat()},
    ).content.decode()
    row = re.search(r"<td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", page)
    assert row is not None and row.groups() == ("1", "6")


def test_a_closure_with_a_bad_date_is_refused_and_a_good_one_cancels_the_day(
    client, personas, world
):
    client.force_login(personas.clerk_a)
    office, booking = world["office"], world["booking"]
    url = reverse("appointments:office_closure", args=[office.pk])
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    client.post(url, {"date": yesterday.isoformat(), "reason": "停电"})
    client.post(url, {"date": "not a date", "reason": "停电"})
    assert not Closure.objects.exists()
    client.post(url, {"date": booking.starts_at.date().isoformat(), "reason": "停电检修"})
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.cancel_reason == "停电检修"


def test_staff_decide_an_appeal_from_the_list(client, personas):
    appeal = f.blocked_with_appeal(personas)
    client.force_login(personas.clerk_a)
    assert "住院" in client.get(reverse("appointments:appeal_list")).content.decode()
    url = reverse("appointments:appeal_decide", args=[appeal.pk])
    client.post(url, {"decision": "grant", "reason": ""})
    assert BlockAppeal.objects.get().status == "pending"
    client.post(url, {"decision": "refuse", "reason": "无正当理由"})
    assert BlockAppeal.objects.get().status == "refused"


def test_a_blocked_applicant_sees_why_and_can_appeal(client, personas, world):
    from civicgrid.appointments.models import BookingBlock

    BookingBlock.objects.create(
        applicant=personas.resident_b, office=world["office"], division_code=world["office"].division_code,
        starts_at=timezone.now(), ends_at=timezone.now() + datetime.timedelta(days=30), no_shows=3,
    )  # fmt: skip
    client.force_login(personas.resident_b)
    assert "提出申诉" in client.get(reverse("appointments:booking_list")).content.decode()
    response = client.post(reverse("appointments:appeal"), {"text": "孩子生病"})
    assert response.status_code == 302
    assert BlockAppeal.objects.get().text == "孩子生病"


def test_an_applicant_without_a_block_is_not_shown_one(client, personas, world):
    # Regression: the context variable used to be called "block", which inside {% block %}
    # is the template block itself, so every applicant was told they were blocked.
    client.force_login(personas.resident_b)
    page = client.get(reverse("appointments:booking_list")).content.decode()
    assert "不能预约" not in page and "提出申诉" not in page
    assert reverse("appointments:booking_create") in page
    appeal = client.get(reverse("appointments:appeal")).content.decode()
    assert "您目前没有预约限制" in appeal and "<textarea" not in appeal
