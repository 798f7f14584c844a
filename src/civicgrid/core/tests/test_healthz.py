"""/healthz: the database and the task worker's heartbeat, 503 when either is bad."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from civicgrid.core.management.commands.run_worker import _beat_forever
from civicgrid.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def _beat(age_seconds: float) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1",
        hostname="test",
        pid=1,
        started_at=now - timedelta(hours=1),
        beat_at=now - timedelta(seconds=age_seconds),
    )


def test_it_is_healthy_with_a_database_and_a_fresh_heartbeat(client):
    _beat(3)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["worker"] == {"ok": True, "heartbeat_age_seconds": pytest.approx(3, abs=1)}


def test_it_is_unavailable_when_no_worker_ever_beat(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == {"ok": False, "heartbeat_age_seconds": None}


def test_it_is_unavailable_when_the_heartbeat_is_stale(client, settings):
    settings.WORKER_HEARTBEAT_STALE_SECONDS = 60
    _beat(61)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["ok"] is True


def test_it_is_unavailable_when_the_database_is_unreachable(client, settings):
    from django.db import connection

    _beat(1)
    real = connection.cursor

    def broken_cursor(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("connection refused")

    connection.cursor = broken_cursor
    try:
        response = client.get("/healthz")
    finally:
        connection.cursor = real
    assert response.status_code == 503
    assert response.json()["database"]["ok"] is False


def test_the_newest_heartbeat_of_several_workers_counts(client):
    _beat(500)
    WorkerHeartbeat.objects.create(
        worker_id="w2", hostname="t", pid=2, started_at=timezone.now(), beat_at=timezone.now()
    )
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_worker_heartbeat_thread_writes_and_refreshes_its_row():
    stop = threading.Event()
    started = timezone.now()
    with time_machine.travel(started, tick=True):
        thread = threading.Thread(target=_beat_forever, args=("w-test", started, stop))
        thread.start()
        for _ in range(100):
            if WorkerHeartbeat.objects.filter(worker_id="w-test").exists():
                break
            threading.Event().wait(0.02)
        stop.set()
        thread.join(timeout=5)
    beat = WorkerHeartbeat.objects.get(worker_id="w-test")
    assert beat.started_at == started
    assert beat.beat_at >= started
