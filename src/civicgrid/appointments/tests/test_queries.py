"""Query counts of the lists stay flat as bookings grow (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicgrid.accounts.models import User
from civicgrid.appointments import actions
from civicgrid.appointments.models import Slot
from civicgrid.appointments.tests import factories as f

pytestmark = pytest.mark.django_db


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def _more_bookings(world, n):
    slot = Slot.objects.get(pk=world["slots"][1].pk)
    Slot.objects.filter(pk=slot.pk).update(capacity=100)
    for k in range(n):
        user = User.objects.create_user(
            f"booker_{slot.pk}_{k}", is_resident=True, full_name=f"李{k}"
        )
        actions.do_book_appointment(user, slot=slot, item=world["items"][0])


def test_the_staff_day_page_and_the_bookings_endpoint_do_not_grow_with_bookings(client, personas):
    world = f.live_world(personas)
    client.force_login(personas.clerk_a)
    day = world["slots"][0].date.isoformat()
    page = reverse("appointments:office_day", args=[world["office"].pk])
    api = reverse("api:appointments_bookings")
    load = reverse("appointments:office_load", args=[world["office"].pk])
    before = (_queries(client, page, day=day), _queries(client, api), _queries(client, load))
    _more_bookings(world, 8)
    after = (_queries(client, page, day=day), _queries(client, api), _queries(client, load))
    assert after == before


def test_the_appeals_endpoint_does_not_grow_with_appeals(client, personas):
    from civicgrid.appointments.models import BlockAppeal

    first = f.blocked_with_appeal(personas)
    client.force_login(personas.clerk_a)
    api = reverse("api:appointments_appeals")
    before = _queries(client, api)
    office = first.block.office
    for k in range(5):
        user = User.objects.create_user(f"appellant_{k}", is_resident=True, full_name=f"赵{k}")
        actions.do_appeal_block(user, block=f.block(user, office), text="生病")
    assert BlockAppeal.objects.count() == 6
    assert _queries(client, api) == before
