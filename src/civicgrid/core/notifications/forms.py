"""The notification settings form: one switch per category and channel the templates use."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from civicgrid.core.notifications.choices import Channel, NotificationCategory
from civicgrid.core.notifications.preferences import ChannelSwitches


class PreferencesForm(forms.Form):
    """Fields are named `<category>__in_app` and `<category>__sms`, only for channels in use."""

    def __init__(
        self,
        *args: Any,
        channels: dict[str, set[str]],
        current: dict[str, ChannelSwitches],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.channels = channels
        self.current = current
        for category, used in channels.items():
            for channel in (Channel.IN_APP, Channel.SMS):
                if channel in used:
                    self.fields[f"{category}__{channel}"] = forms.BooleanField(
                        label=Channel(channel).label,
                        required=False,
                        initial=getattr(current[category], str(channel)),
                    )

    def rows(self) -> list[tuple[StrOrPromise, Any, Any]]:
        """(category label, in-app field or None, SMS field or None) for the template."""
        rows: list[tuple[StrOrPromise, Any, Any]] = []
        for category in self.channels:
            in_app = self[f"{category}__in_app"] if f"{category}__in_app" in self.fields else None
            sms = self[f"{category}__sms"] if f"{category}__sms" in self.fields else None
            rows.append((NotificationCategory(category).label, in_app, sms))
        return rows

    def switches(self) -> dict[str, ChannelSwitches]:
        """The submitted switches; a channel not offered keeps its current value."""
        result = {}
        for category in self.channels:
            now = self.current[category]
            result[category] = ChannelSwitches(
                in_app=self.cleaned_data.get(f"{category}__in_app", now.in_app),
                sms=self.cleaned_data.get(f"{category}__sms", now.sms),
            )
        return result


HELP_URGENT = _("紧急通知（如隔离管控、密接提醒、当日预约取消）不受这些设置和夜间免打扰限制。")
