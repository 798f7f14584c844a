"""Messages the accounts app sends (imported at start-up by `core.notifications`)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.core.notifications.choices import Channel, NotificationCategory
from civicgrid.core.notifications.registry import register_template

register_template(
    "staff_account_opened",
    category=NotificationCategory.ACCOUNT,
    title=_("工作账号已开通"),
    body=_(
        "您已开通 CivicGrid 工作账号（{organisation}·{role}）。"
        "请在登录页选择“手机号验证码登录”，用本手机号接收验证码登录，登录后可设置密码。"
    ),
    sms=_("您已开通 CivicGrid 工作账号（{organisation}·{role}），请用本手机号验证码登录。"),
    channels=(Channel.IN_APP, Channel.SMS),
    description="管理员批量导入工作人员时，发给新开通账号的工作人员。",
)

register_template(
    "staff_role_added",
    category=NotificationCategory.ACCOUNT,
    title=_("您有新的岗位"),
    body=_("管理员已为您的账号添加岗位：{organisation}·{role}。"),
    description="管理员批量导入工作人员时，发给已有账号、新增岗位的工作人员（仅站内消息）。",
)
