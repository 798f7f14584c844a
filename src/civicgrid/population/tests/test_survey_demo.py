"""The demo survey loads once, and resident_2's answer reaches the demo grid worker."""

import pytest

from civicgrid.accounts.demo import COMMUNITY, do_load_demo_accounts
from civicgrid.accounts.models import User
from civicgrid.errands.demo import do_load_demo_errands
from civicgrid.population import selectors
from civicgrid.population.models import Survey, SurveyResponse
from civicgrid.population.survey_demo import TITLE, do_load_demo_survey
from civicgrid.population.tests.factories import assign

pytestmark = pytest.mark.django_db


def test_the_demo_survey_is_answered_once_and_the_risky_answer_is_on_a_worklist():
    do_load_demo_accounts()
    worker = User.objects.get(username="grid_worker_1")
    assign(worker, COMMUNITY, grid_index=0)
    do_load_demo_errands()  # gives the demo residents households in the community's first grid

    assert do_load_demo_survey() == 2
    assert Survey.objects.get().title == TITLE
    flagged = SurveyResponse.objects.get(flagged=True)
    assert flagged.respondent.username == "resident_2"
    assert list(selectors.survey_follow_ups(worker)) == [flagged]
    assert do_load_demo_survey() == 0
    assert SurveyResponse.objects.count() == 2
