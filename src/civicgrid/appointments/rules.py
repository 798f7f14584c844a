"""The tunable numbers of appointments, each read from settings with a default."""

import datetime

from django.conf import settings


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def check_in_early() -> datetime.timedelta:
    """How long before the slot an applicant may check in."""
    return datetime.timedelta(minutes=_setting("APPOINTMENTS_CHECK_IN_EARLY_MINUTES", 30))


def check_in_late() -> datetime.timedelta:
    """How late after the slot's start an applicant may still check in."""
    return datetime.timedelta(minutes=_setting("APPOINTMENTS_CHECK_IN_LATE_MINUTES", 15))


def no_show_limit() -> int:
    """No-shows within `no_show_window()` that block booking."""
    return _setting("APPOINTMENTS_NO_SHOW_LIMIT", 3)


def no_show_window() -> datetime.timedelta:
    return datetime.timedelta(days=_setting("APPOINTMENTS_NO_SHOW_WINDOW_DAYS", 90))


def block_length() -> datetime.timedelta:
    return datetime.timedelta(days=_setting("APPOINTMENTS_BLOCK_DAYS", 30))


def token_max_age() -> int:
    """Seconds a booking's QR token stays valid (its signature), generously past any slot."""
    return _setting("APPOINTMENTS_TOKEN_MAX_AGE_DAYS", 120) * 86400
