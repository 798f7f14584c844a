"""The working-day calendar: the package's official years, administrator-entered years, the
weekday fallback with its warning, negative ranges and cache invalidation."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.workdays import calendar
from civicgrid.core.workdays.actions import do_enter_calendar_year
from civicgrid.core.workdays.choices import DayKind
from civicgrid.core.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

YEAR_2027 = """
# 国务院办公厅关于2027年部分节假日安排的通知（示例）
2027-01-01 holiday 元旦
2027-02-06 holiday 春节
2027-02-07 休 春节
2027-02-08 holiday 春节
2027-02-09 holiday 春节
2027-02-10 holiday 春节
2027-02-11 holiday 春节
2027-02-12 holiday 春节
2027-02-20 workday 春节调休
"""


def test_spring_festival_2026_is_a_holiday_and_its_make_up_saturdays_are_working_days():
    # 2026: off 15–23 February; Saturday 14 and Saturday 28 February are working days.
    for day in range(15, 24):
        assert not calendar.is_working_day(date(2026, 2, day)), day
    assert calendar.is_working_day(date(2026, 2, 14))  # a Saturday
    assert calendar.is_working_day(date(2026, 2, 28))  # a Saturday
    assert calendar.is_working_day(date(2026, 1, 4))  # a Sunday after New Year
    # Friday 13 February + 1 working day: Saturday 14 (make-up); + 2: Tuesday 24 after the break.
    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert calendar.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6


def test_national_day_2026_counts_nothing_from_the_first_to_the_seventh():
    assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 7)) == 0
    assert calendar.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert calendar.is_working_day(date(2026, 10, 10))  # make-up Saturday
    assert not calendar.is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    assert calendar.deadline_warning(date(2026, 10, 8)) is None


def test_fifteen_working_days_over_national_day():
    # From Wednesday 23 September 2026: Mid-Autumn (25 September) and National Day (1–7
    # October) take six weekdays; Saturday 10 October is a make-up working day.
    due = calendar.add_working_days(date(2026, 9, 23), 15)
    assert calendar.working_days_between(date(2026, 9, 23), due) == 15
    assert calendar.is_working_day(due)
    assert due == date(2026, 10, 21)


def test_a_year_nobody_entered_counts_monday_to_friday_and_warns():
    assert 2030 not in calendar.known_years()
    assert calendar.is_working_day(date(2030, 1, 1))  # a Tuesday; New Year is not known
    assert not calendar.is_working_day(date(2030, 1, 5))  # a Saturday
    assert calendar.add_working_days(date(2030, 1, 4), 1) == date(2030, 1, 7)
    assert calendar.working_days_between(date(2030, 1, 1), date(2030, 1, 31)) == 22
    warning = calendar.deadline_warning(date(2030, 3, 1))
    assert warning is not None and "2030" in warning and "尚未录入" in warning
    # Crossing from a known year into an unknown one still computes.
    assert calendar.add_working_days(date(2026, 12, 30), 3) == date(2027, 1, 4)


def test_an_administrator_entered_year_is_known_and_its_holidays_count(personas):
    entered = do_enter_calendar_year(
        actor=personas.admin, year=2027, text=YEAR_2027, source="国办发明电〔2026〕X号"
    )
    assert entered.year == 2027 and 2027 in calendar.known_years()
    assert not calendar.is_working_day(date(2027, 1, 1))  # a Friday, now 元旦
    assert not calendar.is_working_day(date(2027, 2, 8))
    assert calendar.is_working_day(date(2027, 2, 20))  # make-up Saturday
    assert calendar.deadline_warning(date(2027, 6, 1)) is None
    # Thursday 31 December 2026 + 1: Monday 4 January 2027 (1 January now off).
    assert calendar.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    assert CalendarDay.objects.filter(date__year=2027).count() == 9
    assert AuditRecord.objects.filter(action="import", target_type="workdays.calendaryear").exists()


def test_entering_a_year_again_replaces_its_days():
    do_enter_calendar_year(actor=None, year=2027, text=YEAR_2027)
    do_enter_calendar_year(actor=None, year=2027, text="2027-01-01 holiday 元旦")
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [date(2027, 1, 1)]
    assert calendar.is_working_day(date(2027, 2, 8))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-13-01 holiday 元旦", "第 1 行：日期“2027-13-01”无效"),
        ("2027-01-01 vacation 元旦", "第 1 行：类型“vacation”无效"),
        ("2028-01-01 holiday 元旦", "第 1 行：日期不在 2027 年内"),
        ("2027-01-01 holiday 元旦\n2027-01-01 workday 元旦", "第 2 行：日期 2027-01-01 重复"),
        ("2027-01-01", "第 1 行：格式应为"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_entered(text, message):
    do_enter_calendar_year(actor=None, year=2027, text="2027-05-03 holiday 劳动节")
    with pytest.raises(ValidationError) as caught:
        do_enter_calendar_year(actor=None, year=2027, text=text + "\n2027-10-01 holiday 国庆节")
    assert any(message in m for m in caught.value.messages), caught.value.messages
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [date(2027, 5, 3)]


def test_an_announcement_without_a_date_is_refused():
    with pytest.raises(ValidationError, match="没有可录入的日期"):
        do_enter_calendar_year(actor=None, year=2027, text="# only a comment\n\n")
    with pytest.raises(ValidationError, match="年份须在"):
        do_enter_calendar_year(actor=None, year=1999, text="1999-01-01 holiday 元旦")
    assert not CalendarYear.objects.exists()


def test_an_entered_day_overrides_the_package():
    assert calendar.is_working_day(date(2026, 3, 2))
    CalendarDay.objects.create(date=date(2026, 3, 2), kind=DayKind.HOLIDAY, name="本地停工")
    assert not calendar.is_working_day(date(2026, 3, 2))
    assert 2026 in calendar.known_years()


def test_negative_ranges_and_steps():
    start, end = date(2026, 2, 13), date(2026, 2, 28)
    assert calendar.working_days_between(end, start) == -6
    assert calendar.working_days_between(start, start) == 0
    assert calendar.add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert calendar.add_working_days(date(2026, 2, 24), -2) == date(2026, 2, 13)
    assert calendar.add_working_days(date(2026, 2, 24), 0) == date(2026, 2, 24)
    # Going back and forth agree, across years and beyond the table.
    for start in (date(2026, 1, 5), date(2030, 6, 3), date(2100, 3, 1), date(1999, 12, 1)):
        later = calendar.add_working_days(start, 40)
        assert calendar.working_days_between(start, later) == 40
        assert calendar.add_working_days(later, -40) == start
        assert calendar.working_days_between(later, start) == -40


def test_the_table_agrees_with_counting_day_by_day():
    snapshot = calendar.current()
    start = date(2025, 11, 1)
    for offset in range(0, 500, 7):
        end = start + timedelta(days=offset)
        slow = sum(snapshot.is_working_day(start + timedelta(days=n)) for n in range(1, offset + 1))
        assert snapshot.working_days_between(start, end) == slow


def test_the_batch_helpers_answer_like_the_single_ones():
    starts = [date(2026, 2, 13), date(2026, 9, 23), date(2030, 1, 4)]
    assert calendar.add_working_days_many(starts, 15) == [
        calendar.add_working_days(s, 15) for s in starts
    ]
    assert calendar.add_working_days_many(starts, [1, 2, 3])[2] == date(2030, 1, 9)
    pairs = [(s, s + timedelta(days=30)) for s in starts]
    assert calendar.working_days_between_many(pairs) == [
        calendar.working_days_between(s, e) for s, e in pairs
    ]
    with pytest.raises(ValueError):
        calendar.add_working_days_many(starts, [1])


def test_an_admin_edit_invalidates_the_cache(client, personas):
    day = date(2026, 3, 3)
    assert calendar.is_working_day(day)
    client.force_login(personas.admin)
    response = client.post(
        reverse("admin:workdays_calendarday_add"),
        {"date": day.isoformat(), "kind": "holiday", "name": "临时放假"},
    )
    assert response.status_code == 302
    assert not calendar.is_working_day(day)
    entered = CalendarDay.objects.get(date=day)
    response = client.post(
        reverse("admin:workdays_calendarday_delete", args=[entered.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert calendar.is_working_day(day)
    assert AuditRecord.objects.filter(target_type="workdays.calendarday", action="delete").exists()


def test_a_change_by_another_process_is_seen_through_the_version():
    day = date(2026, 3, 4)
    calendar.current()
    # bulk_create and update send no signal, like a write by another process; the version (row
    # counts and last update times) still changes.
    CalendarDay.objects.bulk_create([CalendarDay(date=day, kind=DayKind.HOLIDAY)])
    assert not calendar.is_working_day(day)
    later = timezone.now() + timedelta(seconds=1)
    CalendarDay.objects.filter(date=day).update(kind=DayKind.WORKDAY, updated_at=later)
    assert calendar.is_working_day(day)
    CalendarDay.objects.filter(date=day).delete()
    CalendarYear.objects.bulk_create([CalendarYear(year=2031)])
    assert 2031 in calendar.known_years()


def test_the_bulk_admin_form_enters_a_year_and_names_a_bad_line(client, personas):
    client.force_login(personas.admin)
    url = reverse("admin:workdays_calendaryear_enter")
    assert client.get(url).status_code == 200
    response = client.post(url, {"year": 2027, "text": "2027-01-01 holday 元旦", "source": ""})
    assert response.status_code == 200
    assert "第 1 行：类型“holday”无效" in response.content.decode()
    assert not CalendarYear.objects.exists()
    response = client.post(url, {"year": 2027, "text": YEAR_2027, "source": "通知"})
    assert response.status_code == 302
    assert not calendar.is_working_day(date(2027, 2, 9))


def test_staff_who_are_not_administrators_cannot_open_the_bulk_form(client, personas):
    client.force_login(personas.clerk_a)
    response = client.get(reverse("admin:workdays_calendaryear_enter"))
    assert response.status_code in (302, 403)
    assert not CalendarYear.objects.exists()


def test_the_management_command_enters_a_year(tmp_path):
    announcement = tmp_path / "2027.txt"
    announcement.write_text(YEAR_2027, encoding="utf-8")
    call_command("enter_workday_year", "2027", str(announcement))
    assert 2027 in calendar.known_years()
    announcement.write_text("2027-02-30 holiday 春节", encoding="utf-8")
    with pytest.raises(CommandError, match="第 1 行"):
        call_command("enter_workday_year", "2027", str(announcement))
    assert CalendarDay.objects.filter(date__year=2027).count() == 9


def test_inside_a_request_the_version_is_read_once():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    calendar.current()
    # What the request_started / request_finished signals call (sending the real signals
    # would also close the test's database connection).
    calendar._on_request_started()
    try:
        with CaptureQueriesContext(connection) as captured:
            for n in range(50):
                calendar.add_working_days(date(2026, 1, 5) + timedelta(days=n), 15)
        assert len(captured) == 1
    finally:
        calendar._on_request_finished()
    with CaptureQueriesContext(connection) as captured:
        calendar.is_working_day(date(2026, 1, 5))
        calendar.is_working_day(date(2026, 1, 6))
    assert len(captured) == 2  # outside a request every call checks
