"""Users. The custom model exists from the first migration so that roles, jurisdiction and
resident sign-in can be added without swapping the user model under live data."""

from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in: staff with a password, residents with a mobile number."""

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def audit_subject_keys(self) -> list[str]:
        """Keys under which audit records name this person as the subject of a read.

        `user:<pk>` for data attached to the account; once residents have a verified citizen
        ID, its look-up hash is added so reads of their population record show up too.
        """
        return [f"user:{self.pk}"]

    def audit_identity(self) -> dict[str, str]:
        """The organisation and role to record beside this user's actions in the audit trail."""
        return {"organisation": "", "role": "administrator" if self.is_superuser else ""}
