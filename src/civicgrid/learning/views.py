"""The readers' pages (phone first): articles by topic, an article, a quiz, its result with
explanations, and my learning record."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.learning import access, actions, selectors
from civicgrid.learning.forms import posted_answers
from civicgrid.learning.models import Article, Quiz, Topic
from civicgrid.learning.querysets import may_author, may_see_statistics, resident_community_code


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What reaches the reader: articles (by topic) and quizzes with their standing."""
    topics = list(
        Topic.objects.filter(articles__in=Article.objects.reaching(request.user)).distinct()
    )
    current = next((t for t in topics if t.slug == request.GET.get("topic")), None)
    articles = Article.objects.reaching(request.user).select_related("topic")
    if current is not None:
        articles = articles.filter(topic=current)
    read = set(
        request.user.article_reads.values_list("article_id", flat=True)  # type: ignore[union-attr]
    )
    quizzes = list(Quiz.objects.reaching(request.user).annotate(question_count=Count("questions")))
    return render(
        request,
        "learning/home.html",
        {
            "topics": topics,
            "current": current,
            "articles": articles[:100],
            "read": read,
            "standings": selectors.quiz_standings(request.user, quizzes),
            "community_unknown": request.user.is_resident  # type: ignore[union-attr]
            and resident_community_code(request.user) is None,
            **_nav(request),
        },
    )


@login_required
@require_GET
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access.access_article_for_reader(request.user, article_id, request=request)
    actions.do_record_article_read(request.user, article=article)
    return render(request, "learning/article_detail.html", {"article": article})


@login_required
@require_GET
@cache_control(private=True, max_age=3600)
def image(request: HttpRequest, key: str) -> HttpResponse:
    found = access.access_image_for_user(request.user, key)
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def quiz_take(request: HttpRequest, quiz_id: int) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        quiz = access.access_quiz_for_submission(request.user, quiz_id, request=request)
        try:
            attempt = actions.do_submit_quiz(
                request.user, quiz=quiz, answers=posted_answers(request.POST)
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            return redirect("learning:attempt_detail", attempt_id=attempt.pk)
    else:
        quiz = access.access_quiz_for_taker(request.user, quiz_id, request=request)
    chosen = {key: set(values) for key, values in posted_answers(request.POST).items()}
    questions = [
        {
            "question": q,
            "errors": errors.get(f"answers.{q.pk}", []),
            "chosen": chosen.get(str(q.pk), set()),
        }
        for q in quiz.questions.prefetch_related("choices")
    ]
    # Errors of no question on the page: an empty or retracted quiz, a foreign question.
    shown = {f"answers.{q['question'].pk}" for q in questions}
    general = [m for key, messages in errors.items() if key not in shown for m in messages]
    return render(
        request,
        "learning/quiz_take.html",
        {"quiz": quiz, "questions": questions, "errors": general, "has_errors": bool(errors)},
    )


@login_required
@require_GET
def attempt_detail(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = access.access_attempt_for_user(request.user, attempt_id, request=request)
    answers = (
        attempt.answers.select_related("question")
        .prefetch_related("choices", "question__choices")
        .order_by("question__order", "question_id")
    )
    standing = selectors.quiz_standings(request.user, [attempt.quiz])[0]
    return render(
        request,
        "learning/attempt_detail.html",
        {
            "attempt": attempt,
            "answers": [(a, {c.pk for c in a.choices.all()}) for a in answers],
            "standing": standing,
            "may_retake": attempt.quiz.is_published,
        },
    )


@login_required
@require_GET
def my_record(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "learning/my_record.html",
        {"record": selectors.learning_record(request.user), **_nav(request)},
    )


def _nav(request: HttpRequest) -> dict[str, bool]:
    """Which of the learning tabs the user gets besides reading."""
    return {
        "may_author": may_author(request.user),
        "may_see_statistics": may_see_statistics(request.user),
    }
