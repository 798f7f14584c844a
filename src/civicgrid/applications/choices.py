"""Choices of the applications app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicantKind(models.TextChoices):
    RESIDENT = "resident", _("个人")
    ENTERPRISE = "enterprise", _("企业")


class StepKind(models.TextChoices):
    """What a workflow step does; an item's workflow lists its steps in order as data."""

    RECEIVE = "receive", _("受理")
    REVIEW = "review", _("审查")
    DECIDE = "decide", _("决定")
    COMPLETE = "complete", _("办结")


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    IN_PROGRESS = "in_progress", _("办理中")
    AWAITING_MATERIAL = "awaiting_material", _("待补正材料")
    APPROVED = "approved", _("已批准，待办结")
    REFUSED = "refused", _("不予许可")
    COMPLETED = "completed", _("已办结")


# A clerk may still act on these; the clock runs (except while awaiting material).
OPEN_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.IN_PROGRESS,
    CaseStatus.AWAITING_MATERIAL,
    CaseStatus.APPROVED,
)
# Finished: the applicant may rate these.
FINISHED_STATUSES = (CaseStatus.REFUSED, CaseStatus.COMPLETED)


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交申请")
    RECEIVED = "received", _("受理")
    ADVANCED = "advanced", _("审查通过")
    APPROVED = "approved", _("作出准予决定")
    MATERIAL_REQUESTED = "material_requested", _("要求补正材料")
    MATERIAL_SUPPLIED = "material_supplied", _("补正材料")
    REFUSED = "refused", _("不予许可")
    COMPLETED = "completed", _("办结")
    RATED = "rated", _("评价")


class MaterialSource(models.TextChoices):
    UPLOAD = "upload", _("申请人上传")
    CERTIFICATE = "certificate", _("电子证照共享获取")


class AttachmentPurpose(models.TextChoices):
    FORM = "form", _("申请材料")
    SUPPLEMENT = "supplement", _("补正材料")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("待补正")
    SUPPLIED = "supplied", _("已补正")


class DeliveryMethod(models.TextChoices):
    E_CERTIFICATE = "e_certificate", _("电子证照")
    MAIL = "mail", _("邮寄送达")
    PICKUP = "pickup", _("窗口自取")


class Rating(models.IntegerChoices):
    VERY_BAD = 1, _("非常不满意")
    BAD = 2, _("不满意")
    FAIR = 3, _("基本满意")
    GOOD = 4, _("满意")
    VERY_GOOD = 5, _("非常满意")


# Ratings at or below this open a follow-up (差评整改).
BAD_RATING_MAX = 2
FOLLOW_UP_WORKING_DAYS = 15


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    DONE = "done", _("已整改")


class TimeLeft(models.TextChoices):
    """The queue's time-left filter."""

    OVERDUE = "overdue", _("已超期")
    DUE_SOON = "due_soon", _("2 个工作日内到期")
    ON_TIME = "on_time", _("时间充裕")
    PAUSED = "paused", _("暂停计时（待补正）")
