"""Appeals and closures over the API: the same actions, rules and refusals as the pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.appointments.models import BlockAppeal, Booking, BookingBlock, Closure, Slot
from civicgrid.appointments.tests import factories as f
from civicgrid.core.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return f.live_world(personas)


def _error(response):
    body = response.json()
    return response.status_code, body.get("details", {}).get("field"), body["message"]


def test_a_blocked_resident_reads_the_block_files_one_appeal_and_sees_it(client, personas, world):
    client.force_login(personas.resident_a)
    url = reverse("api:appointments_appeals")
    assert client.get(reverse("api:appointments_block")).status_code == 204
    assert _error(client.post(url, {"text": "生病"})) == (
        422,
        "block",
        "您目前没有预约限制，无需申诉",
    )
    f.block(personas.resident_a, world["office"])
    block = client.get(reverse("api:appointments_block")).json()
    assert block["no_shows"] == 3 and block["appeal"] is None
    assert _error(client.post(url, {"text": "   "})) == (422, "text", "请填写申诉理由")
    assert _error(client.post(url, {"text": "长" * 501})) == (
        422,
        "text",
        "申诉理由不能超过 500 字",
    )
    assert client.post(url, {}).status_code == 422  # the field missing altogether
    assert not BlockAppeal.objects.exists()
    filed = client.post(url, {"text": "那天孩子发烧住院"})
    assert filed.status_code == 201
    assert filed.json()["status"] == "pending" and filed.json()["applicant"] == "resident_a"
    again = client.post(url, {"text": "再说一次"})
    assert _error(again) == (422, "block", "您已对该限制提出过申诉，请等待处理")
    assert BlockAppeal.objects.count() == 1
    block = client.get(reverse("api:appointments_block")).json()
    assert block["appeal"]["text"] == "那天孩子发烧住院"


def test_staff_list_appeals_masked_and_decide_with_a_reason(client, personas):
    personas.resident_a.full_name = "王小明"
    personas.resident_a.save()
    appeal = f.blocked_with_appeal(personas)
    client.force_login(personas.clerk_b)
    assert client.get(reverse("api:appointments_appeals")).json()["count"] == 0
    decide = reverse("api:appointments_appeal_decide", args=[appeal.pk])
    assert client.post(decide, {"decision": "grant", "reason": "属实"}).status_code == 404
    client.force_login(personas.clerk_a)
    page = client.get(reverse("api:appointments_appeals"), {"status": "pending"}).json()
    assert page["count"] == 1 and page["items"][0]["applicant"] == "王**"
    assert page["items"][0]["text"] == "住院"
    assert _error(client.post(decide, {"decision": "grant", "reason": " "})) == (
        422,
        "reason",
        "请填写处理意见",
    )
    bad = client.post(decide, {"decision": "maybe", "reason": "属实"})
    assert bad.status_code == 422 and "decision" in bad.json()["message"]
    assert BlockAppeal.objects.get().status == "pending"
    granted = client.post(decide, {"decision": "grant", "reason": "住院证明属实"})
    assert granted.status_code == 200 and granted.json()["status"] == "granted"
    assert BookingBlock.objects.get().lifted_at is not None
    twice = client.post(decide, {"decision": "refuse", "reason": "改主意"})
    assert _error(twice) == (422, "appeal", "该申诉已处理")
    assert AuditRecord.objects.filter(details__event="appeal_granted").count() == 1
    client.force_login(personas.resident_a)
    assert client.get(reverse("api:appointments_block")).status_code == 204  # lifted
    assert client.get(reverse("api:appointments_appeals")).status_code == 403


def test_staff_close_a_day_cancelling_its_bookings_and_reopen_it(client, personas, world):
    office, booking = world["office"], world["booking"]
    url = reverse("api:appointments_closures", args=[office.pk])
    day = booking.starts_at.astimezone(timezone.get_current_timezone()).date()
    client.force_login(personas.clerk_a)
    assert _error(client.post(url, {"date": day.isoformat(), "reason": ""})) == (
        422,
        "reason",
        "请填写闭厅原因",
    )
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert _error(client.post(url, {"date": past, "reason": "停电"})) == (
        422,
        "date",
        "不能设置过去的日期",
    )
    bad_date = client.post(url, {"date": "明天", "reason": "停电"})
    assert bad_date.status_code == 422 and "date" in bad_date.json()["message"]
    assert not Closure.objects.exists()
    assert Booking.objects.get(pk=booking.pk).status == "booked"

    closed = client.post(url, {"date": day.isoformat(), "reason": "停电检修"})
    assert closed.status_code == 201 and closed.json()["reason"] == "停电检修"
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by, booking.cancel_reason) == (
        "cancelled",
        "office",
        "停电检修",
    )
    assert not Slot.objects.filter(office=office, date=day, is_open=True).exists()
    twice = client.post(url, {"date": day.isoformat(), "reason": "再关"})
    assert twice.status_code == 422 and twice.json()["details"]["field"] == "date"
    assert [c["date"] for c in client.get(url).json()] == [day.isoformat()]

    closure = Closure.objects.get()
    reopen = reverse("api:appointments_closure_reopen", args=[office.pk, closure.pk])
    client.force_login(personas.clerk_b)
    assert client.post(reopen).status_code == 404
    assert client.post(url, {"date": day.isoformat(), "reason": "x"}).status_code == 404
    client.force_login(personas.clerk_a)
    assert client.post(reopen).status_code == 204
    assert not Closure.objects.exists()
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"  # the applicant was told
    assert client.post(reopen).status_code == 404
