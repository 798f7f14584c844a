"""Messages the appointments app sends (imported at start-up by `core.notifications`)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.core.notifications.choices import Channel, NotificationCategory
from civicgrid.core.notifications.registry import register_template

APPOINTMENTS = NotificationCategory.APPOINTMENTS

register_template(
    "appointment_booked",
    category=APPOINTMENTS,
    title=_("预约成功"),
    body=_(
        "您已预约 {time} 在{office}{counter}办理“{item}”，预约号 {number}。请携带证件按时到场，出示预约码签到。"
    ),
    description="预约成功时发给预约人。",
)
register_template(
    "appointment_rescheduled",
    category=APPOINTMENTS,
    title=_("预约已改期"),
    body=_("您的预约（{number}，“{item}”）已改为 {time}，地点：{office}{counter}。"),
    description="预约人改约成功时发给本人。",
)
register_template(
    "appointment_reminder",
    category=APPOINTMENTS,
    title=_("明天有办事预约"),
    body=_(
        "提醒：您预约了明天 {time} 在{office}{counter}（{address}）办理“{item}”，预约号 {number}。不能前往请提前取消。"
    ),
    sms=_("您预约了明天{time}在{office}办理{item}，预约号{number}。不能前往请提前取消。"),
    channels=(Channel.IN_APP, Channel.SMS),
    description="预约时段的前一天发给预约人，每个预约只提醒一次。",
)
register_template(
    "appointment_no_show",
    category=APPOINTMENTS,
    title=_("预约未到"),
    body=_(
        "您 {time} 在{office}办理“{item}”的预约（{number}）未签到，已记为爽约。多次爽约将暂停预约。"
    ),
    description="预约时段结束仍未签到时发给预约人。",
)
register_template(
    "appointment_blocked",
    category=APPOINTMENTS,
    title=_("预约功能已暂停"),
    body=_("您近期有 {count} 次预约未到，{until} 前不能预约办事。如有特殊原因，可提出申诉。"),
    channels=(Channel.IN_APP, Channel.SMS),
    description="多次爽约达到设定次数、暂停预约时发给预约人。",
)
register_template(
    "appointment_appeal_received",
    category=APPOINTMENTS,
    title=_("新的预约限制申诉"),
    body=_("有预约人对{office}的预约限制提出申诉，请及时处理。"),
    description="预约人提出申诉时，发给该办事大厅所在辖区的办事人员。",
)
register_template(
    "appointment_appeal_granted",
    category=APPOINTMENTS,
    title=_("申诉已通过"),
    body=_("您的申诉已通过，预约限制已解除。处理意见：{reason}"),
    description="工作人员同意申诉时发给预约人。",
)
register_template(
    "appointment_appeal_refused",
    category=APPOINTMENTS,
    title=_("申诉未通过"),
    body=_("您的申诉未通过，预约限制继续有效。处理意见：{reason}"),
    description="工作人员驳回申诉时发给预约人。",
)
register_template(
    "appointment_cancelled_by_office",
    category=APPOINTMENTS,
    title=_("预约已被取消"),
    body=_(
        "因{reason}，{office}当天闭厅，您 {time} 办理“{item}”的预约（{number}）已取消，请重新预约。"
    ),
    channels=(Channel.IN_APP, Channel.SMS),
    urgent=True,
    description="办事大厅临时闭厅时，发给当天已预约的人。",
)
