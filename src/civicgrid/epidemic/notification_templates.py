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

register_template(
    "epidemic_fever_check",
    category=NotificationCategory.EPIDEMIC,
    title=_("医学观察人员发热：{name}"),
    body=_("{name}{slot}的健康监测体温 {temperature} ℃ 或有症状，请立即核实并按流程处置。"),
    sms=_("{name}{slot}体温 {temperature} ℃ 或有症状，请立即核实处置。"),
    channels=(Channel.IN_APP, Channel.SMS),
    urgent=True,
    description="医学观察人员的健康监测发现发热（≥37.3 ℃）或症状时，提醒负责单位的工作人员。",
)
