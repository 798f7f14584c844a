"""The background-task demonstration: staff start it, see only their own progress."""

import pytest

from civicgrid.core.actions import do_start_demo_task
from civicgrid.core.models import TaskProgress

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def staff(personas):
    return personas.county_a_officer


@pytest.fixture
def other_staff(personas):
    return personas.county_b_officer


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/tasks/demo/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_resident_cannot_start_tasks(client, personas):
    client.force_login(personas.resident_a)
    response = client.post("/tasks/demo/")
    assert response.status_code == 403
    assert not TaskProgress.objects.exists()


def test_starting_the_demo_runs_the_task_to_completion(
    client, staff, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.DEMO_TASK_STEP_SECONDS = 0
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/tasks/demo/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    progress = TaskProgress.objects.get()
    assert progress.owner == staff
    assert progress.task_id  # the task result id was recorded once it was enqueued
    # The immediate backend ran it inline, so the bar is already full.
    progress.refresh_from_db()
    assert (progress.done, progress.total, progress.finished, progress.percent) == (
        20,
        20,
        True,
        100,
    )
    poll = client.get(f"/tasks/{progress.key}/progress/")
    assert poll.status_code == 200
    assert 'aria-valuenow="100"' in poll.content.decode()
    assert "hx-trigger" not in poll.content.decode()  # finished bars stop polling


def test_a_queued_task_shows_an_unfinished_bar_that_keeps_polling(client, staff):
    progress = do_start_demo_task(staff, steps=5)
    client.force_login(staff)
    body = client.get(f"/tasks/{progress.key}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert 'aria-valuenow="0"' in body


def test_someone_elses_progress_is_a_404_like_a_missing_one(client, staff, other_staff):
    progress = do_start_demo_task(staff, steps=5)
    client.force_login(other_staff)
    assert client.get(f"/tasks/{progress.key}/progress/").status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/tasks/{missing}/progress/").status_code == 404


def test_the_progress_row_rejects_more_done_than_total(staff):
    from django.db import IntegrityError, transaction

    progress = do_start_demo_task(staff, steps=2)
    progress.done = 3
    with pytest.raises(IntegrityError), transaction.atomic():
        progress.save()
