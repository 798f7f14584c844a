"""Encryption and look-up hashes for personal data (citizen ID numbers, mobile numbers).

Most code never calls this module directly: declare a `core.protected_fields` field and it
encrypts, hashes, decrypts and masks for you. Use it for values that live outside a model field
(a task argument, an export file) and for look-ups:

    token = encrypt("id_number", "131128199001011231")      # str, safe to store
    decrypt("id_number", token)                              # "131128199001011231"
    lookup_hash("id_number", " 131128199001011231 ")        # hex HMAC of the normalised value

Encryption: AES-256-GCM. A token is base64url (no padding) of

    version (1 byte, =1) | key-id length (1 byte) | key id (ASCII) | nonce (12 bytes) | ciphertext+tag

and the associated data binds it to its *purpose* (the kind of value, "id_number" or "mobile")
and to its own header: an ID-number token pasted into a mobile column, or a token whose key id
or version was altered, fails authentication. Every failure raises `DecryptionError` with a clear
message; a flipped bit never decrypts to garbage. The purpose is the kind and not the model or
column name on purpose: renaming a model or a field must not make its data undecryptable.

Keys, from settings (see the block at the end of settings.py):
- `CIVICGRID_DATA_KEYS` = "k2:<base64url 32 bytes>,k1:<...>". The first key encrypts, every key
  decrypts, and each token names its key, so rotation is: put a new key first, restart, run
  `manage.py rotate_data_key` (re-encrypts every protected value under the new key), then
  remove the old key. Key ids: 1–16 characters of A–Z a–z 0–9 _ -.
- `CIVICGRID_LOOKUP_KEY` = base64url 32 bytes, the HMAC-SHA256 key of the look-up hashes. It is
  *not* rotated with the data keys: every stored hash depends on it, and look-ups must keep
  working while data keys change. Keep it as secret as the data keys — an ID number has so few
  possible values that anyone with this key and a hash can find the number by trying them all.
  Changing it would mean recomputing every hash from the decrypted values.

`new_key_text()` makes a key; e.g. `python -c "from civicgrid.core.crypto import new_key_text;
print('k1:' + new_key_text())"`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from civicgrid.core.masking import ProtectedValue

TOKEN_VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_AAD_PREFIX = b"civicgrid/personal-data\x00"
_LOOKUP_PREFIX = b"civicgrid/lookup\x00"


class DecryptionError(Exception):
    """A stored value that cannot be decrypted: malformed, tampered with, bound to another
    purpose, or made with a key that is no longer configured. Never a wrong plaintext."""


@dataclass(frozen=True)
class DataKeys:
    """The parsed `CIVICGRID_DATA_KEYS`: the id of the key that encrypts, and all ciphers."""

    current_id: str
    ciphers: Mapping[str, AESGCM]


def new_key_text() -> str:
    """A fresh random 32-byte key, base64url without padding."""
    return _b64encode(secrets.token_bytes(KEY_BYTES))


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """Strict base64url: any character outside the alphabet, and any non-canonical encoding
    (altered padding bits), is an error rather than silently ignored."""
    raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    if _b64encode(raw) != text:
        raise ValueError("non-canonical base64")
    return raw


def _decode_key(text: str, what: str) -> bytes:
    try:
        raw = _b64decode(text.strip().rstrip("="))
    except (ValueError, binascii.Error):
        raise ImproperlyConfigured(f"{what} 不是有效的 base64url 文本。") from None
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(f"{what} 应为 {KEY_BYTES} 字节的密钥，实际为 {len(raw)} 字节。")
    return raw


@functools.lru_cache(maxsize=16)
def parse_data_keys(text: str) -> DataKeys:
    """Parse "k2:BASE64,k1:BASE64" (the first encrypts); ImproperlyConfigured when malformed."""
    ciphers: dict[str, AESGCM] = {}
    order: list[str] = []
    for number, entry in enumerate((text or "").split(","), start=1):
        entry = entry.strip()
        if not entry:
            continue
        key_id, sep, key_text = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                f"CIVICGRID_DATA_KEYS 第 {number} 项应写成“编号:密钥”，编号为 1–16 个字母、数字、_ 或 -。"
            )
        if key_id in ciphers:
            raise ImproperlyConfigured(f"CIVICGRID_DATA_KEYS 中密钥编号 {key_id} 重复。")
        ciphers[key_id] = AESGCM(_decode_key(key_text, f"CIVICGRID_DATA_KEYS 中的密钥 {key_id}"))
        order.append(key_id)
    if not order:
        raise ImproperlyConfigured("CIVICGRID_DATA_KEYS 未配置任何密钥。")
    return DataKeys(current_id=order[0], ciphers=ciphers)


@functools.lru_cache(maxsize=16)
def parse_lookup_key(text: str) -> bytes:
    """Parse CIVICGRID_LOOKUP_KEY; ImproperlyConfigured when malformed."""
    if not (text or "").strip():
        raise ImproperlyConfigured("CIVICGRID_LOOKUP_KEY 未配置。")
    return _decode_key(text, "CIVICGRID_LOOKUP_KEY")


def _data_keys() -> DataKeys:
    return parse_data_keys(settings.CIVICGRID_DATA_KEYS)


def current_data_key_id() -> str:
    """The id of the key new values are encrypted with (the first of CIVICGRID_DATA_KEYS)."""
    return _data_keys().current_id


def _aad(purpose: str, header: bytes) -> bytes:
    if not purpose:
        raise ValueError("an encryption purpose is required")
    return _AAD_PREFIX + purpose.encode("utf-8") + b"\x00" + header


def encrypt(purpose: str, plaintext: str) -> str:
    """Encrypt `plaintext` under the current data key, bound to `purpose`."""
    return Encryptor(purpose)(plaintext)


class Encryptor:
    """`encrypt(purpose, value)` for many values: the key, token header and associated data are
    prepared once (bulk imports encrypt two values per row). A fresh random nonce per value."""

    def __init__(self, purpose: str) -> None:
        keys = _data_keys()
        key_id = keys.current_id.encode("ascii")
        self._header = bytes([TOKEN_VERSION, len(key_id)]) + key_id
        self._aad = _aad(purpose, self._header)
        self._seal = keys.ciphers[keys.current_id].encrypt

    def __call__(self, plaintext: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._seal(nonce, plaintext.encode("utf-8"), self._aad)
        return _b64encode(self._header + nonce + sealed)


def _split_token(token: object) -> tuple[bytes, str, bytes, bytes]:
    """(header, key id, nonce, sealed) of a token, or DecryptionError."""
    malformed = DecryptionError("密文格式无效：这不是 CivicGrid 加密后的值，或已被截断、改动。")
    if not isinstance(token, str) or not token.isascii():
        raise malformed
    try:
        raw = _b64decode(token)
    except (ValueError, binascii.Error):
        raise malformed from None
    if len(raw) < 2:
        raise malformed
    if raw[0] != TOKEN_VERSION:
        raise DecryptionError(f"不支持的密文版本 {raw[0]}（本程序只认识版本 {TOKEN_VERSION}）。")
    id_end = 2 + raw[1]
    key_id = raw[2:id_end].decode("ascii", errors="replace")
    if not _KEY_ID.match(key_id) or len(raw) < id_end + NONCE_BYTES + TAG_BYTES:
        raise malformed
    return raw[:id_end], key_id, raw[id_end : id_end + NONCE_BYTES], raw[id_end + NONCE_BYTES :]


def token_key_id(token: str) -> str:
    """The id of the key a token was encrypted with (without decrypting it)."""
    return _split_token(token)[1]


def decrypt(purpose: str, token: str) -> str:
    """The plaintext of `token`, which must have been encrypted for `purpose`."""
    header, key_id, nonce, sealed = _split_token(token)
    cipher = _data_keys().ciphers.get(key_id)
    if cipher is None:
        raise DecryptionError(
            f"密文使用的密钥 {key_id} 不在 CIVICGRID_DATA_KEYS 中"
            "（是否在 rotate_data_key 完成之前就删除了旧密钥？）。"
        )
    try:
        plain = cipher.decrypt(nonce, sealed, _aad(purpose, header))
    except InvalidTag:
        raise DecryptionError(
            f"密文认证失败：数据已被改动，或它不是“{purpose}”用途的密文"
            "（例如把手机号码的密文放进了身份证号码字段）。"
        ) from None
    return plain.decode("utf-8")


def _normalizer(kind: str) -> Callable[[object], str]:
    # Imported here so that settings.py can import this module to validate keys at start-up.
    from civicgrid.core.idcard import normalize_id_number
    from civicgrid.core.mobile import normalize_mobile

    normalizers: dict[str, Callable[[object], str]] = {
        "id_number": normalize_id_number,
        "mobile": normalize_mobile,
    }
    try:
        return normalizers[kind]
    except KeyError:
        raise ValueError(f"unknown kind of look-up hash: {kind!r}") from None


def lookup_hash(kind: str, value: object | ProtectedValue) -> str:
    """Hex HMAC-SHA256 of the *normalised* value, namespaced by `kind` ("id_number", "mobile").

    Raw input is normalised first, so "+86 138-1234-5678" and "13812345678" hash alike;
    invalid input raises the same ValidationError as the validators. A protected field's value
    is accepted as it is.
    """
    from civicgrid.core.masking import ProtectedValue

    if isinstance(value, ProtectedValue):
        if value.kind != kind:
            raise TypeError(f"cannot hash a protected {value.kind} as {kind}")
        plain = value.reveal()
    else:
        plain = _normalizer(kind)(value)
    key = parse_lookup_key(settings.CIVICGRID_LOOKUP_KEY)
    message = _LOOKUP_PREFIX + kind.encode("utf-8") + b"\x00" + plain.encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()
