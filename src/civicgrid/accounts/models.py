"""Users. The custom model exists from the first migration so that roles, jurisdiction and
resident sign-in can be added later without swapping the user model under live data."""

from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: staff with a password, later residents with a mobile number."""

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
