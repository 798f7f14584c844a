"""Every change to prevention knowledge: one action each, one transaction, one audit row.

Authors (`querysets.AUTHOR_ROLES`) write for a division inside their jurisdiction. Drafts can be
edited; publishing checks that the item is complete; a published item is not edited but
retracted, with a reason, and stays on record. Residents record reading and submit quizzes.
Rejected input raises a ValidationError naming the field, before anything is written.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.division_codes import InvalidDivisionCode, normalize_code
from civicgrid.core.images import check_image
from civicgrid.core.scoping import covers
from civicgrid.learning import richtext
from civicgrid.learning.choices import PublicationStatus, QuestionKind
from civicgrid.learning.models import (
    Article,
    ArticleImage,
    ArticleRead,
    AttemptAnswer,
    Choice,
    Publication,
    Question,
    Quiz,
    QuizAttempt,
    Topic,
)
from civicgrid.learning.querysets import may_author, resident_community_code
from civicgrid.regions.models import Division

MAX_QUESTIONS = 50
MAX_CHOICES = 8
MAX_IMAGES_PER_ARTICLE = 30
IMAGE_MAX_WIDTH = 1600  # pixels: wider than any phone or article column needs


# --- shared by articles and quizzes ----------------------------------------------------------


def _check_author(actor: Any, division_code: str) -> None:
    if not (may_author(actor) and covers(actor, division_code)):
        raise PermissionDenied(_("您无权为该区划发布防疫知识"))


def publishing_division(actor: Any, raw: str) -> str:
    """The 12-digit code of a division inside the author's jurisdiction (field `division_code`)."""
    try:
        code = normalize_code(str(raw).strip())
    except InvalidDivisionCode as exc:
        raise ValidationError({"division_code": [str(exc)]}) from exc
    if not covers(actor, code) or not Division.objects.filter(code=code).exists():
        raise ValidationError({"division_code": [_("该区划不存在或不在您的管辖范围内")]})
    return code


def _require_draft(item: Publication) -> None:
    if not item.is_draft:
        raise ValidationError(
            {"status": [_("只有草稿可以修改；已发布的内容请撤回后另行发布")]}, code="not_draft"
        )


def _publish(actor: Any, item: Publication) -> None:
    _check_author(actor, item.division_code)
    if not item.is_draft:
        raise ValidationError({"status": [_("只有草稿可以发布")]}, code="not_draft")
    item.status = PublicationStatus.PUBLISHED
    item.published_by = actor
    item.published_at = timezone.now()
    item.save(update_fields=["status", "published_by", "published_at", "updated_at"])
    record_audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=item,
        division_code=item.division_code,
        details={"status": PublicationStatus.PUBLISHED.value},
    )


def _retract(actor: Any, item: Publication, reason: str) -> None:
    _check_author(actor, item.division_code)
    reason = reason.strip()
    if not item.is_published:
        raise ValidationError({"status": [_("只有已发布的内容可以撤回")]}, code="not_published")
    if len(reason) < 2:
        raise ValidationError({"reason": [_("请写明撤回原因")]})
    item.status = PublicationStatus.RETRACTED
    item.retracted_by = actor
    item.retracted_at = timezone.now()
    item.retraction_reason = reason[:200]
    item.save(
        update_fields=["status", "retracted_by", "retracted_at", "retraction_reason", "updated_at"]
    )
    record_audit(
        actor=actor,
        action=AuditAction.UPDATE,
        target=item,
        division_code=item.division_code,
        reason=item.retraction_reason,
        details={"status": PublicationStatus.RETRACTED.value},
    )


def _locked(item: Publication) -> Any:
    """The row again, locked: two officers publishing or retracting at once act one by one."""
    return type(item).objects.select_for_update().get(pk=item.pk)


def _required(errors: dict[str, list[str]], name: str, value: str, message: str) -> None:
    if not value.strip():
        errors.setdefault(name, []).append(message)


# --- articles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleInput:
    title: str
    topic: Topic | None
    body: str
    summary: str = ""
    verified_by: str = ""


def _clean_article(article: Article | None, data: ArticleInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    _required(errors, "title", data.title, _("请填写标题"))
    if data.topic is None:
        errors.setdefault("topic", []).append(_("请选择主题"))
    if len(data.body) > richtext.MAX_BODY_CHARACTERS:
        errors.setdefault("body", []).append(
            _("正文过长（最多 %(n)d 个字符）") % {"n": richtext.MAX_BODY_CHARACTERS}
        )
    body = richtext.clean_body(data.body)
    own = {str(k) for k in article.images.values_list("key", flat=True)} if article else set()
    if richtext.image_keys(body) - own:
        errors.setdefault("body", []).append(_("正文引用了不属于本文的图片，请在本文中上传"))
    if errors:
        raise ValidationError(errors)
    return {
        "title": data.title.strip()[:120],
        "topic": data.topic,
        "summary": data.summary.strip()[:200],
        "body": body,
        "verified_by": data.verified_by.strip()[:200],
    }


def do_create_article(actor: Any, *, division_code: str, data: ArticleInput) -> Article:
    """Start an article (a draft) for a division inside the author's jurisdiction."""
    code = publishing_division(actor, division_code)
    _check_author(actor, code)
    fields = _clean_article(None, data)
    with transaction.atomic():
        article = Article.objects.create(division_code=code, created_by=actor, **fields)
        record_audit(actor=actor, action=AuditAction.CREATE, target=article, division_code=code)
    return article


def do_update_article(actor: Any, *, article: Article, data: ArticleInput) -> Article:
    """Change a draft's text; the body is sanitised again."""
    _check_author(actor, article.division_code)
    _require_draft(article)
    fields = _clean_article(article, data)
    with transaction.atomic():
        locked = _locked(article)
        _require_draft(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=locked,
            division_code=locked.division_code,
            details={"fields": sorted(fields)},
        )
    return locked


def do_add_article_image(
    actor: Any, *, article: Article, data: bytes, file_name: str = ""
) -> ArticleImage:
    """Attach an uploaded image to a draft (checked, re-encoded and scaled to the page;
    see core.images)."""
    _check_author(actor, article.division_code)
    _require_draft(article)
    checked = check_image(data, field="image", max_width=IMAGE_MAX_WIDTH)
    if article.images.count() >= MAX_IMAGES_PER_ARTICLE:
        raise ValidationError(
            {"image": [_("每篇文章最多 %(n)d 张图片") % {"n": MAX_IMAGES_PER_ARTICLE}]}
        )
    with transaction.atomic():
        image = ArticleImage.objects.create(
            article=article,
            content_type=checked.content_type,
            data=checked.data,
            width=checked.width,
            height=checked.height,
            file_name=file_name.strip()[-120:],
            uploaded_by=actor,
        )
        record_audit(
            actor=actor,
            action=AuditAction.CREATE,
            target=image,
            division_code=article.division_code,
            details={"article": article.pk, "bytes": len(checked.data)},
        )
    return image


def do_publish_article(actor: Any, *, article: Article) -> Article:
    """Publish a complete draft: it then reaches every resident of its division."""
    errors: dict[str, list[str]] = {}
    _required(errors, "body", richtext.plain_text(article.body), _("正文不能为空"))
    _required(errors, "verified_by", article.verified_by, _("发布前请填写审核/来源"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(article)
        _publish(actor, locked)
    return locked


def do_retract_article(actor: Any, *, article: Article, reason: str) -> Article:
    """Withdraw a published article: readers no longer see it; the record stays."""
    with transaction.atomic():
        locked = _locked(article)
        _retract(actor, locked, reason)
    return locked


def do_record_article_read(user: Any, *, article: Article) -> bool:
    """Note that `user` has read a published article; True the first time only."""
    if not article.is_published:
        return False
    if ArticleRead.objects.filter(article=article, user=user).exists():
        return False
    try:
        with transaction.atomic():
            read = ArticleRead.objects.create(article=article, user=user)
            record_audit(
                actor=user,
                action=AuditAction.CREATE,
                target=read,
                division_code=article.division_code,
            )
    except IntegrityError:
        return False  # the same reader's other tab got there first
    return True


# --- quizzes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChoiceInput:
    text: str
    is_correct: bool = False


@dataclass(frozen=True)
class QuestionInput:
    text: str
    kind: str
    choices: Sequence[ChoiceInput]
    explanation: str = ""


@dataclass(frozen=True)
class QuizInput:
    title: str
    questions: Sequence[QuestionInput]
    topic: Topic | None = None
    description: str = ""
    pass_percent: int = 80
    verified_by: str = ""


def _question_errors(number: int, question: QuestionInput) -> dict[str, list[str]]:
    """Problems of question `number` (1-based), keyed `questions.<number>.<field>`."""
    key = f"questions.{number}"
    errors: dict[str, list[str]] = {}
    _required(errors, f"{key}.text", question.text, _("第 %(n)d 题：请填写题目") % {"n": number})
    if question.kind not in QuestionKind.values:
        errors[f"{key}.kind"] = [_("第 %(n)d 题：题型无效") % {"n": number}]
        return errors
    choices = [c for c in question.choices if c.text.strip()]
    correct = sum(1 for c in choices if c.is_correct)
    message = None
    if len(choices) < 2:
        message = _("第 %(n)d 题：至少需要两个选项")
    elif len(choices) > MAX_CHOICES:
        message = _("第 %(n)d 题：最多 %(max)d 个选项")
    elif question.kind == QuestionKind.SINGLE and correct != 1:
        message = _("第 %(n)d 题：单选题须有且只有一个正确答案")
    elif question.kind == QuestionKind.MULTIPLE and correct < 1:
        message = _("第 %(n)d 题：多选题至少要有一个正确答案")
    if message:
        errors[f"{key}.choices"] = [message % {"n": number, "max": MAX_CHOICES}]
    return errors


def _clean_quiz(data: QuizInput) -> None:
    errors: dict[str, list[str]] = {}
    _required(errors, "title", data.title, _("请填写标题"))
    if not 1 <= data.pass_percent <= 100:
        errors["pass_percent"] = [_("及格线须在 1 到 100 之间")]
    if not data.questions:
        errors["questions"] = [_("请至少添加一道题")]
    elif len(data.questions) > MAX_QUESTIONS:
        errors["questions"] = [_("一份测验最多 %(n)d 道题") % {"n": MAX_QUESTIONS}]
    else:
        for number, question in enumerate(data.questions, start=1):
            errors.update(_question_errors(number, question))
    if errors:
        raise ValidationError(errors)


def _write_questions(quiz: Quiz, questions: Iterable[QuestionInput]) -> None:
    for order, question in enumerate(questions, start=1):
        row = Question.objects.create(
            quiz=quiz,
            order=order,
            text=question.text.strip()[:300],
            kind=question.kind,
            explanation=question.explanation.strip()[:1000],
        )
        Choice.objects.bulk_create(
            Choice(question=row, order=index, text=c.text.strip()[:200], is_correct=c.is_correct)
            for index, c in enumerate((c for c in question.choices if c.text.strip()), start=1)
        )


def _quiz_fields(data: QuizInput) -> dict[str, Any]:
    return {
        "title": data.title.strip()[:120],
        "topic": data.topic,
        "description": data.description.strip()[:300],
        "pass_percent": data.pass_percent,
        "verified_by": data.verified_by.strip()[:200],
    }


def do_create_quiz(actor: Any, *, division_code: str, data: QuizInput) -> Quiz:
    """Start a quiz (a draft) with its questions, for a division inside the author's jurisdiction."""
    code = publishing_division(actor, division_code)
    _check_author(actor, code)
    _clean_quiz(data)
    with transaction.atomic():
        quiz = Quiz.objects.create(division_code=code, created_by=actor, **_quiz_fields(data))
        _write_questions(quiz, data.questions)
        record_audit(
            actor=actor,
            action=AuditAction.CREATE,
            target=quiz,
            division_code=code,
            details={"questions": len(data.questions)},
        )
    return quiz


def do_update_quiz(actor: Any, *, quiz: Quiz, data: QuizInput) -> Quiz:
    """Replace a draft quiz's text and questions."""
    _check_author(actor, quiz.division_code)
    _require_draft(quiz)
    _clean_quiz(data)
    with transaction.atomic():
        locked = _locked(quiz)
        _require_draft(locked)
        for name, value in _quiz_fields(data).items():
            setattr(locked, name, value)
        locked.save()
        locked.questions.all().delete()
        _write_questions(locked, data.questions)
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=locked,
            division_code=locked.division_code,
            details={"questions": len(data.questions)},
        )
    return locked


def do_publish_quiz(actor: Any, *, quiz: Quiz) -> Quiz:
    """Publish a draft quiz; residents of its division can take it from then on."""
    if not quiz.questions.exists():
        raise ValidationError({"questions": [_("请至少添加一道题")]})
    with transaction.atomic():
        locked = _locked(quiz)
        _publish(actor, locked)
    return locked


def do_retract_quiz(actor: Any, *, quiz: Quiz, reason: str) -> Quiz:
    """Withdraw a quiz: no new attempts; attempts already made stay on residents' records."""
    with transaction.atomic():
        locked = _locked(quiz)
        _retract(actor, locked, reason)
    return locked


@dataclass
class _Marked:
    question: Question
    chosen: list[Choice] = field(default_factory=list)
    is_correct: bool = False


def _mark(quiz: Quiz, answers: dict[Any, Sequence[Any]]) -> list[_Marked]:
    """Each question with the chosen options, checked against the quiz; errors name the field
    `answers.<question id>` (or `answers` for the submission as a whole)."""
    if not answers or not any(answers.values()):
        raise ValidationError({"answers": [_("答卷是空的：请先作答再提交")]})
    questions = {q.pk: q for q in quiz.questions.prefetch_related("choices")}
    errors: dict[str, list[str]] = {}
    wanted: dict[int, set[int]] = {}
    for raw_question, raw_choices in answers.items():
        question_id = _as_id(raw_question)
        if question_id not in questions:
            errors.setdefault(f"answers.{raw_question}", []).append(
                _("题目 %(q)s 不属于本测验") % {"q": raw_question}
            )
            continue
        ids = {_as_id(c) for c in raw_choices}
        wanted[question_id] = ids
    for number, question in enumerate(questions.values(), start=1):
        key = f"answers.{question.pk}"
        chosen = wanted.get(question.pk, set())
        options = {c.pk for c in question.choices.all()}
        if key in errors:
            continue
        if not chosen:
            errors[key] = [_("第 %(n)d 题还没有作答") % {"n": number}]
        elif chosen - options:
            errors[key] = [_("第 %(n)d 题：所选选项不属于该题") % {"n": number}]
        elif question.kind == QuestionKind.SINGLE and len(chosen) > 1:
            errors[key] = [_("第 %(n)d 题是单选题，只能选择一个选项") % {"n": number}]
    if errors:
        raise ValidationError(errors)
    marked = []
    for question in questions.values():
        chosen = [c for c in question.choices.all() if c.pk in wanted[question.pk]]
        correct = {c.pk for c in question.choices.all() if c.is_correct}
        marked.append(_Marked(question, chosen, {c.pk for c in chosen} == correct))
    return marked


def _as_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def do_submit_quiz(user: Any, *, quiz: Quiz, answers: dict[Any, Sequence[Any]]) -> QuizAttempt:
    """Mark a resident's answers (`{question id: [choice id, …]}`) and keep the attempt.

    Every question must be answered; a multiple-choice question counts only when exactly the
    correct options are chosen. Retakes are new attempts; the best one counts.
    """
    # The status as stored now, not as the caller loaded it: a quiz retracted meanwhile is shut.
    if not Quiz.objects.filter(pk=quiz.pk, status=PublicationStatus.PUBLISHED).exists():
        raise ValidationError(
            {"quiz": [_("该测验已撤回或尚未发布，不能作答")]}, code="not_published"
        )
    marked = _mark(quiz, answers)
    correct = sum(1 for m in marked if m.is_correct)
    percent = round(100 * correct / len(marked))
    with transaction.atomic():
        attempt = QuizAttempt.objects.create(
            quiz=quiz,
            user=user,
            division_code=resident_community_code(user) or "",
            question_count=len(marked),
            correct_count=correct,
            percent=percent,
            passed=percent >= quiz.pass_percent,
        )
        for m in marked:
            answer = AttemptAnswer.objects.create(
                attempt=attempt, question=m.question, is_correct=m.is_correct
            )
            answer.choices.set(m.chosen)
        record_audit(
            actor=user,
            action=AuditAction.CREATE,
            target=attempt,
            division_code=attempt.division_code,
            details={"quiz": quiz.pk, "percent": percent},
        )
    return attempt
