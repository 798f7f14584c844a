"""Check-in: office staff scan the booking's QR code (or type its number) at their office."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.appointments import actions
from civicgrid.appointments.tests import factories as f
from civicgrid.core.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(f.BEFORE, tick=False):
        yield


@pytest.fixture
def booked(personas):
    hall, thing = f.world(personas)
    return f.booking(personas.resident_a, hall, thing)


def _check_in(personas, booking, *, code=None, at=None, office=None, who="clerk_a"):
    return actions.do_check_in_booking(
        personas.users[who],
        office=office or booking.office,
        code=actions.booking_token(booking) if code is None else code,
        now=at or f.at(f.MONDAY, 8, 45),
    )


def _refusal(personas, booking, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        _check_in(personas, booking, **kwargs)
    return caught.value.message_dict["code"][0]


def test_the_scanned_token_checks_the_applicant_in_and_the_name_read_is_audited(personas, booked):
    checked = _check_in(personas, booked)
    assert (checked.status, checked.checked_in_by) == ("checked_in", personas.clerk_a)
    read = AuditRecord.objects.get(details__event="checked_in")
    assert (read.action, read.subject_key) == ("view", f"user:{personas.resident_a.pk}")


def test_the_booking_number_typed_by_hand_works_too(personas, booked):
    assert _check_in(personas, booked, code=booked.number.lower()).status == "checked_in"


def test_a_second_check_in_is_refused(personas, booked):
    _check_in(personas, booked)
    assert _refusal(personas, booked).startswith("该预约已于 2026-03-02 08:45 签到")


def test_too_early_and_too_late_are_refused(personas, booked):
    assert _refusal(personas, booked, at=f.at(f.MONDAY, 8, 29)).startswith("还未到签到时间")
    assert _refusal(personas, booked, at=f.at(f.MONDAY, 9, 16)).startswith("已超过签到时间")
    assert _check_in(personas, booked, at=f.at(f.MONDAY, 9, 15)).status == "checked_in"


def test_a_booking_of_another_office_is_refused_naming_the_right_one(personas, booked):
    other = f.office(personas.organisations["department_a"], name="阜城县不动产登记中心")
    assert (
        _refusal(personas, booked, office=other)
        == f"该预约不是本大厅的，应前往“{booked.office.name}”"
    )


def test_a_cancelled_booking_is_refused(personas, booked):
    actions.do_cancel_booking(personas.resident_a, booking=booked, now=f.BEFORE)
    assert _refusal(personas, booked) == "该预约已取消"


def test_a_tampered_or_unknown_code_is_refused(personas, booked):
    token = actions.booking_token(booked)
    assert _refusal(personas, booked, code=token[:-2] + "xx") == "无法识别的预约码，请核对后重试"
    assert _refusal(personas, booked, code="YY000000AAAAAA") == "无法识别的预约码，请核对后重试"
    assert _refusal(personas, booked, code="") == "无法识别的预约码，请核对后重试"
    assert _refusal(personas, booked, code="x" * 5000) == "无法识别的预约码，请核对后重试"


def test_staff_of_another_county_cannot_check_in_here(personas, booked):
    with pytest.raises(PermissionDenied):
        _check_in(personas, booked, who="clerk_b")
    with pytest.raises(PermissionDenied):
        _check_in(personas, booked, who="resident_a")
    booked.refresh_from_db()
    assert booked.status == "booked"


def test_a_no_show_cannot_check_in_afterwards(personas, booked):
    actions.do_record_no_shows(f.at(f.MONDAY, 10))
    assert (
        _refusal(personas, booked, at=f.at(f.MONDAY, 9, 10))
        == "该预约已过时未到，已记为爽约，请重新预约"
    )
    assert datetime.date(2026, 3, 2) == f.MONDAY
