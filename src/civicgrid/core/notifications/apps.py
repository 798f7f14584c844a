from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "civicgrid.core.notifications"
    label = "notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from civicgrid.core.notifications import checks  # noqa: F401  (registers the checks)

        # Every app declares its message templates in `notification_templates.py`; importing
        # them all at start-up lets the admin and the preferences page list every template.
        autodiscover_modules("notification_templates")
