"""The learning API: authors write and publish, residents answer, errors name the field."""

import json

import pytest

from civicgrid.learning.models import Article, QuizAttempt
from civicgrid.learning.tests import factories as f

pytestmark = pytest.mark.django_db


def post_json(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_an_author_creates_publishes_and_retracts_an_article(personas, client):
    client.force_login(personas.cdc_a)
    response = post_json(
        client,
        "/api/v1/learning/articles",
        {
            "division_code": "131128",
            "topic_id": f.topic().pk,
            "title": "勤通风",
            "body": "<p>每天开窗</p><script>x()</script>",
            "verified_by": "阜城县疾控中心审核",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["status"], created["body"]) == ("draft", "<p>每天开窗</p>")
    url = f"/api/v1/learning/articles/{created['id']}"
    assert client.post(f"{url}/publish").json()["status"] == "published"
    refused = client.post(f"{url}/retract")
    assert refused.status_code == 422
    assert refused.json()["details"]["fields"] == [{"field": "reason", "message": "请写明撤回原因"}]
    retracted = client.post(f"{url}/retract", {"reason": "已有新版"}).json()
    assert (retracted["status"], retracted["retraction_reason"]) == ("retracted", "已有新版")


def test_an_author_outside_the_jurisdiction_is_refused(personas, client):
    client.force_login(personas.county_b_officer)
    response = post_json(
        client,
        "/api/v1/learning/articles",
        {"division_code": "131128", "topic_id": f.topic().pk, "title": "x", "body": "<p>x</p>"},
    )
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == "division_code"
    draft = f.article(personas.county_a_officer, publish=False)
    assert client.post(f"/api/v1/learning/articles/{draft.pk}/publish").status_code == 404
    client.force_login(personas.grid_worker_a1)
    response = post_json(
        client,
        "/api/v1/learning/articles",
        {"division_code": "131128100001", "topic_id": f.topic().pk, "title": "x", "body": "x"},
    )
    assert response.status_code == 403
    assert not Article.objects.exclude(pk=draft.pk).exists()


def test_a_resident_answers_and_reads_the_explanations(personas, client):
    f.live_in(personas.resident_a)
    quiz = f.quiz(personas.county_a_officer)
    client.force_login(personas.resident_a)
    shown = client.get(f"/api/v1/learning/quizzes/{quiz.pk}").json()
    assert "is_correct" not in json.dumps(shown)  # the answers are not given away
    answers = [{"question_id": q, "choice_ids": c} for q, c in f.right_answers(quiz).items()]
    response = post_json(
        client, f"/api/v1/learning/quizzes/{quiz.pk}/attempts", {"answers": answers}
    )
    assert response.status_code == 201
    result = response.json()
    assert (result["percent"], result["passed"]) == (100, True)
    assert result["answers"][0]["explanation"] == "七步洗手法全程不少于 20 秒。"
    record = client.get("/api/v1/learning/me").json()
    assert record["quizzes_passed"] == 1


def test_bad_answers_name_the_field_and_save_nothing(personas, client):
    f.live_in(personas.resident_a)
    quiz = f.quiz(personas.county_a_officer)
    single_q, multiple_q = quiz.questions.all()
    client.force_login(personas.resident_a)
    url = f"/api/v1/learning/quizzes/{quiz.pk}/attempts"
    cases = {
        "answers": {"answers": []},
        f"answers.{single_q.pk}": {
            "answers": [
                {"question_id": single_q.pk, "choice_ids": [c.pk for c in single_q.choices.all()]},
                {"question_id": multiple_q.pk, "choice_ids": [multiple_q.choices.first().pk]},
            ]
        },
        "answers.999999": {
            "answers": [
                {"question_id": 999999, "choice_ids": [1]},
                {"question_id": single_q.pk, "choice_ids": [single_q.choices.first().pk]},
                {"question_id": multiple_q.pk, "choice_ids": [multiple_q.choices.first().pk]},
            ]
        },
    }
    for field, body in cases.items():
        response = post_json(client, url, body)
        assert response.status_code == 422, body
        assert field in [e["field"] for e in response.json()["details"]["fields"]], body
    assert not QuizAttempt.objects.exists()


def test_a_retry_with_the_same_idempotency_key_makes_one_attempt(personas, client):
    f.live_in(personas.resident_a)
    quiz = f.quiz(personas.county_a_officer)
    client.force_login(personas.resident_a)
    body = {
        "answers": [{"question_id": q, "choice_ids": c} for q, c in f.right_answers(quiz).items()]
    }
    url = f"/api/v1/learning/quizzes/{quiz.pk}/attempts"
    first = post_json(client, url, body, **{"Idempotency-Key": "quiz-retry-1"})
    again = post_json(client, url, body, **{"Idempotency-Key": "quiz-retry-1"})
    assert first.json()["id"] == again.json()["id"]
    assert QuizAttempt.objects.count() == 1


def test_a_resident_of_county_b_cannot_answer_county_as_quiz(personas, client):
    quiz = f.quiz(personas.county_a_officer)
    f.live_in(personas.resident_b, f.COMMUNITY_B1)
    client.force_login(personas.resident_b)
    body = {
        "answers": [{"question_id": q, "choice_ids": c} for q, c in f.right_answers(quiz).items()]
    }
    response = post_json(client, f"/api/v1/learning/quizzes/{quiz.pk}/attempts", body)
    assert response.status_code == 404
    assert not QuizAttempt.objects.exists()


def test_an_api_token_reads_articles_but_keeps_no_record(personas, client):
    from civicgrid.accounts.actions import do_issue_api_token

    f.article(personas.county_a_officer)
    issued = do_issue_api_token(
        created_by=personas.county_a_admin,
        organisation=personas.organisations["county_a"],
        name="门户网站",
    )
    auth = {"Authorization": f"Bearer {issued.plaintext}"}
    assert client.get("/api/v1/learning/articles", headers=auth).json()["count"] == 1
    assert client.get("/api/v1/learning/me", headers=auth).status_code == 403
    assert client.get("/api/v1/learning/completion", headers=auth).status_code == 200
