"""Quiet hours: the local night during which non-urgent text messages wait (settings
`SMS_QUIET_HOURS`, `SMS_QUIET_HOURS_TIME_ZONE`; default 22:00–07:00 Asia/Shanghai)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def quiet_hours() -> tuple[time, time]:
    start, end = settings.SMS_QUIET_HOURS
    return time.fromisoformat(start), time.fromisoformat(end)


def quiet_period_end(at: datetime) -> datetime | None:
    """When the quiet period containing `at` ends, or None if `at` is not in quiet hours.

    Start is inclusive, end exclusive: with 22:00–07:00, 22:00 is quiet and 07:00 is not.
    """
    start, end = quiet_hours()
    if start == end:
        return None
    zone = ZoneInfo(settings.SMS_QUIET_HOURS_TIME_ZONE)
    local = at.astimezone(zone)
    now = local.time()
    if start < end:  # e.g. 12:00–14:00, within one day
        if not start <= now < end:
            return None
        day = local.date()
    else:  # wraps past midnight
        if end <= now < start:
            return None
        day = local.date() + timedelta(days=1) if now >= start else local.date()
    return datetime.combine(day, end, tzinfo=zone)
