"""Messages the applications app sends (imported at start-up by `core.notifications`)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.core.notifications.choices import Channel, NotificationCategory
from civicgrid.core.notifications.registry import register_template

APPLICATIONS = NotificationCategory.APPLICATIONS

register_template(
    "application_submitted",
    category=APPLICATIONS,
    title=_("申请已提交"),
    body=_("您的“{item}”申请已提交，申请编号 {number}，可随时凭编号查询办理进度。"),
    sms=_("您的“{item}”申请已提交，编号 {number}。"),
    channels=(Channel.IN_APP, Channel.SMS),
    description="申请人提交网上申请后，发给申请人（企业为经办人）。",
)
register_template(
    "application_new",
    category=APPLICATIONS,
    title=_("新的网上申请待受理"),
    body=_("“{item}”收到新的网上申请（{number}），请及时受理。"),
    description="网上申请提交后，发给当前办理部门的办事人员。",
)
register_template(
    "application_received",
    category=APPLICATIONS,
    title=_("申请已受理"),
    body=_("您的“{item}”申请（{number}）已受理，正在审查。"),
    description="部门受理申请时，发给申请人。",
)
register_template(
    "application_step_done",
    category=APPLICATIONS,
    title=_("申请办理进度"),
    body=_("您的“{item}”申请（{number}）已完成“{step}”，进入“{next}”。"),
    description="办件完成审查等中间步骤时，发给申请人。",
)
register_template(
    "application_material_requested",
    category=APPLICATIONS,
    title=_("请补正申请材料"),
    body=_("您的“{item}”申请（{number}）需要补正材料：{materials}。补正前暂停计时。"),
    sms=_("您的申请（{number}）需补正材料：{materials}，请登录平台上传。"),
    channels=(Channel.IN_APP, Channel.SMS),
    description="办事人员要求补正材料时，发给申请人。",
)
register_template(
    "application_material_supplied",
    category=APPLICATIONS,
    title=_("申请人已补正材料"),
    body=_("“{item}”申请（{number}）的申请人已补正材料，恢复计时。"),
    description="申请人补正材料后，发给当前办理部门的办事人员。",
)
register_template(
    "application_approved",
    category=APPLICATIONS,
    title=_("申请已批准"),
    body=_("您的“{item}”申请（{number}）已作出准予决定，待办结送达。"),
    description="部门作出准予决定时，发给申请人。",
)
register_template(
    "application_refused",
    category=APPLICATIONS,
    title=_("申请未获批准"),
    body=_("您的“{item}”申请（{number}）不予许可，理由：{reason}"),
    sms=_("您的申请（{number}）不予许可，详情请登录平台查看。"),
    channels=(Channel.IN_APP, Channel.SMS),
    description="部门作出不予许可决定时，发给申请人。",
)
register_template(
    "application_completed",
    category=APPLICATIONS,
    title=_("申请已办结"),
    body=_("您的“{item}”申请（{number}）已办结：{delivery}。欢迎对本次办理进行评价。"),
    sms=_("您的申请（{number}）已办结：{delivery}。"),
    channels=(Channel.IN_APP, Channel.SMS),
    description="办件办结时，发给申请人。",
)
register_template(
    "application_bad_rating",
    category=APPLICATIONS,
    title=_("收到差评，请在 15 个工作日内整改"),
    body=_("“{item}”办件（{number}）收到 {rating} 星评价，请在 15 个工作日内核实整改并反馈。"),
    urgent=True,
    description="申请人给出差评（2 星及以下）时，发给被评价部门的办事人员。",
)
register_template(
    "application_follow_up_done",
    category=APPLICATIONS,
    title=_("差评整改已反馈"),
    body=_("您对“{item}”办件（{number}）的评价，部门已核实整改并反馈。"),
    description="部门办结差评整改时，发给申请人。",
)
register_template(
    "application_due_reminder",
    category=APPLICATIONS,
    title=_("办件即将到期"),
    body=_(
        "{department}有 {count} 件办件已超期或将在 2 个工作日内到期，最早的是 {number}（{item}），请及时办理。"
    ),
    urgent=True,
    description="每天一次，提醒部门办事人员已超期或 2 个工作日内到期的办件（补正期间不提醒）。",
)
