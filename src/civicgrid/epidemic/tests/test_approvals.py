"""The approval chain: the city confirms, the province locks and reopens a day; reminders."""

import pytest
from django.core.exceptions import ValidationError

from civicgrid.core.audit.models import AuditRecord
from civicgrid.epidemic.actions import (
    do_confirm_reports,
    do_lock_day,
    do_reopen_day,
    do_save_report,
)
from civicgrid.epidemic.models import Report
from civicgrid.epidemic.tests import factories as f
from civicgrid.regions.models import Division

pytestmark = pytest.mark.django_db


def _submit(user, form, unit, version=0, **figures):  # type: ignore[no-untyped-def]
    return do_save_report(
        user,
        form=form,
        unit=unit,
        date=f.days_ago(1),
        values=f.figures(**figures),
        submit=True,
        expected_version=version,
    ).report


def test_the_city_confirms_a_countys_submitted_reports(personas):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    sibling, clinician_b = f.sibling_centre()
    _submit(clinician, form, centre)
    _submit(clinician_b, form, sibling)
    county = Division.objects.get(code="131128000000")
    assert (
        do_confirm_reports(personas.city_officer, form=form, county=county, date=f.days_ago(1)) == 1
    )
    statuses = dict(Report.objects.values_list("unit__name", "status"))
    assert statuses == {"阜城镇卫生院": "confirmed", "景州镇卫生院": "submitted"}


def test_only_the_city_confirms(personas):
    form = f.daily_form(personas)
    county = Division.objects.get(code="131128000000")
    for user in (personas.county_a_officer, personas.county_b_officer, personas.cdc_a):
        with pytest.raises(ValidationError):
            do_confirm_reports(user, form=form, county=county, date=f.days_ago(1))


def test_a_corrected_confirmed_report_goes_back_to_the_city(personas):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    report = _submit(clinician, form, centre)
    county = Division.objects.get(code="131128000000")
    do_confirm_reports(personas.city_officer, form=form, county=county, date=report.date)
    report.refresh_from_db()
    corrected = _submit(clinician, form, centre, version=report.version, new=2)
    assert corrected.status == "submitted"


def test_a_locked_day_refuses_every_change_until_the_province_reopens_it(personas):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    other = f.unit("古城镇卫生院", "131128101000")
    report = _submit(clinician, form, centre)
    assert do_lock_day(personas.province_officer, form=form, date=report.date) == 1
    report.refresh_from_db()
    assert report.status == "locked"
    with pytest.raises(ValidationError) as caught:
        _submit(clinician, form, centre, version=report.version, new=5)
    assert "已被省级锁定" in caught.value.messages[0]
    with pytest.raises(ValidationError):  # a unit that had not reported yet
        _submit(personas.county_a_officer, form, other)
    with pytest.raises(ValidationError) as caught:
        do_reopen_day(personas.province_officer, form=form, date=report.date, reason="")
    assert caught.value.message_dict == {"reason": ["请填写重新开放的理由（至少 4 个字）"]}
    for user in (personas.city_officer, personas.county_a_officer):
        with pytest.raises(ValidationError):
            do_reopen_day(user, form=form, date=report.date, reason="数据需要更正")
    assert (
        do_reopen_day(
            personas.province_officer, form=form, date=report.date, reason="阜城县补报两例"
        )
        == 1
    )
    report.refresh_from_db()
    assert report.status == "submitted"
    assert (
        _submit(clinician, form, centre, version=report.version, new=5).values["new_confirmed"]
        == "5"
    )
    reopened = AuditRecord.objects.get(details__event="reopened")
    assert reopened.reason == "阜城县补报两例"


def test_only_the_province_locks_and_not_twice(personas):
    form = f.daily_form(personas)
    for user in (personas.city_officer, personas.county_a_officer, personas.cdc_a):
        with pytest.raises(ValidationError):
            do_lock_day(user, form=form, date=f.days_ago(1))
    do_lock_day(personas.province_officer, form=form, date=f.days_ago(1))
    with pytest.raises(ValidationError):
        do_lock_day(personas.province_officer, form=form, date=f.days_ago(1))
    with pytest.raises(ValidationError):
        do_lock_day(personas.province_officer, form=form, date=f.days_ago(-1))
