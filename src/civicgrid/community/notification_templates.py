"""Messages the community app sends (imported at start-up by `core.notifications`)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.core.notifications.choices import Channel, NotificationCategory
from civicgrid.core.notifications.registry import register_template

COMMUNITY = NotificationCategory.COMMUNITY

register_template(
    "community_alert",
    category=COMMUNITY,
    title=_("社区预警待核实：{rule}"),
    body=_("{address}：{detail}。请核实情况并记录结果（这是核实任务，不是处罚）。"),
    sms=_("社区预警待核实：{address}，{detail}。"),
    channels=(Channel.IN_APP, Channel.SMS),
    description="社区预警规则命中时，发给住户所在网格的网格员（没有网格员时发给社区工作人员）。",
)
register_template(
    "community_report_reminder",
    category=COMMUNITY,
    title=_("今天还没有报告家庭健康情况"),
    body=_("{address} 今天还没有报告家庭成员的体温和症状，请在“社区通行与健康”中报告。"),
    description="每天傍晚提醒当天还没有报告家庭健康情况的住户。",
)
register_template(
    "community_correction_resolved",
    category=COMMUNITY,
    title=_("出入记录更正申请已处理"),
    body=_("您对 {when} 的出入记录提出的更正申请：{outcome}。{resolution}"),
    description="社区工作人员处理居民的出入记录更正申请后，告知申请人。",
)
