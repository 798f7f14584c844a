"""Templates the notifications app itself sends (autodiscovered like every app's)."""

from civicgrid.core.notifications.choices import NotificationCategory
from civicgrid.core.notifications.registry import register_template

register_template(
    "system_announcement",
    category=NotificationCategory.SYSTEM,
    title="{title}",
    body="{body}",
    description="平台管理员发布的系统公告，标题和内容由发布者填写。",
)
