"""Ed25519 signatures of certificates, and their verification offline or online.

The signed statement is the certificate's *payload*: a JSON object serialised canonically
(keys sorted, no spaces, UTF-8, `ensure_ascii=False`) — see `canonical()`. The signature covers
exactly those bytes, and both travel together, base64url without padding, in one string:

    CGC1.<base64url(payload)>.<base64url(signature)>

Why the whole statement in the QR code, not only a link: the issue asks that anyone can verify
a certificate *offline* with the published public key. A QR code holding only a URL proves
nothing without the network; one holding the statement and its signature proves, with no
connection at all, that the platform issued exactly these words (holder, masked number, key
fields, issuer, dates). The price is density. Measured on the demo certificates (their URL
included), a code is 710–1,070 characters: QR versions 22–27 at error-correction level M,
i.e. 0.47–0.58 mm modules in the PDF's 62 mm square, which phone cameras read from paper at
arm's length and from a screen at once. `MAX_QR_TEXT` caps the signed string so that, with a
URL of up to 90 characters in front, the code never passes version 28 (0.45 mm modules); the
issuing action refuses a certificate whose fields would pass it, naming the fields.
The QR code puts the string after the
platform's verification URL (`https://…/certificates/v/CGC1.…`), so a plain phone camera opens
the online check (which adds what offline cannot know: revocation), while an offline verifier
simply takes the part from `CGC1.` on (`extract()` does).

Keys come from configuration — `settings.CERTIFICATE_SIGNING_KEYS`, else the environment
variable `CIVICGRID_CERTIFICATE_KEYS` — as a comma-separated list `keyid:base64-private-key`
(the 32-byte raw Ed25519 private key, base64 or base64url, padding optional). The first key
signs; every listed key's public half verifies: that is rotation (put a new key first, keep
the old ones listed while their certificates live). Without a configured key a development
installation derives a stable key from SECRET_KEY (key id `dev-…`, announced on the public key
page); a production installation refuses to sign and fails the system check
`certificates.E001` at start-up.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "CGC1"
PAYLOAD_VERSION = 1
ENVIRONMENT_VARIABLE = "CIVICGRID_CERTIFICATE_KEYS"
# Version 28 at level M holds 1,190 bytes; 90 of them are left for the verification URL.
MAX_QR_TEXT = 1100
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_CODE = re.compile(rf"{PREFIX}\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)")


class VerificationError(Exception):
    """A code that does not verify; `code` is a `VerificationResult` value."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    private_key: Ed25519PrivateKey
    development: bool = False

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def public_text(self) -> str:
        return base64.b64encode(public_bytes(self.public_key)).decode()


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    """Base64 or base64url, with or without padding; binascii.Error when it is neither."""
    text = text.strip().replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


# --- keys --------------------------------------------------------------------------------------


def parse_keys(text: str) -> list[SigningKey]:
    """`keyid:base64-private-key,...` as signing keys; ImproperlyConfigured naming the bad one."""
    keys: list[SigningKey] = []
    for position, entry in enumerate(filter(None, (e.strip() for e in text.split(","))), 1):
        key_id, sep, secret = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                f"{ENVIRONMENT_VARIABLE} 第 {position} 项应为“密钥标识:base64 私钥”，"
                "标识只能含字母、数字、- 和 _。"
            )
        try:
            raw = unb64(secret)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32:
            raise ImproperlyConfigured(
                f"{ENVIRONMENT_VARIABLE} 中密钥 {key_id} 应为 32 字节 Ed25519 私钥的 base64 编码。"
            )
        if any(k.key_id == key_id for k in keys):
            raise ImproperlyConfigured(f"{ENVIRONMENT_VARIABLE} 中密钥标识 {key_id} 重复。")
        keys.append(SigningKey(key_id, Ed25519PrivateKey.from_private_bytes(raw)))
    return keys


def configured_key_text() -> str:
    configured = getattr(settings, "CERTIFICATE_SIGNING_KEYS", None)
    if configured:
        return str(configured)
    return os.environ.get(ENVIRONMENT_VARIABLE, "").strip()


def development_key() -> SigningKey:
    """A stable key for a development installation: derived from SECRET_KEY, never configured."""
    seed = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"civicgrid-certificates",
        info=b"development signing key",
    ).derive(settings.SECRET_KEY.encode())
    private = Ed25519PrivateKey.from_private_bytes(seed)
    fingerprint = hashlib.sha256(public_bytes(private.public_key())).hexdigest()[:8]
    return SigningKey(f"dev-{fingerprint}", private, development=True)


def signing_keys() -> list[SigningKey]:
    """Every key, the signing one first. ImproperlyConfigured in production without a key."""
    return _keys_for(configured_key_text(), settings.SECRET_KEY, is_production())


def is_production() -> bool:
    return bool(getattr(settings, "PRODUCTION", False))


@lru_cache(maxsize=4)
def _keys_for(text: str, secret_key: str, production: bool) -> list[SigningKey]:
    keys = parse_keys(text)
    if keys:
        return keys
    if production:
        raise ImproperlyConfigured(
            f"CIVICGRID_ENV=production 时必须设置 {ENVIRONMENT_VARIABLE}（电子证照签名密钥）。"
        )
    return [development_key()]


def current_key() -> SigningKey:
    return signing_keys()[0]


def public_keys() -> dict[str, str]:
    """Key id → base64 raw public key, of every key that verifies: what the platform publishes."""
    return {key.key_id: key.public_text for key in signing_keys()}


# --- payloads ----------------------------------------------------------------------------------


def canonical(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes that are signed: sorted keys, compact separators, UTF-8."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


@dataclass(frozen=True)
class SignedPayload:
    payload: bytes
    signature: bytes
    key_id: str

    @property
    def code(self) -> str:
        return f"{PREFIX}.{b64u(self.payload)}.{b64u(self.signature)}"


def sign(payload: Mapping[str, Any], key: SigningKey | None = None) -> SignedPayload:
    """Sign `payload` (which must not name its key: `kid` is added here) with the current key."""
    key = key or current_key()
    if "kid" in payload:
        raise ValueError("the payload's kid is set by sign()")
    data = canonical({**payload, "kid": key.key_id})
    return SignedPayload(data, key.private_key.sign(data), key.key_id)


def code_of(payload: str | bytes, signature: str) -> str:
    """The `CGC1.` string of a stored payload (text) and signature (base64url)."""
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    return f"{PREFIX}.{b64u(data)}.{signature}"


# --- verification ------------------------------------------------------------------------------


def extract(text: str) -> tuple[bytes, bytes]:
    """The payload and signature bytes in `text`: a bare `CGC1.` string or a URL ending in one."""
    match = _CODE.search(text or "")
    if match is None:
        raise VerificationError("malformed", "不是电子证照二维码（应含 CGC1. 开头的内容）。")
    try:
        return unb64(match.group(1)), unb64(match.group(2))
    except (binascii.Error, ValueError):
        raise VerificationError("malformed", "二维码内容不完整或已损坏。") from None


def _public_key(value: str | bytes | Ed25519PublicKey) -> Ed25519PublicKey | None:
    if isinstance(value, Ed25519PublicKey):
        return value
    try:
        raw = value if isinstance(value, bytes) else unb64(value)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        return None


def verify(
    qr_text: str, public_keys: Mapping[str, str | bytes | Ed25519PublicKey]
) -> dict[str, Any]:
    """The payload of a code whose signature verifies under one of `public_keys` (key id →
    base64 raw key, as published); VerificationError(code, Chinese message) otherwise.

    This proves only that the platform signed these words. Whether the certificate was revoked
    since, only the platform knows: `certificates.verification.check()` asks it.
    """
    payload, signature = extract(qr_text)
    try:
        document = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise VerificationError("bad_signature", "签名无效：内容已被改动。") from None
    if not isinstance(document, dict) or not isinstance(document.get("kid"), str):
        raise VerificationError("bad_signature", "签名无效：内容已被改动。")
    key = public_keys.get(document["kid"])
    public = _public_key(key) if key is not None else None
    if public is None:
        raise VerificationError(
            "unknown_key", f"签名密钥 {document['kid'][:32]} 不在公布的公钥之中，无法确认。"
        )
    try:
        public.verify(signature, payload)
    except InvalidSignature:
        raise VerificationError(
            "bad_signature", "签名无效：内容已被改动或不是本平台签发。"
        ) from None
    if document.get("v") != PAYLOAD_VERSION:
        raise VerificationError("malformed", "不支持的证照版本。")
    return document
