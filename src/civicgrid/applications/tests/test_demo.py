"""The demo applications load through the actions, once, on the catalogue's demo items."""

import pytest

from civicgrid.accounts.demo import do_load_demo_accounts
from civicgrid.applications.choices import CaseStatus
from civicgrid.applications.demo import do_load_demo_applications
from civicgrid.applications.models import Case, FollowUp, FormDefinition
from civicgrid.catalog.demo import do_load_demo_catalog

pytestmark = pytest.mark.django_db


def test_the_demo_configures_three_items_and_makes_cases_in_several_states_once():
    do_load_demo_accounts()
    do_load_demo_catalog()
    assert do_load_demo_applications() == 6
    assert FormDefinition.objects.count() == 3
    statuses = sorted(Case.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            CaseStatus.SUBMITTED,
            CaseStatus.AWAITING_MATERIAL,
            CaseStatus.COMPLETED,
            CaseStatus.IN_PROGRESS,
            CaseStatus.COMPLETED,
            CaseStatus.IN_PROGRESS,
        ]
    )
    assert FollowUp.objects.count() == 1
    completed = Case.objects.get(status=CaseStatus.COMPLETED, delivery__method="e_certificate")
    assert completed.delivery.certificate_number
    assert do_load_demo_applications() == 0
    assert FormDefinition.objects.count() == 3
