"""Prevention knowledge over the API, mounted at /api/v1/learning.

Readers (residents, staff, other systems' tokens) list and read what reaches them; authors of
the health authorities create drafts, publish and retract within their jurisdiction; residents
submit quiz answers and read their own record; staff and tokens read completion rates. Writes
go through `learning.actions`; a rejected write answers 422 naming the field
(`details.fields`) and leaves the database as it was.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Form, Query, Router, Schema, Status

from civicgrid.core.api_auth import SCOPED_AUTH
from civicgrid.core.api_errors import ApiError
from civicgrid.core.paging import Paging, page_of
from civicgrid.learning import access, actions, selectors
from civicgrid.learning.choices import PublicationStatus, QuestionKind
from civicgrid.learning.models import Article, Question, Quiz, QuizAttempt, Topic
from civicgrid.learning.querysets import may_see_statistics
from civicgrid.population.selectors import area_for, default_area

router = Router(tags=["learning"], auth=SCOPED_AUTH)


# --- schemas ---------------------------------------------------------------------------------


class TopicSchema(Schema):
    id: int
    slug: str
    name: str
    description: str


class ArticleSummarySchema(Schema):
    id: int
    title: str
    topic: str = Field(description="主题")
    summary: str
    verified_by: str = Field(description="审核/来源")
    division_code: str = Field(description="发布区划")
    status: PublicationStatus
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_topic(obj: Article) -> str:
        return obj.topic.name


class ArticleSchema(ArticleSummarySchema):
    body: str = Field(description="正文（已净化的 HTML）")
    retracted_at: datetime.datetime | None
    retraction_reason: str


class ArticlePage(Schema):
    count: int
    items: list[ArticleSummarySchema]


class ArticleIn(Schema):
    division_code: str = Field(description="发布区划（本人管辖范围内），12 位或有效前缀")
    topic_id: int
    title: str = Field(max_length=120)
    summary: str = Field("", max_length=200)
    body: str = Field(description="HTML；只保留安全的标签，图片须为本平台上传的图片")
    verified_by: str = Field("", max_length=200, description="审核/来源，发布前必填")


class ChoiceSchema(Schema):
    id: int
    text: str


class QuestionSchema(Schema):
    id: int
    text: str
    kind: QuestionKind
    choices: list[ChoiceSchema]

    @staticmethod
    def resolve_choices(obj: Question) -> list[object]:
        return list(obj.choices.all())


class QuizSummarySchema(Schema):
    id: int
    title: str
    description: str
    pass_percent: int
    verified_by: str
    division_code: str
    status: PublicationStatus
    published_at: datetime.datetime | None


class QuizSchema(QuizSummarySchema):
    questions: list[QuestionSchema] = Field(description="题目与选项（不含答案）")

    @staticmethod
    def resolve_questions(obj: Quiz) -> list[Question]:
        return list(obj.questions.prefetch_related("choices"))


class ChoiceIn(Schema):
    text: str = Field(max_length=200)
    is_correct: bool = False


class QuestionIn(Schema):
    text: str = Field(max_length=300)
    kind: QuestionKind = QuestionKind.SINGLE
    explanation: str = Field("", max_length=1000)
    choices: list[ChoiceIn]


class QuizIn(Schema):
    division_code: str
    title: str = Field(max_length=120)
    topic_id: int | None = None
    description: str = Field("", max_length=300)
    pass_percent: int = Field(80, ge=1, le=100)
    verified_by: str = Field("", max_length=200)
    questions: list[QuestionIn]


class AnswerIn(Schema):
    question_id: int
    choice_ids: list[int] = Field(description="所选选项；单选题只能一个")


class SubmissionIn(Schema):
    answers: list[AnswerIn]


class MarkedAnswerSchema(Schema):
    question_id: int
    question: str
    chosen: list[int]
    correct: list[int] = Field(description="正确选项（提交后才公布）")
    is_correct: bool
    explanation: str


class AttemptSchema(Schema):
    id: int
    quiz_id: int
    quiz_title: str
    question_count: int
    correct_count: int
    percent: int
    passed: bool
    submitted_at: datetime.datetime
    answers: list[MarkedAnswerSchema]

    @staticmethod
    def resolve_quiz_title(obj: QuizAttempt) -> str:
        return obj.quiz.title

    @staticmethod
    def resolve_answers(obj: QuizAttempt) -> list[dict[str, object]]:
        return [
            {
                "question_id": a.question_id,
                "question": a.question.text,
                "chosen": sorted(c.pk for c in a.choices.all()),
                "correct": sorted(c.pk for c in a.question.choices.all() if c.is_correct),
                "is_correct": a.is_correct,
                "explanation": a.question.explanation,
            }
            for a in obj.answers.select_related("question")
            .prefetch_related("choices", "question__choices")
            .order_by("question__order", "question_id")
        ]


class StandingSchema(Schema):
    quiz_id: int
    quiz_title: str
    attempts: int
    best_percent: int | None
    passed: bool


class ReadSchema(Schema):
    article_id: int
    title: str
    read_at: datetime.datetime


class RecordSchema(Schema):
    articles_read: list[ReadSchema]
    quizzes: list[StandingSchema]
    quizzes_passed: int


class CompletionRowSchema(Schema):
    name: str
    code: str
    residents: int = Field(description="居民账号数")
    passed: int = Field(description="已通过测验的居民数")
    percent: float | None


class CompletionSchema(Schema):
    within: str
    quiz_id: int | None
    rows: list[CompletionRowSchema]
    total: CompletionRowSchema


# A form field, like the other modules' one-field writes; required by the action, which says so.
Reason = Annotated[str, Form("", max_length=200, description="撤回原因（必填）")]


class ArticleFilters(Paging):
    topic: str = Field("", max_length=40, description="主题的网址标识")


class CompletionFilters(Schema):
    within: str = Field("", max_length=12, description="区划代码；默认本人管辖区划")
    quiz_id: int | None = Field(None, description="只统计这份测验；默认任一测验")


# --- helpers ---------------------------------------------------------------------------------


@contextmanager
def _as_api_errors() -> Iterator[None]:
    """An action's refusal to an author outside their jurisdiction or role: 403 in JSON."""
    try:
        yield
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", str(exc) or "无权执行该操作") from exc


def _learner(request: HttpRequest) -> object:
    """The signed-in person: reading records and answers belong to people, not to systems."""
    if not hasattr(request.auth, "roles"):
        raise ApiError(403, "forbidden", "接口令牌没有学习记录，也不能代替居民作答")
    return request.auth


def _topic(topic_id: int | None, *, required: bool = True) -> Topic | None:
    if topic_id is None and not required:
        return None
    topic = Topic.objects.filter(pk=topic_id).first()
    if topic is None:
        raise ApiError(
            422,
            "invalid_input",
            "主题不存在",
            fields=[{"field": "topic_id", "message": "主题不存在"}],
        )
    return topic


# --- topics and articles ---------------------------------------------------------------------


@router.get("/topics", response=list[TopicSchema], summary="知识主题", url_name="learning_topics")
def list_topics(request: HttpRequest) -> list[Topic]:
    return list(Topic.objects.all())


@router.get("/articles", response=ArticlePage, summary="可阅读的文章", url_name="learning_articles")
def list_articles(request: HttpRequest, filters: Query[ArticleFilters]) -> dict[str, object]:
    articles = Article.objects.reaching(request.auth).select_related("topic")
    if filters.topic:
        articles = articles.filter(topic__slug=filters.topic)
    return page_of(articles, filters)


@router.post(
    "/articles",
    response={201: ArticleSchema},
    summary="撰写文章（草稿）",
    url_name="learning_articles",
)
def create_article(request: HttpRequest, payload: ArticleIn) -> Status[Article]:
    data = actions.ArticleInput(
        title=payload.title,
        topic=_topic(payload.topic_id),
        body=payload.body,
        summary=payload.summary,
        verified_by=payload.verified_by,
    )
    with _as_api_errors():
        article = actions.do_create_article(
            request.auth, division_code=payload.division_code, data=data
        )
    return Status(201, article)


@router.get(
    "/articles/{article_id}",
    response=ArticleSchema,
    summary="阅读文章",
    url_name="learning_article",
)
def get_article(request: HttpRequest, article_id: int) -> Article:
    return access.access_article_for_reader(request.auth, article_id, request=request)


@router.post(
    "/articles/{article_id}/read",
    response={204: None},
    summary="记为已读",
    url_name="learning_article_read",
)
def mark_read(request: HttpRequest, article_id: int) -> Status[None]:
    learner = _learner(request)
    article = access.access_article_for_reader(learner, article_id, request=request)
    actions.do_record_article_read(learner, article=article)
    return Status(204, None)


# --- quizzes ---------------------------------------------------------------------------------


@router.get(
    "/quizzes",
    response=list[QuizSummarySchema],
    summary="可参加的测验",
    url_name="learning_quizzes",
)
def list_quizzes(request: HttpRequest) -> list[Quiz]:
    return list(Quiz.objects.reaching(request.auth))


@router.post(
    "/quizzes", response={201: QuizSchema}, summary="编写测验（草稿）", url_name="learning_quizzes"
)
def create_quiz(request: HttpRequest, payload: QuizIn) -> Status[Quiz]:
    data = actions.QuizInput(
        title=payload.title,
        topic=_topic(payload.topic_id, required=False),
        description=payload.description,
        pass_percent=payload.pass_percent,
        verified_by=payload.verified_by,
        questions=[
            actions.QuestionInput(
                text=q.text,
                kind=q.kind,
                explanation=q.explanation,
                choices=[actions.ChoiceInput(c.text, c.is_correct) for c in q.choices],
            )
            for q in payload.questions
        ],
    )
    with _as_api_errors():
        quiz = actions.do_create_quiz(request.auth, division_code=payload.division_code, data=data)
    return Status(201, quiz)


@router.get("/quizzes/{quiz_id}", response=QuizSchema, summary="测验题目", url_name="learning_quiz")
def get_quiz(request: HttpRequest, quiz_id: int) -> Quiz:
    return access.access_quiz_for_taker(request.auth, quiz_id, request=request)


@router.post(
    "/quizzes/{quiz_id}/attempts",
    response={201: AttemptSchema},
    summary="提交答卷（支持 Idempotency-Key；可多次作答，取最高分）",
    url_name="learning_quiz_attempts",
)
def submit_quiz(request: HttpRequest, quiz_id: int, payload: SubmissionIn) -> Status[QuizAttempt]:
    learner = _learner(request)
    quiz = access.access_quiz_for_submission(learner, quiz_id, request=request)
    answers: dict[int, list[int]] = {}
    for answer in payload.answers:
        if answer.question_id in answers:
            raise ApiError(
                422,
                "invalid_input",
                "同一道题只能作答一次",
                fields=[
                    {"field": f"answers.{answer.question_id}", "message": "同一道题只能作答一次"}
                ],
            )
        answers[answer.question_id] = answer.choice_ids
    attempt = actions.do_submit_quiz(learner, quiz=quiz, answers=answers)
    return Status(201, attempt)


# --- publish and retract, for articles and quizzes alike -------------------------------------


def _workflow_endpoints(
    noun: str, path: str, schema: type[Schema], find: Any, do_publish: Any, do_retract: Any
) -> None:
    """`POST /<path>/{id}/publish` and `…/retract` for one kind of publication."""

    @router.post(
        f"/{path}/{{item_id}}/publish",
        response=schema,
        summary="发布草稿（发布后不能修改，只能撤回）",
        url_name=f"learning_{noun}_publish",
        operation_id=f"learning_publish_{noun}",
    )
    def publish(request: HttpRequest, item_id: int) -> object:
        item = find(request.auth, item_id, request=request)
        with _as_api_errors():
            return do_publish(request.auth, **{noun: item})

    @router.post(
        f"/{path}/{{item_id}}/retract",
        response=schema,
        summary="撤回已发布的内容（须写明原因；记录保留）",
        url_name=f"learning_{noun}_retract",
        operation_id=f"learning_retract_{noun}",
    )
    def retract(request: HttpRequest, item_id: int, reason: Reason = "") -> object:
        item = find(request.auth, item_id, request=request)
        with _as_api_errors():
            return do_retract(request.auth, reason=reason, **{noun: item})


_workflow_endpoints(
    "article",
    "articles",
    ArticleSchema,
    access.access_article_for_author,
    actions.do_publish_article,
    actions.do_retract_article,
)
_workflow_endpoints(
    "quiz",
    "quizzes",
    QuizSummarySchema,
    access.access_quiz_for_author,
    actions.do_publish_quiz,
    actions.do_retract_quiz,
)


@router.get(
    "/quizzes/{quiz_id}/attempts",
    response=list[AttemptSchema],
    summary="我对这份测验的全部作答（新的在前）",
    url_name="learning_quiz_attempts",
)
def list_attempts(request: HttpRequest, quiz_id: int) -> list[QuizAttempt]:
    learner = _learner(request)
    quiz = access.access_quiz_for_submission(learner, quiz_id, request=request)
    return list(
        QuizAttempt.objects.visible_to(learner)
        .filter(quiz=quiz, user=learner)
        .select_related("quiz")
    )


@router.get(
    "/attempts/{attempt_id}",
    response=AttemptSchema,
    summary="我的一次答题结果（含解析）",
    url_name="learning_attempt",
)
def get_attempt(request: HttpRequest, attempt_id: int) -> QuizAttempt:
    return access.access_attempt_for_user(request.auth, attempt_id, request=request)


@router.get("/me", response=RecordSchema, summary="我的学习记录", url_name="learning_record")
def my_record(request: HttpRequest) -> dict[str, object]:
    record = selectors.learning_record(_learner(request))
    return {
        "articles_read": [
            {"article_id": r.article_id, "title": r.article.title, "read_at": r.read_at}
            for r in record.reads
        ],
        "quizzes": [
            {
                "quiz_id": s.quiz.pk,
                "quiz_title": s.quiz.title,
                "attempts": s.attempts,
                "best_percent": s.best_percent,
                "passed": s.passed,
            }
            for s in record.quizzes
        ],
        "quizzes_passed": record.passed_count,
    }


@router.get(
    "/completion",
    response=CompletionSchema,
    summary="各社区测验完成率",
    url_name="learning_completion",
)
def completion(request: HttpRequest, filters: Query[CompletionFilters]) -> dict[str, object]:
    if not may_see_statistics(request.auth):
        raise ApiError(403, "forbidden", "您的角色无权查看完成率")
    within = (
        area_for(request.auth, filters.within) if filters.within else default_area(request.auth)
    )
    if within is None:
        raise Http404(access.NOT_FOUND)
    quiz = None
    if filters.quiz_id is not None:
        quiz = (
            Quiz.objects.addressed_to(request.auth)
            .exclude(status=PublicationStatus.DRAFT)
            .filter(pk=filters.quiz_id)
            .first()
        )
        if quiz is None:
            raise Http404(access.NOT_FOUND)
    report = selectors.completion(within, quiz=quiz)

    def row(r: selectors.CompletionRow) -> dict[str, object]:
        return {
            "name": r.label,
            "code": r.code,
            "residents": r.residents,
            "passed": r.passed,
            "percent": r.percent,
        }

    return {
        "within": within.code,
        "quiz_id": quiz.pk if quiz else None,
        "rows": [row(r) for r in report.rows],
        "total": row(report.total),
    }
