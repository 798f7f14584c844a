"""Concurrent writes, each on its own thread and database connection: optimistic locking never
loses an update, and the live totals never lose an increment (SQLite and PostgreSQL)."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from civicgrid.epidemic.actions import ReportConflict, do_save_report
from civicgrid.epidemic.models import ElementTotal, Report, ReportRevision, ReportTally
from civicgrid.epidemic.tests import factories as f

UNITS = 20


def _race(jobs: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run `jobs` at the same moment; their results and the exceptions they raised."""
    start = threading.Barrier(len(jobs))
    results: list[Any] = []
    raised: list[BaseException] = []

    def run(job: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=60)
            results.append(job())
        except BaseException as exc:  # collected and checked by the test
            raised.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, raised


def _skip_in_memory() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite refuses a second writer instead of queueing")


@pytest.mark.django_db(transaction=True)
def test_of_two_concurrent_corrections_one_wins_and_the_other_gets_the_version_error(personas):
    _skip_in_memory()
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    report = f.submit(clinician, form, centre, new=1).report

    def correct(user: Any, new: int) -> Callable[[], Any]:
        return lambda: do_save_report(
            user,
            form=form,
            unit=centre,
            date=report.date,
            values=f.figures(new=new),
            submit=True,
            expected_version=1,
        )

    won, lost = _race([correct(clinician, 5), correct(personas.county_a_officer, 7)])
    assert len(won) == 1 and len(lost) == 1 and isinstance(lost[0], ReportConflict), lost
    winner = won[0].report
    stored = Report.objects.get(pk=report.pk)
    assert (stored.version, stored.values) == (2, winner.values)
    assert ReportRevision.objects.filter(report=report).count() == 2
    total = ElementTotal.objects.get(
        form=form, division_code="131128000000", date=report.date, element__code="new_confirmed"
    )
    assert total.hundredths == int(winner.values["new_confirmed"]) * 100


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_of_many_units_add_up_exactly_at_every_level(personas):
    _skip_in_memory()
    form = f.daily_form(personas)
    townships = ["131128100000", "131128101000", "131128102000", "131128103000"]
    units = [f.unit(f"卫生院{n:02d}", townships[n % len(townships)]) for n in range(UNITS)]
    today = f.days_ago(0)

    def submit(n: int) -> Callable[[], Any]:
        return lambda: do_save_report(
            personas.county_a_officer,
            form=form,
            unit=units[n],
            date=today,
            values=f.figures(new=n, cum=10 + n, fever=100),
            submit=True,
            expected_version=0,
        )

    done, raised = _race([submit(n) for n in range(UNITS)])
    assert raised == [] and len(done) == UNITS
    expected = sum(range(UNITS))
    for code in ("130000000000", "131100000000", "131128000000"):
        cell = ElementTotal.objects.get(
            form=form, division_code=code, date=today, element__code="new_confirmed"
        )
        assert cell.hundredths == expected * 100, code
        assert ReportTally.objects.get(form=form, division_code=code, date=today).reports == UNITS
    for township in townships:
        reports = Report.objects.filter(division_code=township)
        summed = sum(int(r.values["new_confirmed"]) for r in reports)
        cell = ElementTotal.objects.get(
            form=form, division_code=township, date=today, element__code="new_confirmed"
        )
        assert cell.hundredths == summed * 100


@pytest.mark.django_db(transaction=True)
def test_a_day_locked_while_a_first_report_is_being_written_ends_up_locked(personas):
    """The province locks a day while a unit's first report of that day is still uncommitted:
    the lock waits for it and then locks it too (without the wait the report stayed
    "submitted" on a locked day). PostgreSQL only: SQLite runs one writer at a time."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs two concurrent transactions")
    from django.db import transaction

    from civicgrid.epidemic.actions import do_lock_day

    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    written, proceed = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def write_and_hold() -> None:
        try:
            with transaction.atomic():
                outcome["report"] = f.submit(clinician, form, centre, new=2).report
                written.set()
                proceed.wait(timeout=30)
        finally:
            connection.close()

    def lock() -> None:
        try:
            outcome["locked"] = do_lock_day(
                personas.province_officer, form=form, date=f.days_ago(0)
            )
        finally:
            connection.close()

    writer = threading.Thread(target=write_and_hold)
    writer.start()
    assert written.wait(timeout=30)
    locker = threading.Thread(target=lock)
    locker.start()
    locker.join(timeout=1.0)
    assert locker.is_alive(), "the lock did not wait for the report being written"
    proceed.set()
    writer.join(timeout=30)
    locker.join(timeout=30)
    assert outcome["locked"] == 1
    assert Report.objects.get(pk=outcome["report"].pk).status == "locked"
