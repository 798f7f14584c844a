from django.db import models
from django.utils.translation import gettext_lazy as _


class ErrandKind(models.TextChoices):
    GROCERIES = "groceries", _("买菜/生鲜")
    MEDICINE = "medicine", _("买药")
    DAILY_GOODS = "daily_goods", _("日用品")
    OTHER = "other", _("其他")


class ErrandStatus(models.TextChoices):
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("已认领")
    BOUGHT = "bought", _("已购买")
    DELIVERED = "delivered", _("已送达")
    CONFIRMED = "confirmed", _("已确认收货")
    CANCELLED = "cancelled", _("已取消")


# A volunteer holds the errand in these statuses; `volunteer` is set exactly then.
HELD_STATUSES = (
    ErrandStatus.CLAIMED,
    ErrandStatus.BOUGHT,
    ErrandStatus.DELIVERED,
    ErrandStatus.CONFIRMED,
)
# Not finished yet: still on the board, can still be overdue or cancelled.
ACTIVE_STATUSES = (ErrandStatus.OPEN, ErrandStatus.CLAIMED, ErrandStatus.BOUGHT)


class PostedVia(models.TextChoices):
    SELF = "self", _("居民本人发布")
    GRID_WORKER = "grid_worker", _("网格员代为发布")
    PHONE_CALL = "phone_call", _("社区电话代登")


class EventKind(models.TextChoices):
    POSTED = "posted", _("发布需求")
    CLAIMED = "claimed", _("认领")
    BOUGHT = "bought", _("已购买")
    DELIVERED = "delivered", _("已送达")
    CONFIRMED = "confirmed", _("确认收货")
    CANCELLED = "cancelled", _("取消")
    RELEASED = "released", _("志愿者放弃，重新待认领")
    REASSIGNED = "reassigned", _("改派")
    REMINDED = "reminded", _("提醒志愿者认领")
    REPAID = "repaid", _("记录还款")
    RATED = "rated", _("评价")
    CALLED = "called", _("查看电话")


class DeliveryProof(models.TextChoices):
    CODE = "code", _("收货码")
    PHOTO = "photo", _("放置照片")


class PhotoKind(models.TextChoices):
    RECEIPT = "receipt", _("购物小票")
    DROPOFF = "dropoff", _("放置照片")


class LedgerKind(models.TextChoices):
    OWED = "owed", _("应还")
    SETTLED = "settled", _("已还")


class RepaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    WECHAT = "wechat", _("微信")
    ALIPAY = "alipay", _("支付宝")
    OTHER = "other", _("其他")


class RatingSide(models.TextChoices):
    BY_REQUESTER = "by_requester", _("求助人评价志愿者")
    BY_VOLUNTEER = "by_volunteer", _("志愿者评价求助人")
