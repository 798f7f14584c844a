"""The health authorities' pages: write, illustrate, publish and retract articles and quizzes;
and the completion rates per community for staff, as a chart, a table and a spreadsheet."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.core.permissions import role_required
from civicgrid.core.scoping import covers
from civicgrid.core.spreadsheets import XLSX_CONTENT_TYPE, write_report
from civicgrid.learning import access, actions, selectors
from civicgrid.learning.choices import PublicationStatus
from civicgrid.learning.forms import (
    ArticleForm,
    ImageForm,
    QuizForm,
    posted_questions,
    question_blocks,
)
from civicgrid.learning.models import Article, Quiz
from civicgrid.learning.querysets import AUTHOR_ROLES, STATISTICS_ROLES
from civicgrid.learning.richtext import image_url
from civicgrid.population.selectors import area_for, default_area

author_required = role_required(*AUTHOR_ROLES)
statistics_required = role_required(*STATISTICS_ROLES)


@author_required
@require_GET
def manage(request: HttpRequest) -> HttpResponse:
    """Everything published for the author's jurisdiction, drafts and retracted ones too."""
    articles = (
        Article.objects.visible_to(request.user)
        .select_related("topic")
        .annotate(read_count=Count("reads"))
        .order_by("status", "-updated_at")
    )
    quizzes = (
        Quiz.objects.visible_to(request.user)
        .annotate(attempt_count=Count("attempts"))
        .order_by("status", "-updated_at")
    )
    return render(
        request,
        "learning/manage.html",
        {"articles": articles[:200], "quizzes": quizzes[:200]},
    )


# --- articles --------------------------------------------------------------------------------


@author_required
@require_http_methods(["GET", "POST"])
def article_create(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            article = actions.do_create_article(
                request.user,
                division_code=form.cleaned_data["division_code"],
                data=form.article_input(),
            )
        except ValidationError as exc:
            form.add_action_errors(exc.message_dict)
        else:
            messages.success(request, _("草稿已保存，可以上传图片后再发布"))
            return redirect("learning:article_edit", article_id=article.pk)
    return render(request, "learning/article_form.html", {"form": form, "article": None})


@author_required
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access.access_article_for_author(request.user, article_id, request=request)
    if not article.is_draft:
        return redirect("learning:article_detail", article_id=article.pk)
    form = ArticleForm(request.POST or None, user=request.user, initial=_initial(article))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_article(request.user, article=article, data=form.article_input())
        except ValidationError as exc:
            form.add_action_errors(exc.message_dict)
        else:
            messages.success(request, _("草稿已保存"))
            return redirect("learning:article_edit", article_id=article.pk)
    return _article_form(request, form, article, ImageForm())


def _initial(article: Article) -> dict[str, Any]:
    names = ("title", "topic", "division_code", "summary", "body", "verified_by")
    return {name: getattr(article, "topic_id" if name == "topic" else name) for name in names}


def _article_form(
    request: HttpRequest,
    form: ArticleForm,
    article: Article,
    image_form: ImageForm,
) -> HttpResponse:
    images = [(img, image_url(img.key)) for img in article.images.defer("data")]
    return render(
        request,
        "learning/article_form.html",
        {"form": form, "article": article, "image_form": image_form, "images": images},
    )


@author_required
@require_POST
def article_image_upload(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access.access_article_for_author(request.user, article_id, request=request)
    image_form = ImageForm(request.POST, request.FILES)
    if image_form.is_valid():
        upload = image_form.cleaned_data["image"]
        try:
            actions.do_add_article_image(
                request.user, article=article, data=upload.read(), file_name=upload.name
            )
        except ValidationError as exc:
            image_form.add_error("image", exc.message_dict.get("image") or exc.messages)
        else:
            messages.success(request, _("图片已上传，点击“插入正文”放到光标处"))
            return redirect("learning:article_edit", article_id=article.pk)
    form = ArticleForm(user=request.user, initial=_initial(article))
    return _article_form(request, form, article, image_form)


def _workflow(request: HttpRequest, do: Any, done: str) -> HttpResponse:
    """Run a publish or retract action; its refusal is shown on the management page."""
    try:
        do()
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect("learning:manage")


# --- quizzes ---------------------------------------------------------------------------------


@author_required
@require_http_methods(["GET", "POST"])
def quiz_create(request: HttpRequest) -> HttpResponse:
    return _quiz_editor(request, None)


@author_required
@require_http_methods(["GET", "POST"])
def quiz_edit(request: HttpRequest, quiz_id: int) -> HttpResponse:
    quiz = access.access_quiz_for_author(request.user, quiz_id, request=request)
    if not quiz.is_draft:
        return redirect("learning:manage")
    return _quiz_editor(request, quiz)


def _quiz_editor(request: HttpRequest, quiz: Quiz | None) -> HttpResponse:
    initial = {"pass_percent": 80}
    if quiz is not None:
        initial = {
            "title": quiz.title,
            "topic": quiz.topic_id,
            "division_code": quiz.division_code,
            "description": quiz.description,
            "pass_percent": quiz.pass_percent,
            "verified_by": quiz.verified_by,
        }
    form = QuizForm(request.POST or None, user=request.user, initial=initial)
    question_errors: dict[str, list[str]] = {}
    if request.method == "POST" and form.is_valid():
        data = actions.QuizInput(
            title=form.cleaned_data["title"],
            topic=form.cleaned_data["topic"],
            description=form.cleaned_data["description"],
            pass_percent=form.cleaned_data["pass_percent"],
            verified_by=form.cleaned_data["verified_by"],
            questions=posted_questions(request.POST),
        )
        try:
            if quiz is None:
                quiz = actions.do_create_quiz(
                    request.user, division_code=form.cleaned_data["division_code"], data=data
                )
            else:
                actions.do_update_quiz(request.user, quiz=quiz, data=data)
        except ValidationError as exc:
            question_errors = {
                k: v for k, v in exc.message_dict.items() if k.startswith("questions")
            }
            form.add_action_errors(
                {k: v for k, v in exc.message_dict.items() if not k.startswith("questions")}
            )
        else:
            messages.success(request, _("测验草稿已保存"))
            return redirect("learning:quiz_edit", quiz_id=quiz.pk)
    saved = list(quiz.questions.prefetch_related("choices")) if quiz is not None else []
    blocks = question_blocks(request.POST if request.method == "POST" else None, saved)
    for block in blocks:
        prefix = f"questions.{block['number']}."
        block["errors"] = [m for k, v in question_errors.items() if k.startswith(prefix) for m in v]
    return render(
        request,
        "learning/quiz_form.html",
        {
            "form": form,
            "quiz": quiz,
            "blocks": blocks,
            "questions_error": question_errors.get("questions", []),
        },
    )


# --- the workflow of both ----------------------------------------------------------------------

# kind → (access helper, publish action, retract action); the URL map passes the kind.
WORKFLOW: dict[str, tuple[Any, Any, Any]] = {
    "article": (
        access.access_article_for_author,
        actions.do_publish_article,
        actions.do_retract_article,
    ),
    "quiz": (access.access_quiz_for_author, actions.do_publish_quiz, actions.do_retract_quiz),
}


@author_required
@require_POST
def publish(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    find, do_publish, _retract = WORKFLOW[kind]
    item = find(request.user, pk, request=request)
    return _workflow(
        request,
        lambda: do_publish(request.user, **{kind: item}),
        _("已发布：%(title)s") % {"title": item.title},
    )


@author_required
@require_POST
def retract(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    find, _publish, do_retract = WORKFLOW[kind]
    item = find(request.user, pk, request=request)
    reason = request.POST.get("reason", "")
    return _workflow(
        request,
        lambda: do_retract(request.user, reason=reason, **{kind: item}),
        _("已撤回：%(title)s") % {"title": item.title},
    )


# --- completion rates ------------------------------------------------------------------------


def _completion_report(request: HttpRequest) -> selectors.Completion:
    code = request.GET.get("within", "")
    within = area_for(request.user, code) if code else default_area(request.user)
    if within is None:
        raise Http404(_("该区划不存在或不在您的管辖范围内"))
    quiz = None
    quiz_id = request.GET.get("quiz", "")
    if quiz_id:
        quiz = (
            _quizzes_for_statistics(request).filter(pk=quiz_id if quiz_id.isdigit() else 0).first()
        )
        if quiz is None:
            raise Http404(_("该测验不存在或不在您的管辖范围内"))
    return selectors.completion(within, quiz=quiz)


def _quizzes_for_statistics(request: HttpRequest) -> Any:
    return Quiz.objects.addressed_to(request.user).exclude(status=PublicationStatus.DRAFT)


@statistics_required
@require_GET
def completion(request: HttpRequest) -> HttpResponse:
    report = _completion_report(request)
    quiz_param = f"&quiz={report.quiz.pk}" if report.quiz else ""
    charted = [r for r in report.rows if r.residents]
    chart = {
        "names": [r.label for r in charted],
        "percents": [r.percent for r in charted],
        "passed": [r.passed for r in charted],
        "residents": [r.residents for r in charted],
        "urls": [
            f"{reverse('learning:completion')}?within={r.code}{quiz_param}" if r.drillable else ""
            for r in charted
        ],
    }
    ancestors = [a for a in report.within.ancestors() if covers(request.user, a.code)]
    return render(
        request,
        "learning/completion.html",
        {
            "report": report,
            "chart": chart,
            "ancestors": ancestors,
            "quizzes": _quizzes_for_statistics(request),
            "quiz_param": quiz_param,
        },
    )


@statistics_required
@require_GET
def completion_export(request: HttpRequest) -> HttpResponse:
    """The table on the page as .xlsx (one row per child area: small, so made at once)."""
    report = _completion_report(request)
    headers, rows = selectors.completion_sheet(report)
    title = _("测验完成率")
    name = f"{title}-{report.within.name}-{timezone.localdate():%Y%m%d}.xlsx"
    return HttpResponse(
        write_report(rows, headers, title=title),
        content_type=XLSX_CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, name)},
    )
