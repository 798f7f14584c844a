"""Messages the certificates app sends (imported at start-up by `core.notifications`)."""

from django.utils.translation import gettext_lazy as _

from civicgrid.core.notifications.choices import Channel, NotificationCategory
from civicgrid.core.notifications.registry import register_template

CERTIFICATES = NotificationCategory.CERTIFICATES

register_template(
    "certificate_issued",
    category=CERTIFICATES,
    title=_("您有一张新的电子证照"),
    body=_("{issuer} 已为您签发{type}（编号 {number}），可在“我的证照”中查看和出示。"),
    description="部门签发电子证照时（办结时或部门直接签发），发给持证人或持证企业的经办人。",
)
register_template(
    "certificate_revoked",
    category=CERTIFICATES,
    title=_("您的电子证照已被撤销"),
    body=_("{issuer} 撤销了您的{type}（编号 {number}），原因：{reason}。"),
    sms=_("您的{type}（编号 {number}）已被{issuer}撤销，原因：{reason}。"),
    channels=(Channel.IN_APP, Channel.SMS),
    description="发证机构撤销电子证照时，发给持证人或持证企业的经办人。",
)
