"""Constants and small helpers shared by the notification tests."""

from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALICE_MOBILE = "13800138001"
BOB_MOBILE = "13900139002"
ERRAND = {"title": "买两袋大米", "volunteer": "张志愿"}
SCRIPTED_SMS = "civicgrid.core.notifications.tests.sms_backends.ScriptedSmsBackend"


def shanghai(*args: int) -> datetime:
    """A Beijing-time instant, e.g. shanghai(2026, 3, 2, 23, 30)."""
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]
