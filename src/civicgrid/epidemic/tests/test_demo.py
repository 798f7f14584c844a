"""The demo's daily reporting: two forms, reports through the actions, the approval chain."""

import pytest

from civicgrid.accounts.demo import do_load_demo_accounts
from civicgrid.epidemic.demo import LATE_TODAY, do_load_demo_epidemic
from civicgrid.epidemic.models import ElementTotal, Report, ReportForm
from civicgrid.epidemic.remit import local_today
from civicgrid.epidemic.selectors import completeness

pytestmark = pytest.mark.django_db


def test_the_demo_loads_forms_and_reports_once_and_the_totals_match(personas):
    do_load_demo_accounts()
    loaded = do_load_demo_epidemic(days=9)
    assert loaded.reports == Report.objects.count() > 0
    assert do_load_demo_epidemic(days=9).reports == 0
    daily = ReportForm.objects.get(code="daily-epidemic")
    assert daily.elements.count() == 12 and daily.rules.count() == 7
    statuses = set(Report.objects.values_list("status", flat=True))
    assert statuses == {"locked", "confirmed", "submitted"}
    # The live totals equal the sum of the reports, for the county, on every day.
    for date in Report.objects.filter(form=daily).values_list("date", flat=True).distinct():
        summed = sum(
            int(r.values["new_confirmed"])
            for r in Report.objects.filter(
                form=daily, date=date, division_code__startswith="131128"
            )
        )
        total = ElementTotal.objects.filter(
            form=daily, division_code="131128000000", date=date, element__code="new_confirmed"
        ).first()
        assert (total.hundredths // 100 if total else 0) == summed
    fucheng = daily.division.__class__.objects.get(code="131128000000")
    today = completeness(daily, fucheng, local_today())
    assert today.total.expected - today.total.reported == LATE_TODAY


def test_the_demo_line_lists_form_chains_and_a_worklist_with_flags(personas):
    import time

    from civicgrid.epidemic.demo_line_lists import do_load_demo_line_lists
    from civicgrid.epidemic.models import Case, MonitoringEntry, Observation, TransmissionCluster
    from civicgrid.epidemic.observation import worklist

    do_load_demo_accounts()
    started = time.monotonic()
    loaded = do_load_demo_line_lists()
    print(f"demo line lists: {time.monotonic() - started:.1f} s")
    assert 35 <= loaded.cases == Case.objects.count() <= 45
    assert 250 <= Observation.objects.count() <= 350
    assert TransmissionCluster.objects.count() == 5
    assert MonitoringEntry.objects.count() > 2000
    assert do_load_demo_line_lists().cases == 0
    result = worklist(personas.county_a_officer)
    assert result.total > 250 and result.counts["end_due"] + result.counts["missed"] > 0
