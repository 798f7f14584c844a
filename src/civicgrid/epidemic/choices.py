from django.db import models
from django.utils.translation import gettext_lazy as _


class ElementType(models.TextChoices):
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("小数（两位）")


class ElementKind(models.TextChoices):
    """How a figure adds up over days: new counts sum, cumulative ones are read on a day."""

    NEW = "new", _("当日新增（按日累加）")
    CUMULATIVE = "cumulative", _("累计或现有数（取当日值）")


class RuleKind(models.TextChoices):
    LESS_OR_EQUAL = "le", _("左项 ≤ 右项")
    NON_NEGATIVE = "non_negative", _("不得为负数")
    NOT_BELOW_PREVIOUS = "not_below_previous", _("不得小于上一次报告的数")


class RuleSeverity(models.TextChoices):
    BLOCK = "block", _("阻止提交")
    WARN = "warn", _("提示但允许提交")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已上报")
    CONFIRMED = "confirmed", _("市级已确认")
    LOCKED = "locked", _("省级已锁定")


# Reports whose figures count in the statistics.
COUNTED_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.CONFIRMED, ReportStatus.LOCKED)
