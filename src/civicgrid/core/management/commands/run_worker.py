"""The task worker: django-tasks-db's db_worker plus a heartbeat that /healthz reads."""

import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from civicgrid.core.models import WorkerHeartbeat
from civicgrid.core.periodic import default_jobs, run_due_jobs


def _beat_forever(worker_id: str, started_at, stop: threading.Event) -> None:
    """Runs in a daemon thread with its own database connection: heartbeat, then due jobs."""
    jobs = default_jobs()
    try:
        while not stop.is_set():
            close_old_connections()
            WorkerHeartbeat.objects.update_or_create(
                worker_id=worker_id,
                defaults={
                    "hostname": socket.gethostname(),
                    "pid": os.getpid(),
                    "started_at": started_at,
                    "beat_at": timezone.now(),
                },
            )
            run_due_jobs(jobs)
            stop.wait(settings.WORKER_HEARTBEAT_SECONDS)
    finally:
        connection.close()


class Command(DbWorkerCommand):
    help = "Run a background task worker that reports a heartbeat (see /healthz)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        worker_id = options.get("worker_id") or get_random_string(32)
        options["worker_id"] = worker_id
        stop = threading.Event()
        beat = threading.Thread(
            target=_beat_forever, args=(worker_id, timezone.now(), stop), daemon=True
        )
        beat.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
            WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
