"""Needs nobody claims are brought back to the volunteers' (and staff's) attention."""

import datetime

import pytest
from django.utils import timezone

from civicgrid.core.notifications.models import Notification
from civicgrid.core.periodic import default_jobs
from civicgrid.errands.actions import do_claim_errand, do_remind_unclaimed_errands
from civicgrid.errands.tests import factories as f

pytestmark = pytest.mark.django_db


def _reminders(user):
    return Notification.objects.filter(recipient=user, template_code="errand_unclaimed").count()


def test_a_need_unclaimed_for_n_minutes_is_reminded_once_per_period(personas, settings):
    settings.ERRANDS_REMIND_AFTER_MINUTES = 30
    errand = f.open_errand(personas.resident_a)
    now = timezone.now()
    assert do_remind_unclaimed_errands(now + datetime.timedelta(minutes=29)) == 0
    later = now + datetime.timedelta(minutes=31)
    assert do_remind_unclaimed_errands(later) == 1
    assert do_remind_unclaimed_errands(later) == 0  # a second worker running the same sweep
    assert _reminders(personas.volunteer_a) == 1
    assert errand.events.filter(kind="reminded").count() == 1
    assert do_remind_unclaimed_errands(later + datetime.timedelta(minutes=31)) == 1
    assert _reminders(personas.volunteer_a) == 2


def test_claimed_and_expired_needs_are_not_reminded(personas, settings):
    settings.ERRANDS_REMIND_AFTER_MINUTES = 30
    claimed = f.open_errand(personas.resident_a)
    do_claim_errand(personas.volunteer_a, errand=claimed)
    f.open_errand(personas.resident_a, hours=1)  # its window closes before the sweep
    assert do_remind_unclaimed_errands(timezone.now() + datetime.timedelta(hours=2)) == 0


def test_the_worker_runs_the_reminder_sweep():
    paths = [job.path for job in default_jobs()]
    assert "civicgrid.errands.actions.do_remind_unclaimed_errands" in paths
