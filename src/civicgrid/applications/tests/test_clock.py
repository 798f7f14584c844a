"""The working-day clock: holidays and make-up days, pauses for material, years nobody entered,
and the 15-working-day clock of a bad rating's follow-up."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.applications import actions, clock, selectors
from civicgrid.applications.choices import CaseStatus, FollowUpStatus, TimeLeft
from civicgrid.applications.models import Case, FollowUp, MaterialRequest
from civicgrid.applications.tests import factories as f

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 10):  # type: ignore[no-untyped-def]
    return time_machine.travel(
        datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI), tick=False
    )


def test_the_due_date_skips_the_national_day_holiday_and_counts_the_make_up_saturday(personas):
    service = f.item(personas.organisations["department_a"], promised=5)
    with at(2025, 9, 30):
        case = f.submit(personas.enterprise_agent_a, service)
    # Oct 1–8 off; Oct 9, 10, 11 (a make-up Saturday), 13, 14.
    assert case.due_date == datetime.date(2025, 10, 14)
    assert case.due_warning == ""


def test_a_material_request_pauses_the_clock_and_the_waited_working_days_are_added(personas):
    service = f.item(personas.organisations["department_a"], promised=10)
    with at(2025, 11, 3):  # a Monday
        case = actions.do_advance_case(
            personas.clerk_a, case=f.submit(personas.enterprise_agent_a, service)
        )
        assert case.base_due_date == datetime.date(2025, 11, 17)
    with at(2025, 11, 5):
        actions.do_request_material(personas.clerk_a, case=case, items=["用地预审意见"])
        case.refresh_from_db()
        assert selectors.with_remaining([case])[0].remaining.kind == TimeLeft.PAUSED
    with at(2025, 11, 10):  # the next Monday: Thursday, Friday and Monday waited
        case = actions.do_supply_material(
            personas.enterprise_agent_a, case=case, files=[f.pdf_upload()]
        )
    assert case.paused_working_days == 3
    assert case.due_date == datetime.date(2025, 11, 20)
    assert MaterialRequest.objects.get(case=case).paused_working_days == 3
    with at(2025, 11, 12):
        request = actions.do_request_material(personas.clerk_a, case=case, items=["环评批复"])
    with at(2025, 11, 13):
        case = actions.do_supply_material(
            personas.enterprise_agent_a, case=Case.objects.get(pk=case.pk), files=[f.pdf_upload()]
        )
    assert case.paused_working_days == 4
    assert case.due_date == datetime.date(2025, 11, 21)
    request.refresh_from_db()
    assert request.paused_working_days == 1


def test_a_date_beyond_every_known_year_still_computes_with_a_warning(personas):
    service = f.item(personas.organisations["department_a"], promised=5)
    with at(2031, 3, 3):  # a Monday in a year whose holidays nobody entered
        case = f.submit(personas.enterprise_agent_a, service)
    assert case.due_date == datetime.date(2031, 3, 10)
    assert "2031" in case.due_warning


def test_the_queue_marks_overdue_and_soon_due_cases(personas):
    service = f.item(personas.organisations["department_a"], promised=3)
    with at(2025, 11, 3):
        late = f.submit(personas.enterprise_agent_a, service)  # due Thursday Nov 6
    with at(2025, 11, 5):
        soon = f.submit(personas.enterprise_agent_a, service)  # due Monday Nov 10
        ok = Case.objects.get(
            pk=f.submit(
                personas.enterprise_agent_a,
                f.item(personas.organisations["department_a"], code="TEST-0002", promised=10),
            ).pk
        )
    with at(2025, 11, 7):

        def numbers(time_left):  # type: ignore[no-untyped-def]
            return [c.number for c in selectors.clerk_queue(personas.clerk_a, time_left=time_left)]

        assert numbers(TimeLeft.OVERDUE) == [late.number]
        assert numbers(TimeLeft.DUE_SOON) == [soon.number]
        assert numbers(TimeLeft.ON_TIME) == [ok.number]
        rows = selectors.with_remaining(list(selectors.clerk_queue(personas.clerk_a)))
        assert [r.remaining.kind for r in rows] == [
            TimeLeft.OVERDUE,
            TimeLeft.DUE_SOON,
            TimeLeft.ON_TIME,
        ]
        assert rows[0].remaining.working_days == -1
        assert selectors.clerk_queue(personas.clerk_b).count() == 0


def _finished(personas, service):  # type: ignore[no-untyped-def]
    case = f.advance_to(
        f.submit(personas.enterprise_agent_a, service), personas.clerk_a, CaseStatus.APPROVED
    )
    return actions.do_complete_case(
        personas.clerk_a, case=case, method="pickup", pickup_place="3 号窗口"
    )


def test_a_bad_rating_opens_a_follow_up_due_in_15_working_days(personas, service):
    case = _finished(personas, service)
    with pytest.raises(ValidationError) as caught:
        actions.do_rate_case(personas.enterprise_agent_a, case=case, rating=1)
    assert "comment" in caught.value.message_dict  # a bad rating says why
    with at(2025, 9, 26):
        evaluation = actions.do_rate_case(
            personas.enterprise_agent_a, case=case, rating=2, comment="窗口推诿"
        )
    follow_up = FollowUp.objects.get(evaluation=evaluation)
    # From Friday Sep 26, 2025: Sep 28 (make-up Sunday), 29, 30, then Oct 9 to 23 with the
    # make-up Saturday Oct 11: fifteen working days.
    assert follow_up.due_date == clock.calendar.add_working_days(datetime.date(2025, 9, 26), 15)
    assert follow_up.due_date == datetime.date(2025, 10, 23)
    assert follow_up.department == personas.organisations["department_a"]
    with pytest.raises(PermissionDenied):
        actions.do_close_follow_up(
            personas.clerk_b, follow_up=follow_up, action_taken="已回访申请人"
        )
    with pytest.raises(ValidationError):
        actions.do_close_follow_up(personas.clerk_a, follow_up=follow_up, action_taken="好")
    follow_up = actions.do_close_follow_up(
        personas.clerk_a, follow_up=follow_up, action_taken="已电话回访，优化了窗口分工"
    )
    assert follow_up.status == FollowUpStatus.DONE
    with pytest.raises(ValidationError):
        actions.do_close_follow_up(personas.clerk_a, follow_up=follow_up, action_taken="再办一次结")


def test_ratings_are_once_per_finished_case_by_its_applicant(personas, service):
    open_case = f.submit(personas.enterprise_agent_a, service)
    with pytest.raises(ValidationError):
        actions.do_rate_case(personas.enterprise_agent_a, case=open_case, rating=5)
    case = _finished(personas, service)
    with pytest.raises(PermissionDenied):
        actions.do_rate_case(personas.resident_b, case=case, rating=5)
    for bad in ("0", "6", "abc", None):
        with pytest.raises(ValidationError):
            actions.do_rate_case(personas.enterprise_agent_a, case=case, rating=bad)
    actions.do_rate_case(personas.enterprise_agent_a, case=case, rating=5, comment="很快")
    with pytest.raises(ValidationError) as caught:
        actions.do_rate_case(personas.enterprise_agent_a, case=case, rating=4)
    assert "已评价" in caught.value.message_dict["rating"][0]
    assert not FollowUp.objects.exists()


def test_the_department_report_counts_satisfaction_response_and_follow_ups(personas, service):
    for rating in (5, 4, 1):
        case = _finished(personas, service)
        actions.do_rate_case(
            personas.enterprise_agent_a, case=case, rating=rating, comment="评价内容"
        )
    _finished(personas, service)  # finished, not rated
    [line] = selectors.department_report(personas.clerk_a)
    assert (line.finished, line.rated, line.satisfied, line.bad) == (4, 3, 2, 1)
    assert line.response_rate == 0.75
    assert line.follow_ups_open == 1
    assert selectors.department_report(personas.clerk_b) == []


def test_clerks_are_reminded_once_a_day_of_cases_due_soon_or_overdue(personas):
    from civicgrid.applications.tasks import remind_due_cases
    from civicgrid.core.notifications.models import Notification

    service = f.item(personas.organisations["department_a"], promised=3)
    with at(2025, 11, 3):
        late = f.submit(personas.enterprise_agent_a, service)  # due Thursday Nov 6
        paused = actions.do_advance_case(
            personas.clerk_a, case=f.submit(personas.enterprise_agent_a, service)
        )
        actions.do_request_material(personas.clerk_a, case=paused, items=["补充材料"])
    with at(2025, 11, 7):
        fresh = f.submit(personas.enterprise_agent_a, service)  # due Wednesday Nov 12
        assert remind_due_cases() == 1
        assert remind_due_cases() == 0  # once a day
        [notice] = Notification.objects.filter(
            recipient=personas.clerk_a, template_code="application_due_reminder"
        )
        assert late.number in notice.body and "1 件" in notice.body
        assert not Notification.objects.filter(
            recipient=personas.clerk_b, template_code="application_due_reminder"
        ).exists()
    with at(2025, 11, 10):  # fresh is due within two working days now; late is still overdue
        assert remind_due_cases() == 2
    assert Case.objects.get(pk=fresh.pk).reminded_on == datetime.date(2025, 11, 10)
