"""The demo community loads through the actions, once: gates, rules, passes, reports."""

import pytest

from civicgrid.accounts.demo import COMMUNITY, do_load_demo_accounts
from civicgrid.accounts.models import User
from civicgrid.community.choices import RuleKind
from civicgrid.community.dashboards import community_dashboard
from civicgrid.community.demo import do_load_demo_community
from civicgrid.community.models import Alert, AlertRule, Checkpoint, PassRecord
from civicgrid.community.rules import forget_rules
from civicgrid.epidemic.models import Observation
from civicgrid.errands.demo import do_load_demo_errands
from civicgrid.population.declarations import person_of
from civicgrid.population.tests.factories import grids_of
from civicgrid.regions.models import Division

pytestmark = pytest.mark.django_db


def test_the_demo_community_has_gates_rules_passes_and_reports_once():
    forget_rules()
    do_load_demo_accounts()
    grids_of(COMMUNITY)
    do_load_demo_errands()  # gives the demo residents their households

    assert do_load_demo_community() == 3
    assert Checkpoint.objects.filter(division_code=COMMUNITY, is_active=True).count() == 3
    assert set(
        AlertRule.objects.filter(division_code=COMMUNITY).values_list("kind", flat=True)
    ) == set(RuleKind.values)
    active = AlertRule.objects.filter(division_code=COMMUNITY, is_active=True)
    assert RuleKind.NO_REPORT not in set(active.values_list("kind", flat=True))
    assert PassRecord.objects.filter(division_code=COMMUNITY).count() == 7
    # resident_3 reported a fever, and resident_2 went out under home observation: the grid
    # worker has an alert of each to check.
    assert Alert.objects.filter(division_code=COMMUNITY, rule__kind=RuleKind.FEVER).count() == 1
    observed = Alert.objects.get(division_code=COMMUNITY, rule__kind=RuleKind.OBSERVED_OUT)
    assert observed.person == person_of(User.objects.get(username="resident_2"))
    assert Observation.objects.filter(person=observed.person, status="active").count() == 1

    board = community_dashboard(
        User.objects.get(username="community_staff"), Division.objects.get(code=COMMUNITY)
    )
    assert board.out_now == 1  # resident_2 is still out
    assert board.fever_cases == 1
    assert board.open_alerts == 2
    assert do_load_demo_community() == 0
