"""The API: the same rules as the pages, with JSON answers."""

import pytest
from django.urls import reverse

from civicgrid.appointments.models import Booking, Slot
from civicgrid.appointments.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return f.live_world(personas)


def test_an_applicant_finds_offices_and_slots_and_books(client, personas, world):
    client.force_login(personas.enterprise_agent_a)
    thing = world["items"][0]
    offices = client.get(reverse("api:appointments_offices"), {"item": thing.pk}).json()
    assert [o["id"] for o in offices] == [world["office"].pk]
    slots = client.get(
        reverse("api:appointments_slots", args=[world["office"].pk]), {"item": thing.pk}
    ).json()
    assert world["slots"][1].pk in [s["id"] for s in slots]
    response = client.post(
        reverse("api:appointments_bookings"), {"slot_id": world["slots"][1].pk, "item_id": thing.pk}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["token"] and body["status"] == "booked" and body["item_id"] == thing.pk


def test_a_full_slot_is_a_conflict_and_a_second_booking_of_an_item_is_invalid(
    client, personas, world
):
    slot = Slot.objects.get(pk=world["slots"][1].pk)
    Slot.objects.filter(pk=slot.pk).update(booked=slot.capacity)
    client.force_login(personas.enterprise_agent_a)
    response = client.post(
        reverse("api:appointments_bookings"), {"slot_id": slot.pk, "item_id": world["items"][0].pk}
    )
    assert response.status_code == 409
    assert response.json()["message"] == "该时段已约满，请选择其他时段"
    client.force_login(personas.resident_a)
    Slot.objects.filter(pk=slot.pk).update(booked=0)
    response = client.post(
        reverse("api:appointments_bookings"), {"slot_id": slot.pk, "item_id": world["items"][0].pk}
    )
    assert response.status_code == 422 and response.json()["details"]["field"] == "item"
    response = client.post(
        reverse("api:appointments_bookings"), {"slot_id": "x", "item_id": world["items"][0].pk}
    )
    assert response.status_code == 422
    response = client.post(
        reverse("api:appointments_bookings"), {"slot_id": 999999, "item_id": world["items"][0].pk}
    )
    assert response.status_code == 422 and response.json()["details"]["field"] == "slot_id"


def test_staff_see_bookings_masked_without_a_token_and_clerk_b_sees_none(client, personas, world):
    personas.resident_a.full_name = "王小明"
    personas.resident_a.save()
    client.force_login(personas.clerk_a)
    page = client.get(reverse("api:appointments_bookings")).json()
    assert page["count"] == 2 and {b["applicant"] for b in page["items"]} == {"王**"}
    detail = client.get(reverse("api:appointments_booking", args=[world["booking"].pk])).json()
    assert detail["token"] is None
    client.force_login(personas.clerk_b)
    assert client.get(reverse("api:appointments_bookings")).json()["count"] == 0
    assert (
        client.get(reverse("api:appointments_booking", args=[world["booking"].pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("api:appointments_load", args=[world["office"].pk])).status_code == 404
    )


def test_check_in_cancel_and_reschedule_through_the_api(client, personas, world):
    client.force_login(personas.clerk_a)
    url = reverse("api:appointments_check_in", args=[world["office"].pk])
    assert client.post(url, {"code": world["arriving"].number}).json()["status"] == "checked_in"
    again = client.post(url, {"code": world["arriving"].number})
    assert again.status_code == 422 and "签到" in again.json()["message"]
    client.force_login(personas.resident_a)
    booking = world["booking"]
    moved = client.post(
        reverse("api:appointments_reschedule", args=[booking.pk]), {"slot_id": world["slots"][1].pk}
    )
    assert moved.status_code == 200 and moved.json()["slot_id"] == world["slots"][1].pk
    done = client.post(reverse("api:appointments_cancel", args=[booking.pk]), {"reason": "改天"})
    assert done.json()["status"] == "cancelled"
    assert Booking.objects.get(pk=booking.pk).status == "cancelled"
    load = client.get(reverse("api:appointments_load", args=[world["office"].pk]))
    assert load.status_code == 404  # applicants read no office's load


def test_the_load_endpoint_limits_its_range(client, personas, world):
    client.force_login(personas.clerk_a)
    url = reverse("api:appointments_load", args=[world["office"].pk])
    assert client.get(url, {"days": 500}).status_code == 422
    rows = client.get(url, {"start": world["slots"][0].date.isoformat(), "days": 1}).json()
    assert rows[0]["booked"] == 1 and rows[0]["capacity"] == 6
