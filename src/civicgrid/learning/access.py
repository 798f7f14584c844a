"""Reading one article, quiz, image or attempt: the object, or 404 alike for missing and not
yours (attempts at objects that exist elsewhere are audited by `core.access`)."""

from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from civicgrid.core.access import access_scoped_or_404, record_denied_access
from civicgrid.core.scoping import Principal
from civicgrid.learning.choices import PublicationStatus
from civicgrid.learning.models import Article, ArticleImage, Quiz, QuizAttempt

NOT_FOUND = "记录不存在或不在您的管辖范围内"


def _reaching_or_404(
    queryset: QuerySet[Any], principal: Principal, pk: int, request: HttpRequest | None
) -> Any:
    found = queryset.reaching(principal).filter(pk=pk).first()  # type: ignore[attr-defined]
    if found is not None:
        return found
    hidden: Model | None = queryset.filter(pk=pk).first()
    if hidden is not None:
        record_denied_access(principal, hidden, request=request)
    raise Http404(NOT_FOUND)


def access_article_for_reader(
    principal: Principal, article_id: int, *, request: HttpRequest | None = None
) -> Article:
    """A published article that reaches the reader, or, for its authors, any of their own
    jurisdiction's articles (a draft to preview, a retracted one to look back at)."""
    articles = Article.objects.select_related("topic")
    managed = articles.visible_to(principal).filter(pk=article_id).first()
    if managed is not None:
        return managed  # type: ignore[no-any-return]
    return _reaching_or_404(articles, principal, article_id, request)  # type: ignore[no-any-return]


def access_article_for_author(
    principal: Principal, article_id: int, *, request: HttpRequest | None = None
) -> Article:
    return access_scoped_or_404(  # type: ignore[no-any-return]
        Article.objects.select_related("topic"), principal, request=request, pk=article_id
    )


def access_quiz_for_taker(
    principal: Principal, quiz_id: int, *, request: HttpRequest | None = None
) -> Quiz:
    """A published quiz that reaches the principal."""
    return _reaching_or_404(Quiz.objects.all(), principal, quiz_id, request)  # type: ignore[no-any-return]


def access_quiz_for_submission(
    principal: Principal, quiz_id: int, *, request: HttpRequest | None = None
) -> Quiz:
    """A quiz addressed to the principal that was published, even if retracted since: the
    answer to a retracted quiz is a clear refusal by `do_submit_quiz`, not a bare 404."""
    quiz = (
        Quiz.objects.addressed_to(principal)
        .exclude(status=PublicationStatus.DRAFT)
        .filter(pk=quiz_id)
        .first()
    )
    return quiz or access_quiz_for_taker(principal, quiz_id, request=request)


def access_quiz_for_author(
    principal: Principal, quiz_id: int, *, request: HttpRequest | None = None
) -> Quiz:
    return access_scoped_or_404(Quiz.objects.all(), principal, request=request, pk=quiz_id)  # type: ignore[no-any-return]


def access_attempt_for_user(
    principal: Principal, attempt_id: int, *, request: HttpRequest | None = None
) -> QuizAttempt:
    """One's own attempt (with its quiz), else 404."""
    return access_scoped_or_404(  # type: ignore[no-any-return]
        QuizAttempt.objects.select_related("quiz"), principal, request=request, pk=attempt_id
    )


def access_image_for_user(principal: Principal, key: str) -> ArticleImage:
    """An image of an article the principal may read (or manage)."""
    image = ArticleImage.objects.filter(key=key).only("article_id").first()
    if image is None:
        raise Http404(NOT_FOUND)
    access_article_for_reader(principal, image.article_id)
    return ArticleImage.objects.get(pk=image.pk)
