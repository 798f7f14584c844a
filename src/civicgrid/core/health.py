"""Selectors behind /healthz: can we reach the database, and is a task worker alive?"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from civicgrid.core.models import WorkerHeartbeat


@dataclass(frozen=True)
class HealthReport:
    database_ok: bool
    database_vendor: str
    worker_heartbeat_age_seconds: float | None

    @property
    def worker_ok(self) -> bool:
        age = self.worker_heartbeat_age_seconds
        return age is not None and age <= settings.WORKER_HEARTBEAT_STALE_SECONDS

    @property
    def ok(self) -> bool:
        return self.database_ok and self.worker_ok


def check_health() -> HealthReport:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        newest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True)
        last_beat = newest.first()
    except DatabaseError:
        return HealthReport(False, connection.vendor, None)
    age = (timezone.now() - last_beat) / timedelta(seconds=1) if last_beat else None
    return HealthReport(True, connection.vendor, age)
