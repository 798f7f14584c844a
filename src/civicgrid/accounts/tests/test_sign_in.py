"""Staff sign-in: password, lockout after five failures, and the TOTP second factor."""

from datetime import timedelta

import pyotp
import pytest
import time_machine
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.utils import timezone

from civicgrid.accounts.actions import SignInError, do_check_password
from civicgrid.accounts.models import RoleSecurityPolicy, User
from civicgrid.core.testing import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client, username, password, next_url=""):
    return client.post(
        "/accounts/login/", {"username": username, "password": password, "next": next_url}
    )


def test_a_staff_member_signs_in_and_lands_on_their_workspace(client, personas):
    response = _sign_in(client, "county_a_officer", TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/workspace/"
    page = client.get("/accounts/workspace/").content.decode()
    assert "阜城县疫情防控办公室" in page and "疫情报送与统计" in page


def test_next_is_followed_only_within_this_site(client, personas):
    assert _sign_in(client, "admin", TEST_PASSWORD, "/regions/")["Location"] == "/regions/"
    client.logout()
    evil = _sign_in(client, "admin", TEST_PASSWORD, "https://evil.example/")
    assert evil["Location"] == "/accounts/workspace/"


def test_a_wrong_password_says_so_without_revealing_whether_the_user_exists(client, personas):
    wrong = _sign_in(client, "county_a_officer", "nope").content.decode()
    missing = _sign_in(client, "no_such_user", "nope").content.decode()
    assert "用户名或密码错误" in wrong and "用户名或密码错误" in missing
    assert "_auth_user_id" not in client.session


def test_five_failures_in_a_row_lock_the_account_for_fifteen_minutes(personas):
    for _ in range(4):
        with pytest.raises(SignInError, match="用户名或密码错误"):
            do_check_password(username="county_a_officer", password="bad")
    with pytest.raises(SignInError, match="锁定 15 分钟"):
        do_check_password(username="county_a_officer", password="bad")
    # Even the right password is refused while locked ...
    with pytest.raises(SignInError, match="已锁定"):
        do_check_password(username="county_a_officer", password=TEST_PASSWORD)
    # ... and accepted once the 15 minutes are over.
    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1)):
        assert do_check_password(username="county_a_officer", password=TEST_PASSWORD)
    user = User.objects.get(username="county_a_officer")
    assert user.failed_login_count == 0 and user.locked_until is None


def test_a_success_resets_the_failure_count(personas):
    for _ in range(4):
        with pytest.raises(SignInError):
            do_check_password(username="county_a_officer", password="bad")
    do_check_password(username="county_a_officer", password=TEST_PASSWORD)
    for _ in range(4):  # four more failures do not lock: the count started again
        with pytest.raises(SignInError, match="用户名或密码错误"):
            do_check_password(username="county_a_officer", password="bad")


def test_residents_cannot_use_the_staff_password_form(personas):
    personas.resident_a.set_password(TEST_PASSWORD)
    personas.resident_a.save()
    with pytest.raises(SignInError):
        do_check_password(username="resident_a", password=TEST_PASSWORD)


def test_passwords_are_hashed_with_argon2(settings, personas):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = personas.county_a_officer
    user.set_password("Another-Secret-7")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_a_required_second_factor_sends_the_user_to_enrol_then_in(client, personas):
    RoleSecurityPolicy.objects.create(role="county_officer", require_totp=True)
    response = _sign_in(client, "county_a_officer", TEST_PASSWORD)
    assert response["Location"].startswith("/accounts/totp/")
    assert "_auth_user_id" not in client.session  # not signed in yet
    page = client.get("/accounts/totp/")
    assert "<svg" in page.content.decode()  # the QR code
    secret = User.objects.get(username="county_a_officer").totp_secret
    assert client.post("/accounts/totp/", {"code": "000000"}).status_code == 200
    done = client.post("/accounts/totp/", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.county_a_officer.pk)


def test_an_enrolled_user_must_give_a_valid_code(client, personas):
    user = personas.county_a_officer
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = timezone.now()
    user.save()
    response = _sign_in(client, "county_a_officer", TEST_PASSWORD)
    assert response["Location"].startswith("/accounts/login/verify/")
    wrong = client.post("/accounts/login/verify/", {"code": "123456"})
    assert "动态口令不正确" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    right = client.post("/accounts/login/verify/", {"code": pyotp.TOTP(user.totp_secret).now()})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_five_wrong_codes_end_the_half_finished_sign_in(client, personas):
    user = personas.county_a_officer
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = timezone.now()
    user.save()
    _sign_in(client, "county_a_officer", TEST_PASSWORD)
    for _ in range(5):
        client.post("/accounts/login/verify/", {"code": "000000"})
    response = client.post("/accounts/login/verify/", {"code": pyotp.TOTP(user.totp_secret).now()})
    assert response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_the_code_step_cannot_be_reached_without_the_password_step(client, personas):
    assert client.get("/accounts/login/verify/")["Location"] == "/accounts/login/"


def test_a_forged_csrf_token_is_refused_and_signs_nobody_in(personas):
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    response = client.post(
        "/accounts/login/",
        {"username": "admin", "password": TEST_PASSWORD, "csrfmiddlewaretoken": "forged" * 6},
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_forged_session_cookie_is_just_anonymous(client, personas):
    client.cookies["sessionid"] = "forged-session-key-that-does-not-exist"
    response = client.get("/accounts/workspace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_admin_login_goes_through_the_one_sign_in_page(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_opening_the_enrolment_page_never_disables_a_working_second_factor(client, personas):
    user = personas.county_a_officer
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = timezone.now()
    user.save()
    secret = user.totp_secret
    client.force_login(user)
    page = client.get("/accounts/totp/").content.decode()
    assert "<svg" not in page and secret not in page
    user.refresh_from_db()
    assert (user.totp_secret, user.has_totp) == (secret, True)
    # Replacing it takes a POST with the current code.
    client.post("/accounts/totp/", {"action": "reset", "code": "000000"})
    user.refresh_from_db()
    assert user.totp_secret == secret
    client.post("/accounts/totp/", {"action": "reset", "code": pyotp.TOTP(secret).now()})
    user.refresh_from_db()
    assert user.totp_secret != secret and not user.has_totp


def test_a_reload_or_a_wrong_code_keeps_the_secret_already_scanned(client, personas):
    client.force_login(personas.county_a_officer)
    client.get("/accounts/totp/")
    first = User.objects.get(pk=personas.county_a_officer.pk).totp_secret
    client.get("/accounts/totp/")
    page = client.post("/accounts/totp/", {"code": "000000"}).content.decode()
    assert User.objects.get(pk=personas.county_a_officer.pk).totp_secret == first
    assert first in page and "<svg" in page
