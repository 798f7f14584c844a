"""Messages the errands app sends (imported at start-up by `core.notifications`)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.core.notifications.choices import Channel, NotificationCategory
from civicgrid.core.notifications.registry import register_template

ERRANDS = NotificationCategory.ERRANDS

register_template(
    "errand_posted",
    category=ERRANDS,
    title=_("新的代购需求"),
    body=_("{address} 发布了{kind}需求（#{number}），等待志愿者认领。"),
    description="居民（或网格员、社区代为）发布需求时，发给本社区志愿者队伍的志愿者。",
)
register_template(
    "errand_unclaimed",
    category=ERRANDS,
    title=_("代购需求无人认领"),
    body=_("{address} 的{kind}需求（#{number}）已等待 {minutes} 分钟，还没有志愿者认领。"),
    channels=(Channel.IN_APP, Channel.SMS),
    description="需求发布后超过设定时间仍无人认领时，提醒本社区的志愿者和社区工作人员。",
)
register_template(
    "errand_claimed",
    category=ERRANDS,
    title=_("您的代购需求已被认领"),
    body=_("志愿者已认领您的{kind}需求（#{number}），正在为您采购。"),
    sms=_("志愿者已认领您的{kind}需求（#{number}）。"),
    channels=(Channel.IN_APP, Channel.SMS),
    description="志愿者认领需求时，发给求助人（或代为发布的工作人员）。",
)
register_template(
    "errand_bought",
    category=ERRANDS,
    title=_("物品已买好"),
    body=_("志愿者已买好您的{kind}需求（#{number}）的物品，垫付 {amount} 元，正在送来。"),
    description="志愿者标记已购买时，发给求助人。",
)
register_template(
    "errand_delivered",
    category=ERRANDS,
    title=_("物品已送达"),
    body=_("您的{kind}需求（#{number}）已送达，请查收并确认收货。"),
    sms=_("您的{kind}需求（#{number}）已送达，请查收并在平台确认收货。"),
    channels=(Channel.IN_APP, Channel.SMS),
    description="志愿者标记已送达时，发给求助人。",
)
register_template(
    "errand_confirmed",
    category=ERRANDS,
    title=_("求助人已确认收货"),
    body=_("{kind}需求（#{number}）的求助人已确认收货，谢谢您的帮助。"),
    description="求助人确认收货时，发给志愿者。",
)
register_template(
    "errand_cancelled",
    category=ERRANDS,
    title=_("代购需求已取消"),
    body=_("{kind}需求（#{number}）已取消，原因：{reason}"),
    description="需求被取消时，发给另一方。",
)
register_template(
    "errand_released",
    category=ERRANDS,
    title=_("志愿者放弃了您的需求"),
    body=_("志愿者放弃了您的{kind}需求（#{number}，原因：{reason}），需求已重新等待认领。"),
    description="志愿者放弃已认领的需求时，发给求助人。",
)
register_template(
    "errand_reassigned_to_you",
    category=ERRANDS,
    title=_("社区为您指派了代购需求"),
    body=_("社区工作人员把{kind}需求（#{number}）改派给您，原因：{reason}"),
    description="社区工作人员改派需求时，发给新的志愿者。",
)
register_template(
    "errand_reassigned_away",
    category=ERRANDS,
    title=_("您的代购需求已改派"),
    body=_("社区工作人员把{kind}需求（#{number}）改派给其他志愿者，原因：{reason}"),
    description="社区工作人员改派需求时，发给原来的志愿者。",
)
register_template(
    "errand_message",
    category=ERRANDS,
    title=_("代购需求有新留言"),
    body=_("{kind}需求（#{number}）的留言：{body}"),
    description="需求上有新留言时，发给求助人和志愿者中的另一方。",
)
