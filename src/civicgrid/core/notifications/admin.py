"""Admin: what was sent and how it went (read-only), resending failed texts, template wording."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from civicgrid.core.notifications.actions import enqueue_sms_deliveries
from civicgrid.core.notifications.choices import Channel, DeliveryStatus
from civicgrid.core.notifications.models import Delivery, Notification, TemplateOverride
from civicgrid.core.notifications.registry import (
    UnknownTemplate,
    get_template,
    registered_templates,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("channel", "status", "attempts", "send_after", "sent_at", "last_error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("title", "recipient", "category", "urgent", "created_at", "read_at")
    list_filter = ("category", "urgent", "template_code")
    search_fields = ("title", "recipient__username")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "notification",
        "channel",
        "status",
        "attempts",
        "send_after",
        "sent_at",
        "last_error",
    )
    list_filter = ("channel", "status")
    search_fields = ("notification__title", "provider_message_id")
    list_select_related = ("notification",)
    actions = ["resend_failed_sms"]

    @admin.action(description=_("重新发送所选的失败短信"))
    def resend_failed_sms(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        failed = queryset.filter(channel=Channel.SMS, status=DeliveryStatus.FAILED)
        ids = list(failed.values_list("pk", flat=True))
        # attempts restart from zero so the retry budget applies again.
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, attempts=0, send_after=None, updated_at=timezone.now()
        )
        enqueue_sms_deliveries(ids)
        messages.success(request, _("已安排重新发送 %(count)d 条短信。") % {"count": len(ids)})


class TemplateOverrideForm(forms.ModelForm):
    code = forms.ChoiceField(label=_("模板代码"))

    class Meta:
        model = TemplateOverride
        fields = ("code", "title", "body", "sms", "is_active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [  # type: ignore[attr-defined]  # the ChoiceField above
            (t.code, f"{t.code} · {t.description}" if t.description else t.code)
            for t in registered_templates()
        ]


@admin.register(TemplateOverride)
class TemplateOverrideAdmin(admin.ModelAdmin):
    form = TemplateOverrideForm
    list_display = ("code", "title", "is_active", "updated_at")
    list_filter = ("is_active",)
    readonly_fields = ("default_text",)
    fields = ("code", "default_text", "title", "body", "sms", "is_active")

    @admin.display(description=_("代码中的默认文案与可用变量"))
    def default_text(self, obj: TemplateOverride) -> str:
        try:
            template = get_template(obj.code)
        except UnknownTemplate:
            return "—"
        return format_html(
            "<p><b>{}</b> {}</p><p><b>{}</b> {}</p><p><b>{}</b> {}</p><p><b>{}</b> {}</p>",
            _("标题："),
            template.title,
            _("内容："),
            template.body,
            _("短信："),
            template.sms if template.sms is not None else template.body,
            _("变量："),
            "、".join(f"{{{name}}}" for name in sorted(template.variables)) or "—",
        )
