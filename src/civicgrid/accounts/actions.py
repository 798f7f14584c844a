"""Account actions: organisations, roles, staff sign-in with lockout and TOTP, API tokens."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import ROLES_BY_ORGANISATION_TYPE
from civicgrid.accounts.models import (
    LOCKOUT_MINUTES,
    LOCKOUT_THRESHOLD,
    ApiToken,
    Membership,
    Organisation,
    RoleSecurityPolicy,
    User,
)
from civicgrid.core import division_codes
from civicgrid.core.audit.actions import record_audit, record_audit_now
from civicgrid.core.audit.choices import AuditAction
from civicgrid.regions.models import Division

TOTP_ISSUER = "CivicGrid"


class SignInError(Exception):
    """A refused sign-in; the message is safe to show (it never says whether a user exists)."""


def do_create_organisation(
    *, name: str, type: str, division: Division, credit_code: str = ""
) -> Organisation:
    """An organisation in a division; the name is unique within that division."""
    organisation = Organisation(name=name, type=type, division=division, credit_code=credit_code)
    organisation.full_clean()
    organisation.save()
    return organisation


def do_grant_role(
    *,
    user: User,
    organisation: Organisation,
    role: str,
    jurisdiction: Division | None = None,
    actor: User | None = None,
) -> Membership:
    """Give `user` a role in `organisation`, seeing `jurisdiction` (default: the organisation's).

    The role must suit the organisation's type, and the jurisdiction must lie inside the
    organisation's division: a county CDC cannot hand out sight of the whole province.
    """
    jurisdiction = jurisdiction or organisation.division
    if role not in ROLES_BY_ORGANISATION_TYPE.get(organisation.type, ()):
        raise ValidationError(
            _("“%(org)s”不能设置“%(role)s”角色")
            % {"org": organisation.name, "role": Membership(role=role).get_role_display()},
            code="role_not_allowed",
        )
    low, high = division_codes.subtree_range(organisation.division_id)
    if not low <= jurisdiction.code <= high:
        raise ValidationError(
            _("管辖区划“%(j)s”不在机构所在区划“%(d)s”范围内")
            % {"j": jurisdiction.name, "d": organisation.division.name},
            code="jurisdiction_outside_organisation",
        )
    with transaction.atomic():
        membership, _created = Membership.objects.update_or_create(
            user=user,
            organisation=organisation,
            role=role,
            defaults={"jurisdiction": jurisdiction, "is_active": True},
        )
        record_audit(
            actor=actor,
            action=AuditAction.PERMISSION_CHANGE,
            target=membership,
            division_code=jurisdiction.code,
            subject_key=f"user:{user.pk}",
            details={"granted": role, "organisation": organisation.pk},
        )
    return membership


# Verifying against this keeps a wrong username as slow as a wrong password.
_DUMMY_HASH = make_password("civicgrid-timing-equaliser")


def _record_failed_sign_in(
    user: User | None, username: str, request: HttpRequest | None, reason: str
) -> None:
    record_audit_now(
        actor=user,
        actor_label="" if user else f"unknown:{username[:40]}",
        action=AuditAction.SIGN_IN_FAILED,
        target=user,
        request=request,
        details={"reason": reason},
    )


def do_check_password(*, username: str, password: str, request: HttpRequest | None = None) -> User:
    """The user if the password is right; otherwise SignInError, counting towards a lockout.

    After LOCKOUT_THRESHOLD failures in a row the account is locked for LOCKOUT_MINUTES, during
    which even the right password is refused. The count is updated with one UPDATE, so
    concurrent wrong guesses cannot slip past the threshold.
    """
    user = User.objects.filter(username=username, is_active=True, is_resident=False).first()
    if user is None:
        make_password(password)  # equalise timing with a real check
        _record_failed_sign_in(None, username, request, "unknown_user")
        raise SignInError(_("用户名或密码错误"))
    if user.is_locked:
        _record_failed_sign_in(user, username, request, "locked")
        raise SignInError(
            _("连续登录失败次数过多，账号已锁定，请 %(minutes)d 分钟后再试")
            % {
                "minutes": max(
                    1, int((user.locked_until - timezone.now()).total_seconds() // 60) + 1
                )
            }
        )
    if not user.check_password(password):
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
            user.refresh_from_db(fields=["failed_login_count"])
            locked = user.failed_login_count >= LOCKOUT_THRESHOLD
            if locked:
                User.objects.filter(pk=user.pk).update(
                    failed_login_count=0,
                    locked_until=timezone.now() + timedelta(minutes=LOCKOUT_MINUTES),
                )
        # Raised outside the transaction: raising inside would roll the lock back.
        _record_failed_sign_in(
            user, username, request, "locked_now" if locked else "wrong_password"
        )
        if locked:
            raise SignInError(
                _("连续 %(n)d 次密码错误，账号已锁定 %(minutes)d 分钟")
                % {"n": LOCKOUT_THRESHOLD, "minutes": LOCKOUT_MINUTES}
            )
        raise SignInError(_("用户名或密码错误"))
    if user.failed_login_count or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    return user


def totp_required(user: User) -> bool:
    """Whether an administrator requires a second factor for any of the user's roles."""
    roles = set(user.roles())
    if user.is_superuser:
        roles.add("administrator")
    return RoleSecurityPolicy.objects.filter(role__in=roles, require_totp=True).exists()


def do_begin_totp_enrolment(user: User) -> str:
    """A fresh secret for `user`, not yet active until confirmed with a code."""
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed_at = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at"])
    return totp_uri(user)


def totp_uri(user: User) -> str:
    """The otpauth:// address an authenticator app scans (as a QR code)."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(
        name=user.username, issuer_name=TOTP_ISSUER
    )


def verify_totp(user: User, code: str) -> bool:
    """Check a 6-digit code, allowing one 30-second step of clock drift either way."""
    code = (code or "").strip()
    if not user.totp_secret or len(code) != 6 or not code.isdigit():
        return False
    return pyotp.TOTP(user.totp_secret).verify(code, valid_window=1)


def do_confirm_totp_enrolment(user: User, code: str) -> None:
    if not verify_totp(user, code):
        raise ValidationError(_("动态口令不正确，请查看手机上的最新 6 位数字"), code="bad_totp")
    user.totp_confirmed_at = timezone.now()
    user.save(update_fields=["totp_confirmed_at"])


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str  # shown once, never stored


def do_issue_api_token(
    *,
    created_by: User | None,
    organisation: Organisation,
    name: str,
    jurisdiction: Division | None = None,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """A bearer token for another system, seeing at most its organisation's division."""
    jurisdiction = jurisdiction or organisation.division
    low, high = division_codes.subtree_range(organisation.division_id)
    if not low <= jurisdiction.code <= high:
        raise ValidationError(_("令牌的管辖区划必须在机构所在区划范围内"), code="jurisdiction")
    token = ApiToken(
        name=name,
        organisation=organisation,
        jurisdiction=jurisdiction,
        created_by=created_by,
        expires_at=expires_at,
    )
    plaintext = token.issue_secret()
    with transaction.atomic():
        token.save()
        record_audit(
            actor=created_by,
            action=AuditAction.PERMISSION_CHANGE,
            target=token,
            division_code=jurisdiction.code,
            details={"issued_token": token.key_id},
        )
    return IssuedToken(token, plaintext)


def do_revoke_api_token(token: ApiToken, *, actor: User | None = None) -> None:
    if token.revoked_at is not None:
        return
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit(
            actor=actor,
            action=AuditAction.PERMISSION_CHANGE,
            target=token,
            division_code=token.division_code,
            details={"revoked_token": token.key_id},
        )


def authenticate_api_token(raw: str) -> ApiToken | None:
    """The usable token for a bearer string `cg_<key id>_<secret>`, recording its use.

    Every API request runs it, so the token and its organisation come from one fixed plain
    SELECT (`core.sql_rows`) rather than a query the ORM builds each time; it keeps the rule of
    `ApiToken.objects.usable()` (not revoked, not expired) in its WHERE clause."""
    from civicgrid.core.sql_rows import columns_of, database, instance_from_row, prepared_cursor

    prefix, _sep, rest = (raw or "").partition("_")
    key_id, _sep, secret = rest.partition("_")
    key_length = ApiToken._meta.get_field("key_id").max_length or 16
    if prefix != ApiToken.PREFIX or not key_id or not secret:
        return None
    if len(key_id) > key_length or not key_id.isascii() or "\x00" in key_id:
        return None  # no stored key looks like that (and PostgreSQL refuses NUL in text)
    now = timezone.now()
    db = database()
    quote = db.ops.quote_name
    sql = (
        f"SELECT {columns_of(ApiToken, 't')}, {columns_of(Organisation, 'o')} "  # noqa: S608
        f"FROM {quote(ApiToken._meta.db_table)} t JOIN {quote(Organisation._meta.db_table)} o "
        "ON o.id = t.organisation_id WHERE t.key_id = %s AND t.revoked_at IS NULL "
        "AND (t.expires_at IS NULL OR t.expires_at > %s)"
    )
    with prepared_cursor() as cursor:
        cursor.execute(sql, [key_id, db.ops.adapt_datetimefield_value(now)])
        row = cursor.fetchone()
    if row is None:
        return None
    token = instance_from_row(ApiToken, row)
    if not token.matches(secret):  # hmac.compare_digest: constant time
        return None
    token.organisation = instance_from_row(Organisation, row[len(ApiToken._meta.concrete_fields) :])
    # Write at most once a minute per token: last-used is for people, not for billing.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
