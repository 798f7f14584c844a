from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    """What an administrator says a date is, overriding the package and the weekday."""

    HOLIDAY = "holiday", _("放假")
    WORKDAY = "workday", _("调休上班")
