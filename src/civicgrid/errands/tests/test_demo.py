"""The demo errands load through the actions, once, for the demo residents and volunteers."""

import pytest

from civicgrid.accounts.demo import COMMUNITY, do_load_demo_accounts
from civicgrid.accounts.models import User
from civicgrid.errands.demo import do_load_demo_errands
from civicgrid.errands.models import Errand
from civicgrid.errands.querysets import volunteer_codes
from civicgrid.population.tests.factories import grids_of

pytestmark = pytest.mark.django_db


def test_the_demo_has_open_claimed_delivered_and_confirmed_needs_once():
    do_load_demo_accounts()
    grids_of(COMMUNITY)
    assert do_load_demo_errands() == 5
    statuses = sorted(Errand.objects.values_list("status", flat=True))
    assert statuses == ["claimed", "confirmed", "delivered", "open", "open"]
    assert set(Errand.objects.values_list("division_code", flat=True)) == {COMMUNITY}
    for name in ("volunteer_1", "volunteer_2"):
        assert volunteer_codes(User.objects.get(username=name)) == [COMMUNITY]
    volunteer = User.objects.get(username="volunteer_2")
    assert Errand.objects.visible_to(volunteer).filter(status="open").count() == 2
    assert do_load_demo_errands() == 0
