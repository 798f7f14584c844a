"""Idempotency-Key: a retried write returns the first response and writes nothing new."""

import threading

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory

from civicgrid.core.idempotency import IdempotencyMiddleware, prune_idempotency_records
from civicgrid.core.models import IdempotencyRecord, TaskProgress

pytestmark = pytest.mark.django_db


def _post(client, key, data=None):
    return client.post("/tasks/demo/", data or {}, HTTP_IDEMPOTENCY_KEY=key, HTTP_HX_REQUEST="true")


def test_a_retry_replays_the_first_response_and_writes_nothing(client, personas):
    client.force_login(personas.county_a_officer)
    first = _post(client, "scan-7f3a")
    retry = _post(client, "scan-7f3a")
    assert first.status_code == retry.status_code == 200
    assert retry.content == first.content
    assert retry["Idempotent-Replayed"] == "true"
    assert TaskProgress.objects.count() == 1


def test_different_keys_are_different_requests(client, personas):
    client.force_login(personas.county_a_officer)
    _post(client, "k1")
    _post(client, "k2")
    assert TaskProgress.objects.count() == 2


def test_the_same_key_with_another_body_is_refused(client, personas):
    client.force_login(personas.county_a_officer)
    _post(client, "k1", {"a": "1"})
    response = _post(client, "k1", {"a": "2"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert TaskProgress.objects.count() == 1


def test_keys_of_different_users_do_not_collide(personas):
    a, b = Client(), Client()
    a.force_login(personas.county_a_officer)
    b.force_login(personas.county_b_officer)
    _post(a, "same")
    response = _post(b, "same")
    assert "Idempotent-Replayed" not in response
    assert TaskProgress.objects.count() == 2


@pytest.mark.parametrize("bad", ["", "has space", "x" * 101, "中文"])
def test_a_malformed_key_is_a_400(client, personas, bad):
    client.force_login(personas.county_a_officer)
    response = client.post("/tasks/demo/", HTTP_IDEMPOTENCY_KEY=bad.encode().decode("latin-1"))
    assert response.status_code == 400
    assert not TaskProgress.objects.exists()


def test_requests_without_the_header_are_untouched(client, personas):
    client.force_login(personas.county_a_officer)
    client.post("/tasks/demo/")
    client.post("/tasks/demo/")
    assert TaskProgress.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_old_records_are_pruned(client, personas):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(personas.county_a_officer)
    _post(client, "old")
    assert prune_idempotency_records(timezone.now() + timedelta(hours=25)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_retries_make_one_write(personas):
    """A phone that fires the same request twice at once: exactly one of them writes."""
    barrier = threading.Barrier(2, timeout=10)
    results = []

    def fire():
        client = Client()
        client.force_login(personas.county_a_officer)
        barrier.wait()
        try:
            results.append(_post(client, "double-tap").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=fire) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert TaskProgress.objects.count() == 1
    # The loser waited for the winner's commit and got the replay (200), or gave up waiting (409).
    assert sorted(results) in ([200, 200], [200, 409])


def _through_the_middleware(user, key, view):
    request = RequestFactory().post("/anything/", {"n": 1}, HTTP_IDEMPOTENCY_KEY=key)
    request.user = user
    return IdempotencyMiddleware(view)(request)


def _writes_then_answers(status):
    def view(request):
        TaskProgress.objects.create(label="written by the request", total=1)
        return HttpResponse(status=status)

    return view


def test_a_failed_request_leaves_neither_its_writes_nor_its_key(personas):
    """A 5xx rolls back the request's writes with the key, so the retry really runs."""
    user = personas.county_a_officer
    assert _through_the_middleware(user, "flaky", _writes_then_answers(503)).status_code == 503
    assert not TaskProgress.objects.exists()
    assert not IdempotencyRecord.objects.exists()
    assert _through_the_middleware(user, "flaky", _writes_then_answers(201)).status_code == 201
    assert TaskProgress.objects.count() == 1


def test_the_writes_and_the_stored_answer_commit_together(personas):
    """Whatever the request wrote is there exactly when its answer is kept for a retry."""
    user = personas.county_a_officer
    _through_the_middleware(user, "once", _writes_then_answers(201))
    record = IdempotencyRecord.objects.get(key="once")
    assert record.status_code == 201 and TaskProgress.objects.count() == 1
    replay = _through_the_middleware(user, "once", _writes_then_answers(201))
    assert replay["Idempotent-Replayed"] == "true"
    assert TaskProgress.objects.count() == 1
