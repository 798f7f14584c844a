"""Saving, submitting and correcting daily reports: remit, days, figures, rules, versions."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from civicgrid.core.audit.models import AuditRecord
from civicgrid.epidemic.actions import ReportConflict, do_save_report
from civicgrid.epidemic.models import ElementTotal, Report, ReportRevision, ReportTally
from civicgrid.epidemic.tests import factories as f

pytestmark = pytest.mark.django_db


def _total(form, code: str, element: str, date):  # type: ignore[no-untyped-def]
    row = ElementTotal.objects.filter(
        form=form, division_code=code, date=date, element__code=element
    ).first()
    return row.hundredths / 100 if row else 0


def _save(user, form, unit, values, *, submit=True, version=0, date=None):  # type: ignore[no-untyped-def]
    return do_save_report(
        user,
        form=form,
        unit=unit,
        date=date or f.days_ago(0),
        values=values,
        submit=submit,
        expected_version=version,
    )


def test_a_submission_counts_at_every_level_at_once(personas):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    saved = _save(clinician, form, centre, f.figures(new=3, cum=12))
    report = saved.report
    assert (report.status, report.version, report.values["new_confirmed"]) == ("submitted", 1, "3")
    today = f.days_ago(0)
    for code in ("130000000000", "131100000000", "131128000000", "131128100000"):
        assert _total(form, code, "new_confirmed", today) == 3
        assert _total(form, code, "cum_confirmed", today) == 12
    assert ReportTally.objects.get(form=form, division_code="131128000000", date=today).reports == 1
    assert ReportRevision.objects.filter(report=report).count() == 1
    assert AuditRecord.objects.filter(target_type="epidemic.report", details__event="submitted")


def test_a_draft_does_not_count_until_it_is_submitted(personas):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    draft = _save(clinician, form, centre, {"new_confirmed": "2"}, submit=False).report
    assert draft.status == "draft"
    assert not ElementTotal.objects.exists()
    submitted = _save(clinician, form, centre, f.figures(new=2), version=draft.version).report
    assert (submitted.status, submitted.version) == ("submitted", 2)
    assert _total(form, "131128000000", "new_confirmed", f.days_ago(0)) == 2


def test_a_correction_adds_only_the_difference_and_keeps_history(personas):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    other = f.unit("古城镇卫生院", "131128101000")
    f.staff("clinician_a2", other)
    first = _save(clinician, form, centre, f.figures(new=3, cum=12)).report
    _save(personas.county_a_officer, form, other, f.figures(new=1, cum=4))
    corrected = do_save_report(
        clinician,
        form=form,
        unit=centre,
        date=first.date,
        values=f.figures(new=5, cum=14),
        submit=False,  # a counted report stays counted: saving it is a correction
        expected_version=1,
        note="漏报两例",
    )
    assert (corrected.report.status, corrected.report.version) == ("submitted", 2)
    assert _total(form, "131128000000", "new_confirmed", first.date) == 6
    assert _total(form, "131128100000", "new_confirmed", first.date) == 5
    assert _total(form, "131128101000", "new_confirmed", first.date) == 1
    assert (
        ReportTally.objects.get(form=form, division_code="131128000000", date=first.date).reports
        == 2
    )
    history = list(ReportRevision.objects.filter(report=first).values_list("version", "values"))
    assert [v for v, _ in history] == [2, 1]
    assert history[1][1]["new_confirmed"] == "3"


def test_a_stale_version_is_refused_and_changes_nothing(personas):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    report = _save(clinician, form, centre, f.figures(new=3)).report
    _save(clinician, form, centre, f.figures(new=4), version=1)
    with pytest.raises(ReportConflict) as caught:
        _save(personas.county_a_officer, form, centre, f.figures(new=9), version=1)
    assert "已被他人修改（当前版本 2，您修改的是版本 1）" in caught.value.message
    assert caught.value.current_version == 2
    report.refresh_from_db()
    assert report.values["new_confirmed"] == "4"
    assert _total(form, "131128000000", "new_confirmed", report.date) == 4
    with pytest.raises(ReportConflict):  # a client that does not say which version it read
        _save(clinician, form, centre, f.figures(new=9), version=None)


def test_a_unit_outside_the_reporters_remit_is_refused(personas):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    sibling, _ = f.sibling_centre()
    for user, unit in [
        (clinician, sibling),  # another unit's staff
        (personas.county_b_officer, centre),  # a sibling county's officer
        (personas.city_officer, centre),  # the city confirms, it does not enter figures
        (personas.grid_worker_a1, centre),
    ]:
        with pytest.raises(ValidationError) as caught:
            _save(user, form, unit, f.figures())
        assert caught.value.message_dict == {"unit": [f"“{unit.name}”不在您的填报范围内"]}
    community = personas.organisations["community_a1"]
    with pytest.raises(ValidationError) as caught:
        _save(personas.admin, form, community, f.figures())
    assert caught.value.message_dict == {"unit": ["“示例社区居委会”不是“每日疫情报告”的填报单位"]}
    assert not Report.objects.exists()


def test_the_county_submits_for_its_units(personas):
    form = f.daily_form(personas)
    centre, _ = f.health_centre()
    report = _save(personas.county_a_officer, form, centre, f.figures(new=2)).report
    assert report.submitted_by == personas.county_a_officer


def test_a_future_date_is_refused(personas):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    tomorrow = f.days_ago(-1)
    with pytest.raises(ValidationError) as caught:
        _save(clinician, form, centre, f.figures(), date=tomorrow)
    assert caught.value.message_dict == {"date": [f"不能填报未来的日期（{tomorrow:%Y-%m-%d}）"]}


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"new_confirmed": "三"}, {"new_confirmed": ["「新增确诊」应为数字，收到“三”"]}),
        ({"new_confirmed": "1.5"}, {"new_confirmed": ["「新增确诊」应为整数，收到“1.5”"]}),
        ({"new_confirmed": "-1"}, {"new_confirmed": ["「新增确诊」不能为负数，收到 -1"]}),
        ({"deaths": "1"}, {"values": ["表单中没有指标“deaths”"]}),
        ({"new_cured": "13"}, {"new_cured": ["「新增治愈」（13）不能大于「累计确诊」（10）"]}),
        ({"cum_confirmed": ""}, {"cum_confirmed": ["请填写「累计确诊」"]}),
    ],
)
def test_bad_figures_are_refused_naming_the_element_and_nothing_is_saved(personas, values, errors):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    with pytest.raises(ValidationError) as caught:
        _save(clinician, form, centre, {**f.figures(), **values})
    assert caught.value.message_dict == errors
    assert not Report.objects.exists()
    assert not ElementTotal.objects.exists()
    assert not AuditRecord.objects.filter(target_type="epidemic.report").exists()


def test_a_cumulative_figure_may_not_fall_below_the_previous_report(personas):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    yesterday = f.days_ago(1)
    _save(clinician, form, centre, f.figures(cum=12), date=yesterday)
    with pytest.raises(ValidationError) as caught:
        _save(clinician, form, centre, f.figures(cum=11))
    label = f"{yesterday.month}月{yesterday.day}日"
    assert caught.value.message_dict == {
        "cum_confirmed": [f"「累计确诊」（11）不能小于上一次报告（{label}）的 12"]
    }


def test_a_warning_rule_lets_the_report_through_and_says_why(personas):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    saved = _save(clinician, form, centre, f.figures(new=7, fever=5))
    assert saved.report.status == "submitted"
    assert saved.warnings == ["「新增确诊」（7）不能大于「发热门诊就诊」（5）"]
    assert saved.report.warnings == saved.warnings


def test_a_draft_keeps_rule_violations_as_warnings(personas):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    saved = _save(clinician, form, centre, {"new_cured": "3", "cum_confirmed": "1"}, submit=False)
    assert saved.report.status == "draft"
    assert "「新增治愈」（3）不能大于「累计确诊」（1）" in saved.warnings


def test_on_time_is_recorded_against_the_deadline(personas):
    import time_machine

    form = f.daily_form(personas, deadline_hour=10)
    centre, clinician = f.health_centre()
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):  # 17:00
        late = _save(clinician, form, centre, f.figures()).report
    with time_machine.travel(datetime.datetime(2026, 3, 3, 1, 0, tzinfo=datetime.UTC)):  # 09:00
        early = _save(clinician, form, centre, f.figures()).report
    assert (late.on_time, early.on_time) == (False, True)
    tallies = ReportTally.objects.filter(form=form, division_code="131128000000")
    assert sorted(tallies.values_list("reports", "on_time")) == [(1, 0), (1, 1)]
