from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    OUT = "out", _("出")
    IN = "in", _("进")


class PassKind(models.TextChoices):
    RESIDENT = "resident", _("本社区居民")
    VISITOR = "visitor", _("访客")


class Proof(models.TextChoices):
    """How the scanner proved they stood at the gate."""

    POSTER = "poster", _("张贴二维码")
    LIVE = "live", _("现场动态码")
    STALE = "stale", _("未经现场验证")  # a tablet code older than a minute: a forwarded photo?
    GUARD = "guard", _("门岗登记")


class Symptom(models.TextChoices):
    FEVER = "fever", _("发热")
    COUGH = "cough", _("咳嗽")
    FATIGUE = "fatigue", _("乏力")
    SORE_THROAT = "sore_throat", _("咽痛")
    SHORT_BREATH = "short_breath", _("呼吸困难")
    DIARRHOEA = "diarrhoea", _("腹泻")
    TASTE_SMELL = "taste_smell", _("嗅觉味觉减退")


class DisinfectionArea(models.TextChoices):
    WHOLE_HOME = "whole_home", _("全屋")
    DOOR = "door", _("门把手与入户门")
    KITCHEN = "kitchen", _("厨房")
    BATHROOM = "bathroom", _("卫生间")
    LIVING = "living", _("客厅与卧室")
    OTHER = "other", _("其他")


class DisinfectionMethod(models.TextChoices):
    CHLORINE = "chlorine", _("含氯消毒液擦拭/喷洒")
    ALCOHOL = "alcohol", _("75% 酒精擦拭")
    UV = "uv", _("紫外线灯照射")
    VENTILATION = "ventilation", _("开窗通风")
    BOILING = "boiling", _("煮沸")
    OTHER = "other", _("其他")


class RuleKind(models.TextChoices):
    EXITS_PER_DAY = "exits_per_day", _("一天外出次数过多")
    OBSERVED_OUT = "observed_out", _("医学观察人员外出")
    FEVER = "fever", _("报告发热")
    NO_REPORT = "no_report", _("连续未报告家庭健康")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待核实")
    CONFIRMED = "confirmed", _("属实")
    DISMISSED = "dismissed", _("不属实/无需处理")


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACCEPTED = "accepted", _("已更正")
    REJECTED = "rejected", _("维持原记录")
