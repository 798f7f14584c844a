"""A person under observation reports their own checks on the observation's page: it is theirs
(no staff tabs, back to it after saving, not to a worklist they cannot open), and the
community's resident page leads them there while the observation lasts."""

import datetime

import pytest
from django.utils import timezone

from civicgrid.epidemic.models import MonitoringEntry
from civicgrid.epidemic.observation import current_slot, do_release_observation
from civicgrid.epidemic.tests import factories as f
from civicgrid.population.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(personas):
    """resident_a, whose verified ID number is the observed contact's, and the observation."""
    _contact, observation = f.observed_contact(personas, f.case(personas))
    person = Person.objects.get(pk=observation.person_id)
    resident = personas.resident_a
    resident.id_number = person.id_number.reveal()
    resident.save()
    return resident, observation


def page_of(observation) -> str:
    return f"/epidemic/line-lists/observations/{observation.pk}/"


def test_the_person_sees_their_own_page_and_comes_back_to_it_after_a_check(client, own):
    resident, observation = own
    client.force_login(resident)
    page = client.get(page_of(observation)).content.decode()
    assert "我的医学观察" in page and "观察期内请不要外出" in page
    assert "/epidemic/line-lists/worklist/" not in page  # neither a tab nor the form's next
    answer = client.post(page_of(observation), {"op": "check", "slot": "am", "temperature": "36.6"})
    assert answer.status_code == 302 and answer["Location"] == page_of(observation)
    entry = MonitoringEntry.objects.get(observation=observation)
    assert entry.by_self and str(entry.temperature) == "36.6"


def test_the_team_keeps_its_tabs_and_returns_to_the_worklist(client, personas, own):
    _resident, observation = own
    client.force_login(personas.grid_worker_a1)
    page = client.get(page_of(observation)).content.decode()
    assert (
        "我的医学观察" not in page and 'name="next" value="/epidemic/line-lists/worklist/"' in page
    )
    answer = client.post(
        page_of(observation),
        {
            "op": "check",
            "slot": "pm",
            "temperature": "36.5",
            "next": "/epidemic/line-lists/worklist/",
        },
    )
    assert answer["Location"] == "/epidemic/line-lists/worklist/"
    assert not MonitoringEntry.objects.get(observation=observation).by_self


def test_someone_elses_observation_is_not_found(client, personas, own):
    _resident, observation = own
    client.force_login(personas.resident_b)
    assert client.get(page_of(observation)).status_code == 404


def test_the_form_offers_the_slot_of_the_moment():
    day = timezone.localdate()
    zone = timezone.get_current_timezone()
    assert current_slot(datetime.datetime.combine(day, datetime.time(11, 59), zone)) == "am"
    assert current_slot(datetime.datetime.combine(day, datetime.time(12, 0), zone)) == "pm"


def test_the_residents_community_page_leads_to_the_observation_while_it_lasts(
    client, personas, own
):
    from civicgrid.core.testing import COMMUNITY_A1
    from civicgrid.population.tests import factories as pf

    resident, observation = own
    home = pf.household(COMMUNITY_A1)
    Person.objects.filter(pk=observation.person_id).update(household=home)
    client.force_login(resident)
    page = client.get("/community/me/").content.decode()
    assert f'data-observation="{observation.pk}"' in page and page_of(observation) in page
    assert "还没有报告过体温" in page
    client.post(page_of(observation), {"op": "check", "slot": "am", "temperature": "37.8"})
    page = client.get("/community/me/").content.decode()
    assert "最近一次报告" in page and "37.8 ℃" in page and 'class="fever"' in page
    do_release_observation(
        personas.cdc_a, observation=observation, note="核酸阴性，提前解除", check_role=False
    )
    assert "data-observation" not in client.get("/community/me/").content.decode()
