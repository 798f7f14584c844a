"""Sign-in by mobile number and a 6-digit one-time code, mainly for residents.

Codes expire after CODE_MINUTES, allow MAX_ATTEMPTS guesses, and are rate-limited per number
and per client address. Only a keyed hash of the number and of the code is stored. The text
goes out through the SMS backend (`core.sms`) at once: sign-in codes ignore quiet hours.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import OneTimeCode, User
from civicgrid.core.crypto import lookup_hash
from civicgrid.core.mobile import normalize_mobile
from civicgrid.core.sms import send_sms

CODE_MINUTES = 5
MAX_ATTEMPTS = 5
RESEND_SECONDS = 60
PER_NUMBER_PER_HOUR = 5
PER_ADDRESS_PER_HOUR = 20


class CodeError(Exception):
    """The code could not be sent or was not accepted; the message is for the user."""


def _code_hash(mobile_hash: str, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{mobile_hash}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def do_send_sign_in_code(*, raw_mobile: str, address: str | None) -> str:
    """Send a fresh code to the number; returns the normalised number.

    Raises ValidationError for a malformed number and CodeError when a limit is reached.
    """
    mobile = normalize_mobile(raw_mobile)
    mobile_hash = lookup_hash("mobile", mobile)
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    with transaction.atomic():
        recent = OneTimeCode.objects.filter(mobile_hash=mobile_hash, created_at__gte=hour_ago)
        latest = recent.order_by("-created_at").first()
        if latest and (now - latest.created_at).total_seconds() < RESEND_SECONDS:
            wait = RESEND_SECONDS - int((now - latest.created_at).total_seconds())
            raise CodeError(_("验证码已发送，请 %(s)d 秒后再试") % {"s": wait})
        if recent.count() >= PER_NUMBER_PER_HOUR:
            raise CodeError(_("该号码一小时内获取验证码次数过多，请稍后再试"))
        if (
            address
            and OneTimeCode.objects.filter(address=address, created_at__gte=hour_ago).count()
            >= PER_ADDRESS_PER_HOUR
        ):
            raise CodeError(_("当前网络获取验证码次数过多，请稍后再试"))
        code = f"{secrets.randbelow(1_000_000):06d}"
        OneTimeCode.objects.create(
            mobile_hash=mobile_hash,
            code_hash=_code_hash(mobile_hash, code),
            expires_at=now + timedelta(minutes=CODE_MINUTES),
            address=address,
        )
    receipt = send_sms(
        mobile,
        _("您的登录验证码是 %(code)s，%(m)d 分钟内有效。请勿告诉他人。")
        % {"code": code, "m": CODE_MINUTES},
    )
    if not receipt.accepted:
        raise CodeError(_("短信发送失败，请稍后再试"))
    return mobile


def do_verify_sign_in_code(*, mobile: str, code: str) -> User:
    """The user for `mobile` if `code` is right, creating a resident account on first sign-in.

    The code is consumed by a conditional UPDATE, so two simultaneous submissions of one code
    sign in once; every wrong guess counts, and the fifth ends the code.
    """
    mobile_hash = lookup_hash("mobile", normalize_mobile(mobile))
    code = (code or "").strip()
    current = (
        OneTimeCode.objects.filter(mobile_hash=mobile_hash, consumed_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if current is None or current.expires_at <= timezone.now():
        raise CodeError(_("验证码已过期，请重新获取"))
    if current.attempts >= MAX_ATTEMPTS:
        raise CodeError(_("验证码错误次数过多，请重新获取"))
    if not hmac.compare_digest(current.code_hash, _code_hash(mobile_hash, code)):
        OneTimeCode.objects.filter(pk=current.pk).update(attempts=F("attempts") + 1)
        left = MAX_ATTEMPTS - current.attempts - 1
        if left <= 0:
            raise CodeError(_("验证码错误次数过多，请重新获取"))
        raise CodeError(_("验证码不正确，还可尝试 %(n)d 次") % {"n": left})
    with transaction.atomic():
        claimed = OneTimeCode.objects.filter(pk=current.pk, consumed_at__isnull=True).update(
            consumed_at=timezone.now()
        )
        if not claimed:
            raise CodeError(_("验证码已使用，请重新获取"))
        user = User.objects.filter(mobile_hash=mobile_hash).first()
        if user is None:
            user = User(
                username=f"m{mobile_hash[:20]}", is_resident=True, password=make_password(None)
            )
            user.mobile = mobile
            user.save()
    if not user.is_active:
        raise CodeError(_("该账号已停用"))
    return user
