"""Residents sign in with a mobile number and a 6-digit SMS code."""

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from civicgrid.accounts.models import OneTimeCode, User
from civicgrid.accounts.one_time_codes import (
    CodeError,
    do_send_sign_in_code,
    do_verify_sign_in_code,
)
from civicgrid.core import sms
from civicgrid.core.audit.models import AuditRecord

pytestmark = pytest.mark.django_db
MOBILE = "13912345678"


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.SMS_BACKEND = "civicgrid.core.sms.LocmemSmsBackend"
    sms.outbox.clear()
    return sms.outbox


def _last_code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1].text).group(1)


def test_a_new_resident_signs_in_with_a_code_and_gets_an_account(client, outbox):
    response = client.post("/accounts/login/code/", {"mobile": "+86 139-1234-5678"})
    assert response["Location"].startswith("/accounts/login/code/verify/")
    assert outbox[-1].mobile == MOBILE
    page = client.get(response["Location"]).content.decode()
    assert "139****5678" in page and MOBILE not in page
    done = client.post("/accounts/login/code/verify/", {"code": _last_code(outbox)})
    assert done.status_code == 302
    user = User.objects.get(mobile=MOBILE)
    assert user.is_resident and not user.has_usable_password()
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditRecord.objects.filter(action="sign_in", actor=user).exists()


def test_only_hashes_of_the_number_and_code_are_stored(outbox):
    do_send_sign_in_code(raw_mobile=MOBILE, address="10.0.0.1")
    row = OneTimeCode.objects.get()
    assert MOBILE not in row.mobile_hash and _last_code(outbox) not in row.code_hash


def test_the_same_number_signs_in_to_the_same_account(outbox):
    do_send_sign_in_code(raw_mobile=MOBILE, address=None)
    first = do_verify_sign_in_code(mobile=MOBILE, code=_last_code(outbox))
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        do_send_sign_in_code(raw_mobile=MOBILE, address=None)
        again = do_verify_sign_in_code(mobile=MOBILE, code=_last_code(outbox))
    assert first.pk == again.pk
    assert User.objects.filter(is_resident=True).count() == 1


@pytest.mark.parametrize("bad", ["12345", "1391234567x", "23912345678", "010-12345678", ""])
def test_a_malformed_number_is_refused_with_a_message_and_sends_nothing(client, outbox, bad):
    response = client.post("/accounts/login/code/", {"mobile": bad})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not outbox and not OneTimeCode.objects.exists()


def test_a_code_expires_after_five_minutes(outbox):
    do_send_sign_in_code(raw_mobile=MOBILE, address=None)
    code = _last_code(outbox)
    later = timezone.now() + timedelta(minutes=5, seconds=1)
    with time_machine.travel(later), pytest.raises(CodeError, match="已过期"):
        do_verify_sign_in_code(mobile=MOBILE, code=code)


def test_five_wrong_guesses_end_the_code(outbox):
    do_send_sign_in_code(raw_mobile=MOBILE, address=None)
    code = _last_code(outbox)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(CodeError, match=f"还可尝试 {left} 次"):
            do_verify_sign_in_code(mobile=MOBILE, code=wrong)
    with pytest.raises(CodeError, match="错误次数过多"):
        do_verify_sign_in_code(mobile=MOBILE, code=wrong)
    with pytest.raises(CodeError, match="错误次数过多"):
        do_verify_sign_in_code(mobile=MOBILE, code=code)  # even the right one, now
    assert not User.objects.filter(mobile=MOBILE).exists()


def test_a_used_code_cannot_sign_in_again(outbox):
    do_send_sign_in_code(raw_mobile=MOBILE, address=None)
    code = _last_code(outbox)
    do_verify_sign_in_code(mobile=MOBILE, code=code)
    with pytest.raises(CodeError):
        do_verify_sign_in_code(mobile=MOBILE, code=code)


def test_codes_are_rate_limited_per_number(outbox):
    start = timezone.now()
    do_send_sign_in_code(raw_mobile=MOBILE, address=None)
    with pytest.raises(CodeError, match="秒后再试"):
        do_send_sign_in_code(raw_mobile=MOBILE, address=None)
    for minute in range(1, 5):
        with time_machine.travel(start + timedelta(seconds=61 * minute)):
            do_send_sign_in_code(raw_mobile=MOBILE, address=None)
    with (
        time_machine.travel(start + timedelta(minutes=6)),
        pytest.raises(CodeError, match="一小时内"),
    ):
        do_send_sign_in_code(raw_mobile=MOBILE, address=None)
    with time_machine.travel(start + timedelta(minutes=61)):
        do_send_sign_in_code(raw_mobile=MOBILE, address=None)
    assert len(outbox) == 6


def test_codes_are_rate_limited_per_address(outbox):
    for n in range(20):
        do_send_sign_in_code(raw_mobile=f"1380000{n:04d}", address="10.1.2.3")
    with pytest.raises(CodeError, match="当前网络"):
        do_send_sign_in_code(raw_mobile="13900009999", address="10.1.2.3")
    do_send_sign_in_code(raw_mobile="13900009999", address="10.1.2.4")


def test_a_wrong_code_on_the_page_is_said_and_audited(client, outbox):
    client.post("/accounts/login/code/", {"mobile": MOBILE})
    response = client.post("/accounts/login/code/verify/", {"code": "12345x"})
    assert "6 位数字" in response.content.decode()
    code = _last_code(outbox)
    client.post(
        "/accounts/login/code/verify/", {"code": "000000" if code != "000000" else "111111"}
    )
    assert AuditRecord.objects.filter(action="sign_in_failed").exists()
    assert "_auth_user_id" not in client.session


def test_the_verify_step_needs_the_first_step(client):
    assert client.get("/accounts/login/code/verify/")["Location"] == "/accounts/login/code/"


def test_staff_signing_in_by_code_still_face_their_second_factor(client, outbox, personas):
    from civicgrid.accounts.models import RoleSecurityPolicy

    RoleSecurityPolicy.objects.create(role="county_officer", require_totp=True)
    officer = personas.county_a_officer
    officer.mobile = MOBILE
    officer.save()
    client.post("/accounts/login/code/", {"mobile": MOBILE})
    response = client.post("/accounts/login/code/verify/", {"code": _last_code(outbox)})
    assert response["Location"].startswith("/accounts/totp/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db(transaction=True)
def test_one_code_submitted_twice_at_once_signs_in_once(outbox):
    do_send_sign_in_code(raw_mobile=MOBILE, address=None)
    code = _last_code(outbox)
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def submit():
        barrier.wait()
        try:
            outcomes.append(do_verify_sign_in_code(mobile=MOBILE, code=code).pk)
        except CodeError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert outcomes.count("refused") == 1
    assert User.objects.filter(mobile=MOBILE).count() == 1
