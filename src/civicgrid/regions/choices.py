from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省级")
    CITY = 2, _("地市级")
    COUNTY = 3, _("县级")
    TOWNSHIP = 4, _("乡镇级")
    VILLAGE = 5, _("村（居）级")
