"""Sending text messages (SMS) through a pluggable backend chosen by `settings.SMS_BACKEND`.

    from civicgrid.core.sms import send_sms

    receipt = send_sms("13800138000", "您的验证码是 123456，5 分钟内有效。")
    if not receipt.accepted:
        ...  # receipt.error says why, receipt.retryable whether trying again may help

`send_sms` normalises the number, prefixes the signature (`settings.SMS_SIGNATURE`), calls the
backend and never raises for a failed send: a gateway that is down or a number it refuses comes
back as a receipt with `accepted=False`, so every caller records failures the same way. It does
not queue, retry or respect quiet hours; the notifications app does that on top of it, while
urgent callers (sign-in codes) call it directly.

Backends shipped here:

- `ConsoleSmsBackend` (development default): prints each text to stderr and appends it as one
  JSON line to `settings.SMS_FILE_PATH` (default `DATA_DIR / "sms-outbox.jsonl"`), where a
  developer or a browser test reads a one-time code (`read_sms_file()`).
- `FileSmsBackend`: the JSON line only.
- `LocmemSmsBackend`: keeps texts in the module-level list `civicgrid.core.sms.outbox`, like
  Django's locmem e-mail backend; tests clear it and read it.

A real gateway (Aliyun, Tencent Cloud, a provincial SMS platform) is one subclass of
`BaseSmsBackend` implementing `send(mobile, text)`; see its docstring.
"""

import json
import logging
import re
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Mainland mobile numbers: 11 digits starting 13–19. Landlines and foreign numbers cannot
# receive our texts, so they are refused before a gateway charges for trying.
MOBILE_PATTERN = re.compile(r"^1[3-9][0-9]{9}$")
_SEPARATORS = re.compile(r"[\s\-()]")


@dataclass(frozen=True)
class SmsReceipt:
    """What became of one text.

    `message_id` is the backend's id for the text (empty when nothing was accepted);
    `accepted` says whether the backend took it for delivery; `error` is a short reason when
    not; `retryable` is False for failures that trying again cannot fix (a malformed or
    blocked number), so callers do not waste retries on them.
    """

    message_id: str
    accepted: bool
    error: str = ""
    retryable: bool = True


@dataclass(frozen=True)
class SentSms:
    """One text as the in-memory and file backends record it."""

    message_id: str
    mobile: str
    text: str
    sent_at: datetime = field(default_factory=timezone.now)

    def as_json(self) -> str:
        return json.dumps(
            {
                "id": self.message_id,
                "mobile": self.mobile,
                "text": self.text,
                "sent_at": self.sent_at.isoformat(),
            },
            ensure_ascii=False,
        )


class BaseSmsBackend:
    """The interface every SMS backend implements.

    Subclass it and implement `send`. It receives a normalised 11-digit mainland number and the
    full text, signature included, and returns an `SmsReceipt`:

    - accepted: `SmsReceipt(message_id=<gateway id>, accepted=True)`;
    - refused for good (bad number, blacklisted, content rejected):
      `SmsReceipt("", accepted=False, error="...", retryable=False)`;
    - temporarily failed (throttled, gateway busy): `accepted=False, retryable=True`.

    Raising is also fine for transport errors (timeouts, connection refused): `send_sms`
    turns any exception into a retryable failed receipt. Backends are created once per send,
    so read credentials from settings or the environment in `__init__`, e.g.

        class AliyunSmsBackend(BaseSmsBackend):
            def __init__(self) -> None:
                self.key = os.environ["CIVICGRID_ALIYUN_SMS_KEY"]

            def send(self, mobile: str, text: str) -> SmsReceipt:
                reply = call_the_gateway(self.key, mobile, text)
                if reply.code == "OK":
                    return SmsReceipt(reply.biz_id, accepted=True)
                return SmsReceipt("", accepted=False, error=reply.message,
                                  retryable=reply.code in {"isv.BUSINESS_LIMIT_CONTROL"})

    Gateways that need a registered signature name as a separate field can strip
    `settings.SMS_SIGNATURE` from the front of `text`.
    """

    #: Whether texts reach real phones; the notifications app warns at start-up when
    #: production runs on a backend that does not.
    delivers_to_phones = False

    def send(self, mobile: str, text: str) -> SmsReceipt:
        raise NotImplementedError("SMS backends must implement send(mobile, text)")


# The in-memory outbox of LocmemSmsBackend. Tests clear it (`outbox.clear()`) and read it.
outbox: list[SentSms] = []


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps every text in `civicgrid.core.sms.outbox` instead of sending it. For tests."""

    def send(self, mobile: str, text: str) -> SmsReceipt:
        sms = SentSms(message_id=uuid.uuid4().hex, mobile=mobile, text=text)
        outbox.append(sms)
        return SmsReceipt(message_id=sms.message_id, accepted=True)


class FileSmsBackend(BaseSmsBackend):
    """Appends each text as one JSON line to a file (`settings.SMS_FILE_PATH` by default).

    One `write` per line in append mode, so lines from several processes do not interleave.
    """

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path if path is not None else settings.SMS_FILE_PATH)

    def send(self, mobile: str, text: str) -> SmsReceipt:
        sms = SentSms(message_id=uuid.uuid4().hex, mobile=mobile, text=text)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as file:
            file.write(sms.as_json() + "\n")
        return SmsReceipt(message_id=sms.message_id, accepted=True)


class ConsoleSmsBackend(FileSmsBackend):
    """Prints each text to stderr and appends it to the file, for development."""

    def send(self, mobile: str, text: str) -> SmsReceipt:
        receipt = super().send(mobile, text)
        print(f"[SMS → {mobile}] {text}", file=sys.stderr, flush=True)
        return receipt


def get_sms_backend() -> BaseSmsBackend:
    """A fresh instance of the configured backend (so settings overrides take effect)."""
    try:
        backend_class = import_string(settings.SMS_BACKEND)
    except ImportError as exc:
        raise ImproperlyConfigured(f"SMS_BACKEND {settings.SMS_BACKEND!r}: {exc}") from exc
    if not (isinstance(backend_class, type) and issubclass(backend_class, BaseSmsBackend)):
        raise ImproperlyConfigured(
            f"SMS_BACKEND {settings.SMS_BACKEND!r} is not a civicgrid.core.sms.BaseSmsBackend"
        )
    return backend_class()


def _clean_number(mobile: str) -> str:
    """`+86 138-0013-8000` → `13800138000`; anything else is returned stripped, unchanged.

    Numbers reaching `send_sms` were validated where they were entered (`core.mobile`); this only
    undoes harmless formatting so that a gateway never sees it.
    """
    number = _SEPARATORS.sub("", mobile or "")
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    return number


def _masked(mobile: str) -> str:
    """`13800138000` → `138****8000`: logs need not show the number."""
    if len(mobile) < 8:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"


def with_signature(text: str) -> str:
    signature = settings.SMS_SIGNATURE
    return text if text.startswith(signature) else f"{signature}{text}"


def send_sms(mobile: str, text: str) -> SmsReceipt:
    """Send `text` to `mobile` now through the configured backend; see the module docstring."""
    if not text.strip():
        raise ValueError("send_sms needs a non-empty text")
    number = _clean_number(mobile)
    if not MOBILE_PATTERN.fullmatch(number):
        return SmsReceipt("", accepted=False, error="手机号码格式不正确", retryable=False)
    backend = get_sms_backend()
    try:
        receipt = backend.send(number, with_signature(text))
    except Exception as exc:
        logger.exception("SMS to %s failed in %s", _masked(number), type(backend).__name__)
        return SmsReceipt("", accepted=False, error=f"{type(exc).__name__}: {exc}"[:500])
    if receipt.accepted:
        logger.info("SMS to %s accepted as %s", _masked(number), receipt.message_id)
    else:
        logger.warning("SMS to %s refused: %s", _masked(number), receipt.error)
    return receipt


def read_sms_file(path: Path | str | None = None) -> list[dict[str, Any]]:
    """The texts the file and console backends wrote, oldest first (for developers and tests)."""
    file = Path(path if path is not None else settings.SMS_FILE_PATH)
    if not file.exists():
        return []
    with file.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]
