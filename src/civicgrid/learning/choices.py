from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicationStatus(models.TextChoices):
    """draft → published → retracted; a retracted item is kept, but readers no longer see it."""

    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETRACTED = "retracted", _("已撤回")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("多选题")
