"""Recording a screening visit from a phone: one short form, clear errors, no duplicate on retry."""

import datetime
import re

import pytest
from django.utils import timezone

from civicgrid.population.choices import Relationship
from civicgrid.population.models import ScreeningVisit
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def home(personas):
    f.assign(personas.grid_worker_a1, grid_index=0)
    return f.household(grid_index=0, room="101")


@pytest.fixture
def members(home):
    return [
        f.person(home, "张伟", relationship=Relationship.HEAD),
        f.person(home, "李娜", relationship=Relationship.SPOUSE),
    ]


def _url(household):
    return f"/population/grid/households/{household.pk}/visit/"


def _data(members, **changes):
    data = {
        "visited_on": timezone.localdate().isoformat(),
        "method": "door",
        "reached": [m.pk for m in members],
        "traveled": "no",
        "travel_history": "",
        "symptomatic": "no",
        "symptoms": "",
        "notes": "",
    }
    data.update(changes)
    return data


def test_the_form_opens_with_today_door_to_door_and_the_members_to_tick(
    client, personas, home, members
):
    client.force_login(personas.grid_worker_a1)
    body = client.get(_url(home)).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in body
    assert re.search(r'value="door"[^>]*checked', body)
    assert "张伟（户主）" in body and "李娜（配偶）" in body


def test_a_good_visit_is_recorded_with_who_was_reached(client, personas, home, members):
    client.force_login(personas.grid_worker_a1)
    response = client.post(
        _url(home),
        _data(members[:1], traveled="yes", travel_history="3月1日 石家庄", notes="已宣传"),
        **HTMX,
    )
    assert response.status_code == 200
    assert "已保存" in response.content.decode()
    visit = ScreeningVisit.objects.get()
    assert visit.household == home and visit.method == "door"
    assert list(visit.reached.all()) == [members[0]]
    assert visit.travel_history == "3月1日 石家庄"
    assert visit.recorded_by == personas.grid_worker_a1
    assert (visit.grid, visit.division_code) == (home.grid, home.division_code)


def test_without_htmx_the_form_redirects_to_the_household(client, personas, home, members):
    client.force_login(personas.grid_worker_a1)
    response = client.post(_url(home), _data(members), follow=True)
    assert response.redirect_chain[-1][0] == f"/population/grid/households/{home.pk}/"
    assert "已记录" in response.content.decode()


def test_a_future_date_is_refused_on_the_date_field_and_nothing_is_saved(
    client, personas, home, members
):
    client.force_login(personas.grid_worker_a1)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(_url(home), _data(members, visited_on=tomorrow.isoformat()), **HTMX)
    assert response.status_code == 200
    assert "走访日期不能晚于今天" in response.content.decode()
    assert response.context["form"].errors["visited_on"] == ["走访日期不能晚于今天"]
    assert not ScreeningVisit.objects.exists()


def test_a_stranger_ticked_as_reached_is_refused_by_name_of_the_field(
    client, personas, home, members
):
    neighbour = f.person(f.household(grid_index=0, room="102"), "邻居")
    client.force_login(personas.grid_worker_a1)
    response = client.post(_url(home), _data([members[0], neighbour]), **HTMX)
    assert response.context["form"].errors["reached"] == ["联系到的人员必须是该户成员"]
    assert "联系到的人员必须是该户成员" in response.content.decode()
    assert not ScreeningVisit.objects.exists()


def test_travel_or_symptoms_answered_yes_need_the_details(client, personas, home, members):
    client.force_login(personas.grid_worker_a1)
    response = client.post(_url(home), _data(members, traveled="yes", symptomatic="yes"), **HTMX)
    errors = response.context["form"].errors
    assert errors["travel_history"] == ["请填写 14 天内去过的地方"]
    assert errors["symptoms"] == ["请填写有哪些症状"]
    assert not ScreeningVisit.objects.exists()


def test_details_typed_before_answering_no_are_not_stored(client, personas, home, members):
    client.force_login(personas.grid_worker_a1)
    client.post(_url(home), _data(members, travel_history="石家庄", symptoms="咳嗽"), **HTMX)
    visit = ScreeningVisit.objects.get()
    assert (visit.travel_history, visit.has_symptoms, visit.symptoms) == ("", False, "")


def test_each_render_of_the_form_carries_a_fresh_idempotency_key(client, personas, home, members):
    client.force_login(personas.grid_worker_a1)
    pattern = r'hx-headers=\'\{"Idempotency-Key": "([0-9a-f]{32})"\}\''
    first = re.search(pattern, client.get(_url(home)).content.decode())
    second = re.search(pattern, client.get(_url(home)).content.decode())
    assert first and second and first.group(1) != second.group(1)


def test_a_retry_with_the_same_idempotency_key_does_not_record_the_visit_twice(
    client, personas, home, members
):
    client.force_login(personas.grid_worker_a1)
    data = _data(members)
    first = client.post(_url(home), data, HTTP_IDEMPOTENCY_KEY="visit-3f9a", **HTMX)
    retry = client.post(_url(home), data, HTTP_IDEMPOTENCY_KEY="visit-3f9a", **HTMX)
    assert first.status_code == retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.content == first.content
    assert ScreeningVisit.objects.count() == 1


def test_a_corrected_form_after_an_error_is_saved_under_its_new_key(
    client, personas, home, members
):
    client.force_login(personas.grid_worker_a1)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    refused = client.post(
        _url(home), _data(members, visited_on=tomorrow), HTTP_IDEMPOTENCY_KEY="k-1", **HTMX
    )
    new_key = re.search(r'"Idempotency-Key": "([0-9a-f]{32})"', refused.content.decode()).group(1)
    saved = client.post(_url(home), _data(members), HTTP_IDEMPOTENCY_KEY=new_key, **HTMX)
    assert "已保存" in saved.content.decode()
    assert ScreeningVisit.objects.count() == 1


def test_another_grids_household_cannot_be_visited(client, personas, home, members):
    other = f.household(grid_index=1, room="303")
    client.force_login(personas.grid_worker_a1)
    assert client.get(_url(other)).status_code == 404
    assert client.post(_url(other), _data([]), **HTMX).status_code == 404
    assert not ScreeningVisit.objects.exists()


def test_a_cdc_epidemiologist_may_read_the_register_but_not_record_visits(
    client, personas, home, members
):
    client.force_login(personas.cdc_a)
    assert client.get(f"/population/grid/households/{home.pk}/").status_code == 200
    assert client.post(_url(home), _data(members), **HTMX).status_code == 403
    assert not ScreeningVisit.objects.exists()
