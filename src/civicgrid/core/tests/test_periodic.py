"""Periodic jobs run by the worker: on time, and a failing job does not stop the others."""

import pytest

from civicgrid.core.periodic import PeriodicJob, default_jobs, run_due_jobs

calls: list[str] = []


def job_ok() -> None:
    calls.append("ok")


def job_broken() -> None:
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def _reset():
    calls.clear()


def test_a_job_runs_when_due_and_again_after_its_interval():
    job = PeriodicJob(f"{__name__}.job_ok", every_seconds=60)
    run_due_jobs([job], now=1000)
    run_due_jobs([job], now=1030)
    run_due_jobs([job], now=1061)
    assert calls == ["ok", "ok"]


def test_a_failing_job_is_logged_and_the_next_still_runs(caplog):
    jobs = [PeriodicJob(f"{__name__}.job_broken", 60), PeriodicJob(f"{__name__}.job_ok", 60)]
    run_due_jobs(jobs, now=5)
    assert calls == ["ok"]
    assert "job_broken failed" in caplog.text


@pytest.mark.django_db
def test_the_default_jobs_import_and_run_on_an_empty_database():
    run_due_jobs(default_jobs(), now=0)
