"""Jobs the task worker runs on a timer, beside the queue: sweeps and clean-ups.

Every worker process runs them, so each job must be safe to run twice at once (they claim rows
with conditional UPDATEs or only delete expired rows). Add a job with one line below.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import import_string

logger = logging.getLogger("civicgrid.periodic")


@dataclass
class PeriodicJob:
    path: str  # dotted path of a callable taking no arguments
    every_seconds: float
    next_run: float = field(default=0.0)

    def run_if_due(self, now: float) -> None:
        if now < self.next_run:
            return
        self.next_run = now + self.every_seconds
        try:
            func: Callable[[], object] = import_string(self.path)
            result = func()
            logger.info("periodic job %s done", self.path, extra={"result": result})
        except Exception:
            logger.exception("periodic job %s failed", self.path)


def default_jobs() -> list[PeriodicJob]:
    return [
        # Texts deferred by quiet hours or waiting for a retry.
        PeriodicJob("civicgrid.core.notifications.actions.do_send_due_sms_deliveries", 300),
        PeriodicJob("civicgrid.core.idempotency.prune_idempotency_records", 3600),
        # Community brain: evening reminders to households that have not reported, the no-report
        # alert rule, and deleting passes past their retention (daily counts are kept).
        PeriodicJob("civicgrid.community.actions.do_remind_unreported_households", 600),
        PeriodicJob("civicgrid.community.actions.do_check_missing_reports", 3600),
        PeriodicJob("civicgrid.community.actions.do_purge_expired_passes", 3600),
        # Needs nobody claimed for ERRANDS_REMIND_AFTER_MINUTES: tell the community's volunteers.
        PeriodicJob("civicgrid.errands.actions.do_remind_unclaimed_errands", 60),
        # Daily reports past their deadline: remind the unit's staff once a day.
        PeriodicJob("civicgrid.epidemic.actions.do_remind_overdue_reports", 600),
        # Applications due or overdue: remind the clerks (each case at most once a day).
        PeriodicJob("civicgrid.applications.tasks.remind_due_cases", 3600),
        # Catalogue uploads checked but never confirmed: their files go after a day.
        PeriodicJob("civicgrid.catalog.import_runs.do_drop_unconfirmed_catalog_uploads", 3600),
        # Appointments: no-shows once check-in has closed (and the blocks they bring),
        # reminders the day before, and the window of slots moving on by a day.
        PeriodicJob("civicgrid.appointments.actions.do_record_no_shows", 300),
        PeriodicJob("civicgrid.appointments.actions.do_send_appointment_reminders", 600),
        PeriodicJob("civicgrid.appointments.slots.do_plan_all_slots", 3600),
    ]


def run_due_jobs(jobs: list[PeriodicJob], now: float | None = None) -> None:
    moment = time.monotonic() if now is None else now
    for job in jobs:
        job.run_if_due(moment)
