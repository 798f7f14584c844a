"""Messages the epidemic app sends (imported at start-up by `core.notifications`)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.core.notifications.choices import Channel, NotificationCategory
from civicgrid.core.notifications.registry import register_template

register_template(
    "epidemic_report_overdue",
    category=NotificationCategory.EPIDEMIC,
    title=_("{form}尚未上报"),
    body=_("{unit}今天的{form}已过截止时间（{deadline}）仍未上报，请尽快填报。"),
    sms=_("{unit}今天的{form}已过截止时间（{deadline}）仍未上报，请尽快填报。"),
    channels=(Channel.IN_APP, Channel.SMS),
    description="日报过了截止时间仍未上报时，提醒填报单位的工作人员（每单位每天一次）。",
)
