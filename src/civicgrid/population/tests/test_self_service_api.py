"""The residents' survey API: their community's surveys and their own answers, a risky answer
reaching the grid worker, bad answers named by question, and nobody else's surveys."""

import datetime
import json

import pytest

from civicgrid.accounts.actions import do_issue_api_token
from civicgrid.population import selectors
from civicgrid.population.choices import Relationship
from civicgrid.population.models import Survey, SurveyQuestion, SurveyResponse
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/population/self"
TRAVEL = "14 天内是否到过中高风险地区？"


@pytest.fixture
def survey(personas):
    """The county's survey; resident_a lives in grid 1 of community A1, grid_worker_a1's."""
    s = Survey.objects.create(title="返乡人员防疫调查", division_code="131128000000")
    SurveyQuestion.objects.create(survey=s, order=1, text=TRAVEL, kind="yes_no", risk_answer="是")
    SurveyQuestion.objects.create(
        survey=s, order=2, text="出行方式", kind="choice", options=["未外出", "火车"]
    )
    home = f.household(grid_index=0, room="301")
    me = f.person(home, "周敏", born=datetime.date(1980, 1, 1), relationship=Relationship.HEAD)
    personas.resident_a.id_number = me.id_number.reveal()
    personas.resident_a.save()
    f.assign(personas.grid_worker_a1, grid_index=0)
    return s


def _answer(client, survey, answers, **headers):
    return client.post(
        f"{API}/surveys/{survey.pk}/responses",
        data=json.dumps({"answers": answers}),
        content_type="application/json",
        **headers,
    )


def _ids(survey):
    first, second = survey.questions.all()
    return str(first.pk), str(second.pk)


def test_a_resident_answers_and_sees_the_answer_and_the_grid_worker_gets_it(
    client, personas, survey
):
    travel, mode = _ids(survey)
    client.force_login(personas.resident_a)
    [listed] = client.get(f"{API}/surveys").json()
    assert [q["text"] for q in listed["questions"]] == [TRAVEL, "出行方式"]
    assert listed["questions"][1]["options"] == ["未外出", "火车"]
    assert listed["my_last_answer"] is None
    answered = _answer(client, survey, {travel: "是", mode: "火车"})
    assert answered.status_code == 201
    assert answered.json()["flagged"] is True
    [listed] = client.get(f"{API}/surveys").json()
    assert listed["my_last_answer"]["answers"] == [
        {"question": TRAVEL, "answer": "是", "risk": True},
        {"question": "出行方式", "answer": "火车", "risk": False},
    ]
    flagged = SurveyResponse.objects.get()
    assert list(selectors.survey_follow_ups(personas.grid_worker_a1)) == [flagged]


def test_bad_answers_are_named_by_question_and_nothing_is_stored(client, personas, survey):
    travel, mode = _ids(survey)
    client.force_login(personas.resident_a)
    refused = _answer(client, survey, {travel: "也许", mode: ""})
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["details"]["fields"]}
    assert fields == {travel, mode}
    assert _answer(client, survey, {travel: "否", mode: "飞机"}).status_code == 422
    assert _answer(client, survey, ["是", "火车"]).status_code == 422  # not a question → answer map
    assert _answer(client, survey, {travel: 1, mode: None}).status_code == 422
    assert not SurveyResponse.objects.exists()


def test_a_retried_answer_is_stored_once(client, personas, survey):
    travel, mode = _ids(survey)
    client.force_login(personas.resident_a)
    key = {"HTTP_IDEMPOTENCY_KEY": "survey-answer-1"}
    first = _answer(client, survey, {travel: "否", mode: "未外出"}, **key)
    retry = _answer(client, survey, {travel: "否", mode: "未外出"}, **key)
    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert SurveyResponse.objects.count() == 1


def test_nobody_answers_a_survey_of_another_area(client, personas, survey):
    other = Survey.objects.create(title="景县调查", division_code="131127000000")
    client.force_login(personas.resident_a)
    assert [s["title"] for s in client.get(f"{API}/surveys").json()] == ["返乡人员防疫调查"]
    assert _answer(client, other, {}).status_code == 404
    client.force_login(personas.resident_b)  # in no community's register: no survey is theirs
    assert client.get(f"{API}/surveys").json() == []
    travel, mode = _ids(survey)
    assert _answer(client, survey, {travel: "否", mode: "未外出"}).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_an_api_token_speaks_for_an_office_not_a_resident(client, personas, survey):
    issued = do_issue_api_token(
        created_by=None, organisation=personas.organisations["county_a"], name="t"
    )
    response = client.get(f"{API}/surveys", HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert response.status_code == 403
