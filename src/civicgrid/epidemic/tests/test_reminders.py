"""Overdue reminders: the staff of units that have not reported by the deadline, once a day."""

import datetime

import pytest
import time_machine

from civicgrid.core.notifications.models import Notification
from civicgrid.epidemic.actions import do_remind_overdue_reports, do_save_report
from civicgrid.epidemic.tests import factories as f

pytestmark = pytest.mark.django_db


def test_overdue_units_staff_are_reminded_once_a_day(personas):
    form = f.daily_form(personas, deadline_hour=10)
    centre, clinician = f.health_centre()
    quiet_clinician = f.staff("clinician_gc", f.unit("古城镇卫生院", "131128101000"))
    before = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)  # 09:00 in Shanghai
    after = datetime.datetime(2026, 3, 2, 3, 0, tzinfo=datetime.UTC)  # 11:00
    with time_machine.travel(before):
        assert do_remind_overdue_reports() == 0
        _submit_today = do_save_report(
            clinician, form=form, unit=centre, date=datetime.date(2026, 3, 2),
            values=f.figures(), submit=True, expected_version=0,
        )  # fmt: skip
    with time_machine.travel(after):
        # 古城镇卫生院 and the county CDC (a CDC reports this form too) have not reported.
        assert do_remind_overdue_reports() == 2
        assert do_remind_overdue_reports() == 0
    told = Notification.objects.filter(template_code="epidemic_report_overdue")
    assert set(told.values_list("recipient", flat=True)) == {quiet_clinician.pk, personas.cdc_a.pk}
    body = told.get(recipient=quiet_clinician).body
    assert "古城镇卫生院今天的每日疫情报告已过截止时间（10:00）仍未上报" in body
    assert _submit_today.report.on_time is True
