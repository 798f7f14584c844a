"""Human case numbers: a prefix, the day and a five-digit serial (冀办2026112700001)."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from civicgrid.applications.models import CaseNumberCounter

DEFAULT_PREFIX = "冀办"


def next_case_number(day: datetime.date) -> str:
    """The next number of `day`; call inside the transaction that creates the case, so a
    rolled-back submission gives its number back and concurrent ones queue on the counter."""
    prefix = getattr(settings, "APPLICATIONS_CASE_PREFIX", DEFAULT_PREFIX)
    if not CaseNumberCounter.objects.filter(day=day).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                CaseNumberCounter.objects.create(day=day, last=1)
        except IntegrityError:  # another submission created the day's counter first
            CaseNumberCounter.objects.filter(day=day).update(last=F("last") + 1)
    serial = CaseNumberCounter.objects.get(day=day).last
    return f"{prefix}{day:%Y%m%d}{serial:05d}"
