from django.db import models
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已签到")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("爽约")


class CancelledBy(models.TextChoices):
    APPLICANT = "applicant", _("本人取消")
    OFFICE = "office", _("办事大厅取消（临时闭厅）")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    GRANTED = "granted", _("已同意")
    REFUSED = "refused", _("已驳回")
