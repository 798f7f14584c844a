"""Risky survey answers reach the grid worker of the person's grid and the person's record, and
a visit that reaches the person is their follow-up."""

import datetime
import json
import re

import pytest
import time_machine
from django.utils import timezone

from civicgrid.population.actions import do_move_person, do_record_visit
from civicgrid.population.choices import Relationship
from civicgrid.population.declarations import do_answer_survey
from civicgrid.population.models import Survey, SurveyQuestion, SurveyResponse
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db
WORKLIST = "/population/grid/worklist/"
API = "/api/v1/population"
TRAVEL = "14 天内是否到过中高风险地区？"


@pytest.fixture(autouse=True)
def _a_fixed_day():
    with time_machine.travel("2024-03-10 10:00 +0800", tick=False):
        yield


@pytest.fixture
def survey():
    s = Survey.objects.create(title="返乡人员防疫调查", division_code="131128000000")
    SurveyQuestion.objects.create(survey=s, order=1, text=TRAVEL, kind="yes_no", risk_answer="是")
    SurveyQuestion.objects.create(
        survey=s, order=2, text="出行方式", kind="choice", options=["未外出", "火车"]
    )
    return s


@pytest.fixture
def family(personas):
    """A household of grid 1 with two members; resident_a is the mother, as the register knows
    her by her ID number. grid_worker_a1 has grid 1."""
    home = f.household(grid_index=0, room="301")
    mother = f.person(home, "周敏", relationship=Relationship.HEAD, mobile="13912340000")
    son = f.person(home, "周小兵", born=datetime.date(2010, 1, 1), relationship=Relationship.CHILD)
    personas.resident_a.id_number = mother.id_number.reveal()
    personas.resident_a.save()
    f.assign(personas.grid_worker_a1, grid_index=0)
    return home, mother, son


def _answer(resident, survey, travel: str, mode: str = "火车") -> SurveyResponse:
    first, second = survey.questions.all()
    return do_answer_survey(
        resident, survey=survey, answers={str(first.pk): travel, str(second.pk): mode}
    )


def _visit(home, reached, *, days_ago: int = 0):
    return do_record_visit(
        None,
        household=home,
        visited_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        method="phone",
        reached=reached,
    )


def _ticked(html: str, pk: int) -> bool:
    """Whether the checkbox of member `pk` is checked, whatever the attribute order."""
    for tag in re.findall(r"<input[^>]*>", html):
        if 'name="reached"' in tag and f'value="{pk}"' in tag:
            return "checked" in tag
    return False


def _follow_up_names(client) -> list[str]:
    body = client.get(f"{API}/survey-follow-ups")
    assert body.status_code == 200
    return [row["person_name"] for row in body.json()]


def test_a_risky_answer_is_on_the_worklist_of_the_persons_grid_only(
    client, personas, survey, family
):
    _answer(personas.resident_a, survey, "是")
    client.force_login(personas.grid_worker_a1)
    page = client.get(WORKLIST).content.decode()
    assert "防疫调查需关注的答卷 1 份" in page
    assert "周敏" in page and TRAVEL in page
    # The card's visit link names her, so the visit form comes with her ticked.
    assert f"?reached={family[1].pk}" in page
    personas.grid_worker_a1.grid_assignments.all().delete()  # now the worker of grid 2
    f.assign(personas.grid_worker_a1, grid_index=1)
    assert "防疫调查需关注" not in client.get(WORKLIST).content.decode()


def test_a_harmless_answer_stays_off_the_worklist_but_on_the_persons_record(
    client, personas, survey, family
):
    home, _mother, _son = family
    _answer(personas.resident_a, survey, "否", "未外出")
    client.force_login(personas.grid_worker_a1)
    assert "防疫调查需关注" not in client.get(WORKLIST).content.decode()
    record = client.get(f"/population/grid/households/{home.pk}/").content.decode()
    assert "返乡人员防疫调查" in record and "未外出" in record
    assert "需关注，待跟进" not in record


def test_a_visit_that_reaches_the_person_follows_the_answer_up(client, personas, survey, family):
    home, mother, _son = family
    answer = _answer(personas.resident_a, survey, "是")
    client.force_login(personas.grid_worker_a1)
    record = client.get(f"/population/grid/households/{home.pk}/").content.decode()
    assert "需关注，待跟进" in record
    form = client.get(f"/population/grid/households/{home.pk}/visit/?reached={mother.pk}")
    assert _ticked(form.content.decode(), mother.pk)
    saved = client.post(
        f"/population/grid/households/{home.pk}/visit/",
        {
            "visited_on": timezone.localdate().isoformat(),
            "method": "phone",
            "reached": [mother.pk],
            "traveled": "yes",
            "travel_history": "3月1日 武汉，已返回 14 天",
            "symptomatic": "no",
        },
        follow=True,
    ).content.decode()
    assert "已完成 1 份防疫调查答卷的跟进" in saved
    answer.refresh_from_db()
    assert answer.followed_up_at is not None
    assert answer.followed_up_by.travel_history == "3月1日 武汉，已返回 14 天"
    assert "防疫调查需关注" not in client.get(WORKLIST).content.decode()
    record = client.get(f"/population/grid/households/{home.pk}/").content.decode()
    assert "2024-03-10 走访已跟进" in record and "需关注，待跟进" not in record


def test_the_visit_form_ticks_only_a_member_of_that_household(client, personas, survey, family):
    home, mother, son = family
    stranger = f.person(f.household(grid_index=0, room="302"), "路人")
    client.force_login(personas.grid_worker_a1)
    url = f"/population/grid/households/{home.pk}/visit/"
    page = client.get(f"{url}?reached={son.pk}").content.decode()
    assert _ticked(page, son.pk) and not _ticked(page, mother.pk)
    for asked in (str(stranger.pk), "abc", "", "-1"):
        page = client.get(f"{url}?reached={asked}")
        assert page.status_code == 200
        html = page.content.decode()
        assert not _ticked(html, son.pk) and not _ticked(html, mother.pk)
        assert "路人" not in html


def test_reaching_someone_else_or_visiting_before_the_answer_leaves_it_open(
    personas, survey, family
):
    home, mother, son = family
    answer = _answer(personas.resident_a, survey, "是")
    _visit(home, [son])  # the son answered the door: his mother's answer is still to check
    _visit(home, [mother], days_ago=3)  # entered late, about a visit before she answered
    answer.refresh_from_db()
    assert answer.followed_up_at is None
    visit = _visit(home, [mother, son])
    answer.refresh_from_db()
    assert answer.followed_up_by == visit
    # An answer given after that visit is a new one to follow up.
    later = _answer(personas.resident_a, survey, "是")
    assert later.followed_up_at is None


def test_after_a_move_the_new_grids_worker_follows_up_and_the_old_one_no_longer_sees_it(
    client, personas, survey, family
):
    _home, mother, _son = family
    _answer(personas.resident_a, survey, "是")
    client.force_login(personas.grid_worker_a1)
    assert _follow_up_names(client) == ["周敏"]
    do_move_person(None, person=mother, household=f.household(grid_index=1, room="909"))
    assert _follow_up_names(client) == []
    personas.grid_worker_a1.grid_assignments.all().delete()
    f.assign(personas.grid_worker_a1, grid_index=1)
    assert _follow_up_names(client) == ["周敏"]


def test_the_api_lists_follow_ups_puts_answers_on_the_person_and_names_what_a_visit_closed(
    client, personas, survey, family
):
    home, mother, _son = family
    answer = _answer(personas.resident_a, survey, "是")
    client.force_login(personas.grid_worker_a1)
    [row] = client.get(f"{API}/survey-follow-ups").json()
    assert row["id"] == answer.pk and row["household_id"] == home.pk
    assert row["answers"] == [
        {"question": TRAVEL, "answer": "是", "risk": True},
        {"question": "出行方式", "answer": "火车", "risk": False},
    ]
    person = client.get(f"{API}/persons/{mother.pk}").json()
    assert [r["survey_title"] for r in person["survey_responses"]] == ["返乡人员防疫调查"]
    assert person["survey_responses"][0]["followed_up_at"] is None
    visit = client.post(
        f"{API}/households/{home.pk}/visits",
        data=json.dumps(
            {
                "visited_on": timezone.localdate().isoformat(),
                "method": "door",
                "reached": [mother.pk],
            }
        ),
        content_type="application/json",
    )
    assert visit.status_code == 201
    assert visit.json()["followed_up_answers"] == [answer.pk]
    assert client.get(f"{API}/survey-follow-ups").json() == []
    person = client.get(f"{API}/persons/{mother.pk}").json()
    assert person["survey_responses"][0]["followed_up_by_visit_id"] == visit.json()["id"]


def test_the_follow_ups_of_another_county_stay_out_of_sight(client, personas, survey, family):
    _answer(personas.resident_a, survey, "是")
    client.force_login(personas.county_b_officer)
    assert client.get(f"{API}/survey-follow-ups").json() == []
    assert "周敏" not in client.get("/population/self/review/").content.decode()
    client.force_login(personas.county_a_officer)
    review = client.get("/population/self/review/").content.decode()
    assert "周敏" in review and TRAVEL in review


def test_a_resident_sees_their_answers_and_what_became_of_them_and_can_answer_again(
    client, personas, survey, family
):
    home, mother, _son = family
    first, second = survey.questions.all()
    client.force_login(personas.resident_a)
    assert "待填写" in client.get("/population/self/").content.decode()
    client.post(
        f"/population/self/surveys/{survey.pk}/", {f"q{first.pk}": "是", f"q{second.pk}": "火车"}
    )
    mine = client.get("/population/self/").content.decode()
    assert TRAVEL in mine and "火车" in mine and "网格员会与您联系" in mine
    # Answering again starts from the last answers.
    again = client.get(f"/population/self/surveys/{survey.pk}/").content.decode()
    assert _radio_checked(again, f"q{first.pk}") == "是"
    assert _radio_checked(again, f"q{second.pk}") == "火车"
    client.post(
        f"/population/self/surveys/{survey.pk}/", {f"q{first.pk}": "否", f"q{second.pk}": "未外出"}
    )
    assert SurveyResponse.objects.filter(respondent=personas.resident_a).count() == 2
    mine = client.get("/population/self/").content.decode()
    assert "未外出" in mine and "火车" not in mine
    # The trip happened all the same: the first answer still waits for the grid worker.
    assert SurveyResponse.objects.get(flagged=True).followed_up_at is None
    _visit(home, [mother])
    client.post(
        f"/population/self/surveys/{survey.pk}/", {f"q{first.pk}": "是", f"q{second.pk}": "火车"}
    )
    with time_machine.travel("2024-03-11 09:00 +0800", tick=False):
        _visit(home, [mother])
        page = client.get("/population/self/").content.decode()
        assert re.search(r"网格员已于 0?3月11日 与您联系核实", page)


def _radio_checked(html: str, name: str) -> str | None:
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and "checked" in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
    return None
