"""Signed checkpoint tokens: what a gate's QR code carries.

A poster token `P.<checkpoint>.<version>.<mac>` is printed once and stays valid until the
checkpoint's `token_version` is raised (revocation). A tablet token
`T.<checkpoint>.<version>.<slot>.<mac>` names a 30-second slot; the gate tablet shows a new
one every slot, so a code older than `LIVE_SLOTS` slots was not read at the gate a moment ago
(a forwarded photo, say): its scan is still recorded, marked "not proven on site".

The MAC is HMAC-SHA256 under `settings.COMMUNITY_CHECKPOINT_KEY`, cut to 128 bits: a code the
platform did not issue cannot be made without the key, and it is checked in constant time.
"""

import base64
import hashlib
import hmac
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from civicgrid.community.choices import Proof
from civicgrid.community.models import Checkpoint
from civicgrid.core.crypto import parse_lookup_key

SLOT_SECONDS = 30
# The current slot and the one before: a code shown up to a minute ago still counts as live
# (the time to lift the phone, a slow network). A slot one ahead is a clock a little fast.
LIVE_SLOTS = 2
_POSTER = re.compile(r"^P\.(\d{1,12})\.(\d{1,9})\.([A-Za-z0-9_-]{22})$")
_TABLET = re.compile(r"^T\.(\d{1,12})\.(\d{1,9})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$")


class TokenError(Exception):
    """A token that must not record anything: malformed, forged or revoked."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CheckedToken:
    checkpoint: Checkpoint
    proof: str  # Proof.POSTER, LIVE or STALE
    slot: int | None


def _key() -> bytes:
    return parse_lookup_key(settings.COMMUNITY_CHECKPOINT_KEY)


def _mac(body: str) -> str:
    digest = hmac.new(_key(), b"civicgrid-checkpoint:" + body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def current_slot(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // SLOT_SECONDS)


def poster_token(checkpoint: Checkpoint) -> str:
    body = f"P.{checkpoint.pk}.{checkpoint.token_version}"
    return f"{body}.{_mac(body)}"


def tablet_token(checkpoint: Checkpoint, *, now: float | None = None) -> str:
    body = f"T.{checkpoint.pk}.{checkpoint.token_version}.{current_slot(now)}"
    return f"{body}.{_mac(body)}"


@dataclass(frozen=True)
class SignedToken:
    """What a token's signature vouches for, before the database is asked about the gate."""

    checkpoint_id: int
    version: int
    slot: int | None  # the tablet's 30-second slot; None for a poster


def verify_signature(token: str) -> SignedToken:
    """The gate, code version and slot a token names, if the platform signed it; TokenError
    (malformed or forged) otherwise. Asks nothing of the database."""
    text = (token or "").strip()
    slot: int | None = None
    if match := _POSTER.match(text):
        checkpoint_id, version, mac = match.groups()
        body = f"P.{checkpoint_id}.{version}"
    elif match := _TABLET.match(text):
        checkpoint_id, version, slot_text, mac = match.groups()
        slot = int(slot_text)
        body = f"T.{checkpoint_id}.{version}.{slot}"
    else:
        raise TokenError("malformed", _("二维码格式不正确，请重新扫描卡口的二维码"))
    if not hmac.compare_digest(_mac(body), mac):
        raise TokenError("forged", _("该二维码不是本平台签发的，请扫描社区张贴的正式二维码"))
    return SignedToken(int(checkpoint_id), int(version), slot)


def judge(
    signed: SignedToken, checkpoint: Checkpoint | None, *, now: float | None = None
) -> CheckedToken:
    """A signed token against its gate as the database has it now (None: no such gate):
    TokenError when the gate is gone or inactive or the code was revoked; else how well the
    scan proves presence."""
    if checkpoint is None or not checkpoint.is_active:
        raise TokenError("inactive", _("该卡口不存在或已停用"))
    if signed.version != checkpoint.token_version:
        raise TokenError("revoked", _("该二维码已作废，请扫描卡口处最新张贴的二维码"))
    if signed.slot is None:
        return CheckedToken(checkpoint, Proof.POSTER, None)
    age = current_slot(now) - signed.slot
    live = -1 <= age < LIVE_SLOTS
    return CheckedToken(checkpoint, Proof.LIVE if live else Proof.STALE, signed.slot)


def check_token(token: str, *, now: float | None = None) -> CheckedToken:
    """The checkpoint a token names and how well it proves presence; TokenError otherwise."""
    signed = verify_signature(token)
    checkpoint = Checkpoint.objects.filter(pk=signed.checkpoint_id).first()
    return judge(signed, checkpoint, now=now)
