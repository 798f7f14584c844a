"""Quizzes: scoring, explanations after submitting, retakes, and every kind of bad answer."""

import pytest
from django.core.exceptions import ValidationError

from civicgrid.learning import actions
from civicgrid.learning.models import AttemptAnswer, Quiz, QuizAttempt
from civicgrid.learning.selectors import learning_record
from civicgrid.learning.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz(personas):
    f.live_in(personas.resident_a)
    return f.quiz(personas.county_a_officer, pass_percent=100)


def submit(user, quiz, answers):
    return actions.do_submit_quiz(user, quiz=quiz, answers=answers)


def refused(user, quiz, answers) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        submit(user, quiz, answers)
    assert not QuizAttempt.objects.exists() and not AttemptAnswer.objects.exists()
    return caught.value.message_dict


def test_all_right_answers_pass(personas, quiz):
    attempt = submit(personas.resident_a, quiz, f.right_answers(quiz))
    assert (attempt.correct_count, attempt.question_count, attempt.percent) == (2, 2, 100)
    assert attempt.passed and attempt.division_code == f.COMMUNITY_A1


def test_a_multiple_choice_question_counts_only_with_exactly_the_right_options(personas, quiz):
    multiple_q = quiz.questions.last()
    answers = f.right_answers(quiz)
    answers[multiple_q.pk] = answers[multiple_q.pk][:1]  # one of the two right options
    attempt = submit(personas.resident_a, quiz, answers)
    assert (attempt.correct_count, attempt.percent, attempt.passed) == (1, 50, False)


def test_retakes_are_kept_and_the_best_counts(personas, quiz):
    submit(personas.resident_a, quiz, f.right_answers(quiz))
    submit(personas.resident_a, quiz, f.wrong_answers(quiz))
    assert QuizAttempt.objects.filter(user=personas.resident_a).count() == 2
    [standing] = learning_record(personas.resident_a).quizzes
    assert (standing.attempts, standing.best_percent, standing.passed) == (2, 100, True)


def test_an_empty_submission_is_refused(personas, quiz):
    assert refused(personas.resident_a, quiz, {}) == {"answers": ["答卷是空的：请先作答再提交"]}
    assert "answers" in refused(personas.resident_a, quiz, {q.pk: [] for q in quiz.questions.all()})


def test_an_answer_for_a_question_not_in_the_quiz_is_refused(personas, quiz):
    other = f.quiz(personas.county_a_officer)
    answers = {**f.right_answers(quiz), **f.right_answers(other)}
    errors = refused(personas.resident_a, quiz, answers)
    foreign = other.questions.first().pk
    assert errors[f"answers.{foreign}"] == [f"题目 {foreign} 不属于本测验"]


def test_a_choice_of_another_question_is_refused(personas, quiz):
    single_q, multiple_q = quiz.questions.all()
    answers = f.right_answers(quiz)
    answers[single_q.pk] = [multiple_q.choices.first().pk]
    assert refused(personas.resident_a, quiz, answers) == {
        f"answers.{single_q.pk}": ["第 1 题：所选选项不属于该题"]
    }


def test_two_answers_to_a_single_choice_question_are_refused(personas, quiz):
    single_q = quiz.questions.first()
    answers = f.right_answers(quiz)
    answers[single_q.pk] = [c.pk for c in single_q.choices.all()]
    assert refused(personas.resident_a, quiz, answers) == {
        f"answers.{single_q.pk}": ["第 1 题是单选题，只能选择一个选项"]
    }


def test_an_unanswered_question_is_named(personas, quiz):
    answers = f.right_answers(quiz)
    second = quiz.questions.last()
    del answers[second.pk]
    assert refused(personas.resident_a, quiz, answers) == {
        f"answers.{second.pk}": ["第 2 题还没有作答"]
    }


def test_a_retracted_quiz_takes_no_answers(personas, quiz):
    actions.do_retract_quiz(personas.county_a_officer, quiz=quiz, reason="题目有误")
    assert refused(personas.resident_a, quiz, f.right_answers(quiz)) == {
        "quiz": ["该测验已撤回或尚未发布，不能作答"]
    }


def test_a_quiz_is_checked_before_it_is_saved(personas):
    bad = actions.QuizInput(
        title="测验",
        questions=[
            actions.QuestionInput("单选两个对", "single", [
                actions.ChoiceInput("A", True), actions.ChoiceInput("B", True)]),
            actions.QuestionInput("只有一个选项", "multiple", [actions.ChoiceInput("A", True)]),
            actions.QuestionInput("", "single", [
                actions.ChoiceInput("A", True), actions.ChoiceInput("B")]),
        ],
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        actions.do_create_quiz(personas.county_a_officer, division_code="131128", data=bad)
    assert caught.value.message_dict == {
        "questions.1.choices": ["第 1 题：单选题须有且只有一个正确答案"],
        "questions.2.choices": ["第 2 题：至少需要两个选项"],
        "questions.3.text": ["第 3 题：请填写题目"],
    }


def test_the_quiz_page_marks_the_answers_and_shows_explanations_after_submitting(
    personas, quiz, client
):
    client.force_login(personas.resident_a)
    page = client.get(f"/learning/quizzes/{quiz.pk}/").content.decode()
    assert "七步洗手法全程" not in page  # explanations only after submitting
    data = {f"q{qid}": choices for qid, choices in f.wrong_answers(quiz).items()}
    response = client.post(f"/learning/quizzes/{quiz.pk}/", data)
    attempt = QuizAttempt.objects.get()
    assert response["Location"] == f"/learning/attempts/{attempt.pk}/"
    result = client.get(response["Location"]).content.decode()
    assert "0 分" in result and "七步洗手法全程不少于 20 秒。" in result and "再答一次" in result


def test_the_quiz_page_keeps_the_choices_and_names_the_question_on_an_error(personas, quiz, client):
    client.force_login(personas.resident_a)
    single_q = quiz.questions.first()
    chosen = single_q.choices.first().pk
    response = client.post(f"/learning/quizzes/{quiz.pk}/", {f"q{single_q.pk}": [chosen]})
    page = response.content.decode()
    assert response.status_code == 200
    assert "第 2 题还没有作答" in page
    assert f'value="{chosen}" checked' in page
    assert not QuizAttempt.objects.exists()


def test_a_quiz_of_county_b_is_not_for_a_resident_of_county_a(personas, client):
    f.live_in(personas.resident_a)
    theirs = f.quiz(personas.county_b_officer, f.COUNTY_B)
    client.force_login(personas.resident_a)
    assert client.get(f"/learning/quizzes/{theirs.pk}/").status_code == 404
    response = client.post(f"/learning/quizzes/{theirs.pk}/", {"x": "1"})
    assert response.status_code == 404 and not QuizAttempt.objects.exists()


def test_the_quiz_editor_saves_questions_and_names_the_faulty_one(personas, client):
    client.force_login(personas.county_a_officer)
    form = {
        "title": "小测",
        "division_code": "131128000000",
        "pass_percent": "80",
        "q-1-text": "洗手多久？",
        "q-1-kind": "single",
        "q-1-c-1-text": "20 秒",
        "q-1-c-1-correct": "1",
        "q-1-c-2-text": "5 秒",
        "q-2-text": "口罩",
        "q-2-kind": "multiple",
        "q-2-c-1-text": "公交",
        "q-2-c-2-text": "就医",
        "q-3-text": "",
    }
    response = client.post("/learning/manage/quizzes/new/", form)
    assert response.status_code == 200
    assert "第 2 题：多选题至少要有一个正确答案" in response.content.decode()
    response = client.post("/learning/manage/quizzes/new/", {**form, "q-2-c-1-correct": "1"})
    assert response.status_code == 302
    saved = Quiz.objects.get()
    assert [q.text for q in saved.questions.all()] == ["洗手多久？", "口罩"]
    assert [c.is_correct for c in saved.questions.last().choices.all()] == [True, False]
