from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    """The categories of the national government-service item standard."""

    LICENCE = "licence", _("行政许可")
    CONFIRMATION = "confirmation", _("行政确认")
    PAYMENT = "payment", _("行政给付")
    RECORD = "record", _("备案")
    PUBLIC_SERVICE = "public_service", _("公共服务")
    OTHER = "other", _("其他行政权力")


class OnlineDepth(models.IntegerChoices):
    """How far an item can be done online (网上办理深度)."""

    INFORMATION = 1, _("一级：在线咨询与信息公开")
    FORMS = 2, _("二级：在线下载表格")
    SUBMISSION = 3, _("三级：在线预审、网上受理")
    FULL = 4, _("四级：全程网办")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已停用")


class ItemLevel(models.IntegerChoices):
    """The division level that implements an item (its department's level)."""

    PROVINCE = 1, _("省级")
    CITY = 2, _("市级")
    COUNTY = 3, _("县级")
    TOWNSHIP = 4, _("乡镇（街道）级")


class Audience(models.TextChoices):
    """Whom a life event concerns: residents (人生事件) or enterprises (企业事件)."""

    PERSON = "person", _("个人办事")
    ENTERPRISE = "enterprise", _("企业办事")
