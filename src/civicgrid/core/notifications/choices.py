from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationCategory(models.TextChoices):
    """What a notification is about; residents switch channels on and off per category."""

    ACCOUNT = "account", _("账号与安全")
    EPIDEMIC = "epidemic", _("疫情防控")
    COMMUNITY = "community", _("社区通行与健康")
    ERRANDS = "errands", _("代购与志愿服务")
    LEARNING = "learning", _("防疫知识学习")
    APPLICATIONS = "applications", _("办事申请")
    APPOINTMENTS = "appointments", _("办事预约")
    CERTIFICATES = "certificates", _("电子证照")
    CONSULTATIONS = "consultations", _("远程咨询")
    SYSTEM = "system", _("系统通知")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内消息")
    SMS = "sms", _("短信")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    DEFERRED = "deferred", _("免打扰时段后发送")
    SENDING = "sending", _("发送中")
    RETRYING = "retrying", _("等待重试")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    NO_MOBILE = "no_mobile", _("无手机号码")


# Deliveries a sender may still pick up once their `send_after` has passed.
DUE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.DEFERRED, DeliveryStatus.RETRYING)
