from django.db import models
from django.utils.translation import gettext_lazy as _


class Relationship(models.TextChoices):
    """Relationship to the head of household, as household registers spell it."""

    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    GRANDPARENT = "grandparent", _("祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    OTHER_RELATIVE = "other_relative", _("其他亲属")
    TENANT = "tenant", _("租户")
    OTHER = "other", _("其他")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    LONG_TERM = "long_term", _("常住非户籍人口")
    TEMPORARY = "temporary", _("暂住人口")


class PersonStatus(models.TextChoices):
    LIVING_HERE = "living_here", _("在住")
    MOVED_OUT = "moved_out", _("已迁出")
    DECEASED = "deceased", _("已故")


class PersonTag(models.TextChoices):
    """What matters to grid work; a person may carry several."""

    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    DISABLED = "disabled", _("残疾人")
    CHRONIC_ILLNESS = "chronic_illness", _("慢性病患者")
    PREGNANT = "pregnant", _("孕产妇")
    CHILD = "child", _("儿童")
    KEY_PERSON = "key_person", _("重点人员")


class VisitMethod(models.TextChoices):
    DOOR_TO_DOOR = "door", _("入户走访")
    PHONE = "phone", _("电话联系")


class DeclarationStatus(models.TextChoices):
    PENDING = "pending", _("待核实")
    VERIFIED = "verified", _("已核实")
    REJECTED = "rejected", _("已退回")


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", _("是/否")
    CHOICE = "choice", _("单选")
    TEXT = "text", _("文字")
