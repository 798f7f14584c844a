"""Prevention knowledge (防疫知识): articles by topic, quizzes, and what each resident learnt.

Articles and quizzes belong to the division of the health authority that published them
(`division_code`): a province-wide article reaches every resident of the province, a county's
article only the county's residents. Both go draft → published → retracted; a retracted one
disappears for readers, but the row, who retracted it, when and why stay.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.learning.choices import PublicationStatus, QuestionKind
from civicgrid.learning.querysets import OwnRecordQuerySet, PublicationQuerySet

CODE_12_DIGITS = Q(division_code__regex=r"^[0-9]{12}$")


class Topic(models.Model):
    """A subject articles are filed under (个人防护, 居家消毒, 就医指引, …); one list for the
    whole installation, kept by administrators."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    slug = models.SlugField(_("网址标识"), max_length=40, unique=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("知识主题")
        verbose_name_plural = _("知识主题")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Publication(models.Model):
    """What articles and quizzes share: the publishing division and the workflow's who/when/why."""

    division_code = models.CharField(_("发布区划"), max_length=12, db_index=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=PublicationStatus.choices,
        default=PublicationStatus.DRAFT,
        db_index=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撰写人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    retracted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤回人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retracted_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    retraction_reason = models.CharField(_("撤回原因"), max_length=200, blank=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=CODE_12_DIGITS, name="%(app_label)s_%(class)s_code_12_digits"
            ),
            # The workflow's facts cannot go missing: a published item has its time, a
            # retracted one its time and reason, a draft neither.
            models.CheckConstraint(
                condition=(
                    Q(status=PublicationStatus.DRAFT, published_at__isnull=True)
                    | Q(status=PublicationStatus.PUBLISHED, published_at__isnull=False)
                    | Q(
                        status=PublicationStatus.RETRACTED,
                        published_at__isnull=False,
                        retracted_at__isnull=False,
                    )
                    & ~Q(retraction_reason="")
                ),
                name="%(app_label)s_%(class)s_workflow_facts",
            ),
        ]

    @property
    def is_draft(self) -> bool:
        return self.status == PublicationStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == PublicationStatus.PUBLISHED


class Article(Publication):
    """A piece of prevention knowledge: sanitised rich text with images, checked by a named source."""

    title = models.CharField(_("标题"), max_length=120)
    topic = models.ForeignKey(
        Topic, verbose_name=_("主题"), on_delete=models.PROTECT, related_name="articles"
    )
    summary = models.CharField(_("摘要"), max_length=200, blank=True)
    # Always the sanitiser's output (learning.richtext), never what the browser sent.
    body = models.TextField(_("正文"), blank=True)
    verified_by = models.CharField(
        _("审核/来源"),
        max_length=200,
        blank=True,
        help_text=_("如：阜城县疾病预防控制中心审核；来源：国家卫生健康委《公众防护指南》"),
    )

    class Meta(Publication.Meta):
        verbose_name = _("防疫知识文章")
        verbose_name_plural = _("防疫知识文章")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ArticleImage(models.Model):
    """An image in an article, re-encoded on upload (metadata such as GPS position removed).

    Stored in the database like other uploads, so a backup of the database is a backup of
    everything and no media server is needed on a government intranet.
    """

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    content_type = models.CharField(_("类型"), max_length=30)
    data = models.BinaryField(_("图片数据"))
    width = models.PositiveIntegerField(_("宽度"))
    height = models.PositiveIntegerField(_("高度"))
    file_name = models.CharField(_("原文件名"), max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("文章图片")
        verbose_name_plural = _("文章图片")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["image/jpeg", "image/png", "image/webp"]),
                name="learning_articleimage_known_type",
            ),
        ]

    def __str__(self) -> str:
        return self.file_name or str(self.key)


class ArticleRead(models.Model):
    """The first time a user opened a published article: their learning record's reading part."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_reads"
    )
    read_at = models.DateTimeField(_("阅读时间"), auto_now_add=True)

    objects = OwnRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("阅读记录")
        verbose_name_plural = _("阅读记录")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="learning_articleread_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.article}"


class Quiz(Publication):
    """A prevention-knowledge quiz; residents pass it with at least `pass_percent` correct."""

    title = models.CharField(_("标题"), max_length=120)
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("主题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quizzes",
    )
    description = models.CharField(_("说明"), max_length=300, blank=True)
    pass_percent = models.PositiveSmallIntegerField(_("及格线（%）"), default=80)
    verified_by = models.CharField(_("审核/来源"), max_length=200, blank=True)

    class Meta(Publication.Meta):
        verbose_name = _("防疫知识测验")
        verbose_name_plural = _("防疫知识测验")
        ordering = ["-published_at", "-id"]
        constraints = [
            *Publication.Meta.constraints,
            models.CheckConstraint(
                condition=Q(pass_percent__gte=1, pass_percent__lte=100),
                name="learning_quiz_pass_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """One question of a quiz; the explanation is shown once the resident has submitted."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    text = models.CharField(_("题目"), max_length=300)
    kind = models.CharField(
        _("题型"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    explanation = models.TextField(_("解析"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("测验题目")
        verbose_name_plural = _("测验题目")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class Choice(models.Model):
    """An answer option; a single-choice question has exactly one correct option (checked
    when the quiz is published), a multiple-choice question one or more."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    text = models.CharField(_("选项"), max_length=200)
    is_correct = models.BooleanField(_("正确答案"), default=False)

    class Meta:
        verbose_name = _("选项")
        verbose_name_plural = _("选项")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class QuizAttempt(models.Model):
    """One submitted try at a quiz. Every try is kept; the best one counts.

    `division_code` is the resident's community when they submitted (blank for staff trying a
    quiz, or a resident whose community is not known yet).
    """

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    division_code = models.CharField(_("社区代码"), max_length=12, blank=True, db_index=True)
    question_count = models.PositiveSmallIntegerField(_("题数"))
    correct_count = models.PositiveSmallIntegerField(_("答对"))
    percent = models.PositiveSmallIntegerField(_("得分（%）"))
    passed = models.BooleanField(_("通过"))
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    objects = OwnRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("答题记录")
        verbose_name_plural = _("答题记录")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["user", "quiz"], name="learning_attempt_user_quiz")]
        constraints = [
            models.CheckConstraint(
                condition=Q(correct_count__lte=models.F("question_count"))
                & Q(question_count__gt=0)
                & Q(percent__lte=100),
                name="learning_quizattempt_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.quiz} · {self.percent}%"


class AttemptAnswer(models.Model):
    """What was chosen for one question of an attempt, and whether that was right."""

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    choices = models.ManyToManyField(Choice, related_name="+")
    is_correct = models.BooleanField(_("答对"))

    class Meta:
        verbose_name = _("作答")
        verbose_name_plural = _("作答")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="learning_attemptanswer_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} · {self.question_id}"
