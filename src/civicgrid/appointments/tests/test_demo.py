"""The demo centre loads through the actions, once, around whatever appointment items the
catalogue demo has."""

import pytest

from civicgrid.accounts.demo import do_load_demo_accounts
from civicgrid.appointments.demo import CENTRE, do_load_demo_appointments
from civicgrid.appointments.models import Booking, Counter, Office, Slot
from civicgrid.catalog.demo import do_load_demo_catalog
from civicgrid.catalog.models import ServiceItem

pytestmark = pytest.mark.django_db


def test_the_demo_centre_has_counters_for_the_appointment_items_slots_and_bookings():
    do_load_demo_accounts()
    do_load_demo_catalog()
    items_before = ServiceItem.objects.count()
    made = do_load_demo_appointments()
    centre = Office.objects.get(name=CENTRE)
    offered = set(
        ServiceItem.objects.filter(
            by_appointment=True, division_code__startswith="131128"
        ).values_list("pk", flat=True)
    )
    served = set(Counter.objects.filter(office=centre).values_list("items", flat=True))
    assert offered and served == offered
    assert Slot.objects.filter(office=centre).count() > 0
    assert made == Booking.objects.count() > 0
    assert ServiceItem.objects.count() == items_before  # no catalogue items of its own
    assert do_load_demo_appointments() == 0
    assert Office.objects.count() == 1
