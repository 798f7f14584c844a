"""Start-up checks: quiet hours parse, and production does not run on a pretend SMS backend."""

from datetime import time
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register()
def check_sms_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from civicgrid.core.sms import get_sms_backend

    messages: list[checks.CheckMessage] = []
    try:
        start, end = settings.SMS_QUIET_HOURS
        time.fromisoformat(start), time.fromisoformat(end)
    except (TypeError, ValueError):
        messages.append(
            checks.Error(
                "SMS_QUIET_HOURS must be two 'HH:MM' times, e.g. ('22:00', '07:00')",
                id="notifications.E001",
            )
        )
    try:
        backend = get_sms_backend()
    except ImproperlyConfigured as exc:
        messages.append(checks.Error(str(exc), id="notifications.E002"))
    else:
        if getattr(settings, "PRODUCTION", False) and not backend.delivers_to_phones:
            messages.append(
                checks.Warning(
                    f"SMS_BACKEND is {settings.SMS_BACKEND}: texts (sign-in codes included) "
                    "reach no phone",
                    hint="Set CIVICGRID_SMS_BACKEND to a gateway backend.",
                    id="notifications.W001",
                )
            )
    return messages
