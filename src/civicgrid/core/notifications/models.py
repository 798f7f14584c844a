"""Notifications, their per-channel deliveries, users' preferences and edited template wording."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from civicgrid.core.notifications.choices import (
    Channel,
    DeliveryStatus,
    NotificationCategory,
)
from civicgrid.core.notifications.querysets import NotificationQuerySet
from civicgrid.core.notifications.registry import (
    InvalidTemplateText,
    TextOverride,
    UnknownTemplate,
    get_template,
    placeholders,
)


class Notification(models.Model):
    """One message to one person, rendered when it was created and kept as it was said.

    `in_inbox` is False when the person switched the in-app channel off for this category (the
    row then only carries the text message). `read_at` is set once, when it is first read.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    template_code = models.CharField(_("模板"), max_length=64)
    category = models.CharField(_("类别"), max_length=32, choices=NotificationCategory.choices)
    urgent = models.BooleanField(_("紧急"), default=False)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    url = models.CharField(_("相关页面"), max_length=500, blank=True)
    in_inbox = models.BooleanField(_("显示在消息中心"), default=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_read_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="/"),
                name="notifications_notification_url_is_local",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Delivery(models.Model):
    """The sending of one notification through one channel, and what became of it.

    In-app deliveries are `sent` when the notification is written. Text messages start
    `pending` (or `deferred` to the end of quiet hours, with `send_after`), become `sending` while
    a worker holds them, then `sent`, `retrying` (with `send_after` and `last_error`) or finally
    `failed`; `no_mobile` when the person has no mobile number. `attempts` counts gateway calls.
    The number itself is not stored here: it is read from the user when sending.
    """

    notification = models.ForeignKey(
        Notification,
        verbose_name=_("通知"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    text = models.TextField(_("发送内容"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    send_after = models.DateTimeField(_("最早发送时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    provider_message_id = models.CharField(_("网关消息编号"), max_length=100, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    # Set explicitly by every update: deliveries change through conditional UPDATEs.
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        indexes = [
            # The sweep for due text messages: status IN (...) AND send_after <= now.
            models.Index(fields=["status", "send_after"], name="notif_delivery_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"],
                name="notifications_delivery_one_per_channel",
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.SENT) | Q(sent_at__isnull=False),
                name="notifications_delivery_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.get_status_display()}"


class NotificationPreference(models.Model):
    """A person's channel switches for one category. No row means both channels are on.

    Urgent notifications ignore these switches (see `actions.notify`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    category = models.CharField(_("类别"), max_length=32, choices=NotificationCategory.choices)
    in_app = models.BooleanField(_("站内消息"), default=True)
    sms = models.BooleanField(_("短信"), default=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category"], name="notifications_preference_one_per_category"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_category_display()}"


class TemplateOverride(models.Model):
    """An administrator's wording for a code-declared template (see `registry`).

    Blank parts keep the code's text. Only the variables the code declares may be used.
    """

    code = models.CharField(_("模板代码"), max_length=64, unique=True)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("内容"), blank=True)
    sms = models.TextField(_("短信内容"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知模板文案")
        verbose_name_plural = _("通知模板文案")

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        try:
            template = get_template(self.code)
        except UnknownTemplate:
            raise ValidationError({"code": _("没有这个通知模板。")}) from None
        errors: dict[str, StrOrPromise] = {}
        for field in ("title", "body", "sms"):
            try:
                unknown = placeholders(getattr(self, field)) - template.variables
            except InvalidTemplateText:
                errors[field] = _("变量只能写成 {名称} 的形式；花括号本身请写成 {{ 或 }}。")
                continue
            if unknown:
                errors[field] = _("模板没有这些变量：%(names)s。可用变量：%(allowed)s。") % {
                    "names": "、".join(sorted(unknown)),
                    "allowed": "、".join(sorted(template.variables)) or "—",
                }
        if errors:
            raise ValidationError(errors)

    def as_text_override(self) -> TextOverride:
        return TextOverride(title=self.title, body=self.body, sms=self.sms)
