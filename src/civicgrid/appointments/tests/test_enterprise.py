"""Enterprise agents book for their enterprise: its unified social credit code is validated
(GB 32100) and recorded with the booking, and every agent of the enterprise sees its bookings
(but acts only on their own)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from civicgrid.accounts.actions import do_grant_role
from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.appointments import actions
from civicgrid.appointments.models import Booking, Slot
from civicgrid.appointments.tests import factories as f
from civicgrid.core.testing import ENTERPRISE_A_CREDIT_CODE

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return f.live_world(personas)


@pytest.fixture
def colleague(personas):
    """A second agent of enterprise_a."""
    user = User.objects.create_user("enterprise_agent_a2", full_name="李经办")
    do_grant_role(
        user=user, organisation=personas.organisations["enterprise_a"], role=Role.ENTERPRISE_AGENT
    )
    return User.objects.get(pk=user.pk)


def _book(user, world):
    return actions.do_book_appointment(user, slot=world["slots"][1], item=world["items"][0])


def test_an_agents_booking_records_the_enterprise_and_its_validated_code(client, personas, world):
    enterprise = personas.organisations["enterprise_a"]
    # Typed in lower case (the column holds 18 characters, so no stray spaces on PostgreSQL).
    enterprise.credit_code = ENTERPRISE_A_CREDIT_CODE.lower()
    enterprise.save()
    booking = _book(personas.enterprise_agent_a, world)
    assert booking.enterprise == enterprise and booking.credit_code == ENTERPRISE_A_CREDIT_CODE
    client.force_login(personas.enterprise_agent_a)
    body = client.get(reverse("api:appointments_booking", args=[booking.pk])).json()
    assert body["enterprise"] == enterprise.name
    assert body["credit_code"] == ENTERPRISE_A_CREDIT_CODE
    page = client.get(reverse("appointments:booking_detail", args=[booking.pk])).content.decode()
    assert ENTERPRISE_A_CREDIT_CODE in page
    assert _book(personas.resident_b, world).credit_code == ""  # residents book for themselves


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("", "请填写统一社会信用代码"),
        ("91131128MA0EXAMP1", "应为 18 位"),
        (ENTERPRISE_A_CREDIT_CODE[:-1] + "0", "校验"),
    ],
)
def test_an_enterprise_with_an_invalid_credit_code_cannot_book(personas, world, code, why):
    enterprise = personas.organisations["enterprise_a"]
    enterprise.credit_code = code
    enterprise.save()
    with pytest.raises(ValidationError) as refused:
        _book(personas.enterprise_agent_a, world)
    message = refused.value.message_dict["credit_code"][0]
    assert (
        message.startswith("企业“阜城县示例机械制造有限公司”的统一社会信用代码无效")
        and why in message
    )
    assert Booking.objects.filter(applicant=personas.enterprise_agent_a).count() == 0
    assert Slot.objects.get(pk=world["slots"][1].pk).booked == 0


def test_the_api_names_the_credit_code_field(client, personas, world):
    enterprise = personas.organisations["enterprise_a"]
    enterprise.credit_code = "123"
    enterprise.save()
    client.force_login(personas.enterprise_agent_a)
    response = client.post(
        reverse("api:appointments_bookings"),
        {"slot_id": world["slots"][1].pk, "item_id": world["items"][0].pk},
    )
    assert response.status_code == 422 and response.json()["details"]["field"] == "credit_code"


def test_agents_of_one_enterprise_see_its_bookings_but_act_only_on_their_own(
    client, personas, world, colleague
):
    booking = _book(personas.enterprise_agent_a, world)
    client.force_login(colleague)
    assert booking.number in client.get(reverse("appointments:booking_list")).content.decode()
    detail = client.get(reverse("appointments:booking_detail", args=[booking.pk]))
    assert detail.status_code == 200 and "<svg" not in detail.content.decode()  # no QR code
    assert reverse("appointments:booking_list") in detail.content.decode()  # not the staff page
    listed = client.get(reverse("api:appointments_bookings")).json()
    assert [b["number"] for b in listed["items"]] == [booking.number]
    api_detail = client.get(reverse("api:appointments_booking", args=[booking.pk])).json()
    assert api_detail["token"] is None
    cancel = client.post(reverse("appointments:booking_cancel", args=[booking.pk]))
    assert cancel.status_code == 404
    api_cancel = client.post(reverse("api:appointments_cancel", args=[booking.pk]))
    assert api_cancel.status_code == 403
    assert Booking.objects.get(pk=booking.pk).status == "booked"
    # Neither residents nor another enterprise's agents see it; resident_a's booking stays
    # hidden from the enterprise's agents.
    client.force_login(personas.resident_b)
    assert client.get(reverse("api:appointments_booking", args=[booking.pk])).status_code == 404
    client.force_login(colleague)
    own_of_resident = world["booking"]
    url = reverse("appointments:booking_detail", args=[own_of_resident.pk])
    assert client.get(url).status_code == 404


def test_a_block_stays_personal_to_the_agent(personas, world, colleague):
    from civicgrid.appointments.models import BookingBlock

    f.block(personas.enterprise_agent_a, world["office"])
    assert BookingBlock.objects.visible_to(colleague).count() == 0
    assert actions.active_block(colleague) is None
    assert BookingBlock.objects.visible_to(personas.enterprise_agent_a).count() == 1
