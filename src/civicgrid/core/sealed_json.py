"""JSON documents that carry personal numbers (an application's answers): every ID or mobile
number inside is stored encrypted, the rest of the document as it is.

The code that knows a value is a personal number (the form's cleaning, which knows the field's
type) marks it with `sealed(kind, value)`; a `SealedJSONField` stores each marked value as

    {"$sealed": "id_number", "token": "<AES-GCM, core.crypto>", "hash": "<look-up HMAC>"}

and hands it back on reading as a `SealedText` again: a plain `str` (the owner's own form shows
it in full, conditions compare it) that remembers its kind, so saving the document again keeps
it sealed — and reuses the token while its key is current, so an unchanged answer is not
re-encrypted. Masking for other readers stays with the code that shows it (it knows who asks).

    case.answers = {"name": "张三", "id": sealed("id_number", "131128199001011231")}
    case.save()                    # the column holds no digit of the number
    case.refresh_from_db()
    case.answers["id"]             # "131128199001011231", a SealedText of kind id_number

Dumps (dumpdata) write the stored form, pickles carry the token, and a stored form given back to
the field (loaddata) is kept as it is. `manage.py rotate_data_key` re-encrypts these tokens too.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from civicgrid.core.crypto import current_data_key_id, decrypt, encrypt, lookup_hash, token_key_id

MARK = "$sealed"


class SealedText(str):
    """A personal number inside a JSON document, to be stored encrypted."""

    kind: str
    token: str | None  # the ciphertext it was read as, if any

    def __new__(cls, kind: str, plain: str, *, token: str | None = None) -> SealedText:
        self = super().__new__(cls, plain)
        self.kind = kind
        self.token = token
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickles (cache entries, task arguments) carry ciphertext, never the plain number.
        return (_unpickle, (self.kind, encrypt(self.kind, str(self))))


def _unpickle(kind: str, token: str) -> SealedText:
    return SealedText(kind, decrypt(kind, token), token=token)


def sealed(kind: str, value: str) -> SealedText:
    """Mark an already validated and normalised number of `kind` ("id_number", "mobile")."""
    if isinstance(value, SealedText) and value.kind == kind:
        return value
    return SealedText(kind, str(value))


def is_stored_seal(value: object) -> bool:
    return isinstance(value, dict) and MARK in value and "token" in value


def seal_document(value: Any) -> Any:
    """The document as stored: every SealedText replaced by its sealed form (new containers)."""
    if isinstance(value, SealedText):
        token = value.token
        if token is None or token_key_id(token) != current_data_key_id():
            token = value.token = encrypt(value.kind, str(value))
        stored = {MARK: value.kind, "token": token}
        # A number the validators do not accept is stored, just not findable.
        with contextlib.suppress(ValidationError):
            stored["hash"] = lookup_hash(value.kind, str(value))
        return stored
    if isinstance(value, dict):
        return {key: seal_document(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [seal_document(item) for item in value]
    return value


def open_document(value: Any) -> Any:
    """The document as read: every sealed form decrypted into a SealedText (new containers).
    A token that no configured key opens raises core.crypto.DecryptionError."""
    if isinstance(value, dict):
        if is_stored_seal(value):
            kind, token = value[MARK], value["token"]
            return SealedText(kind, decrypt(kind, token), token=token)
        return {key: open_document(item) for key, item in value.items()}
    if isinstance(value, list):
        return [open_document(item) for item in value]
    return value


def reseal_document(value: Any, counts: list[int]) -> Any:
    """A stored document with every token not under the current data key re-encrypted under it
    (new containers); `counts` = [re-encrypted, already current] is added to. For key rotation;
    a token no configured key opens raises DecryptionError."""
    if isinstance(value, dict):
        if is_stored_seal(value):
            kind, token = value[MARK], value["token"]
            if token_key_id(token) == current_data_key_id():
                counts[1] += 1
                return value
            counts[0] += 1
            return {**value, "token": encrypt(kind, decrypt(kind, token))}
        return {key: reseal_document(item, counts) for key, item in value.items()}
    if isinstance(value, list):
        return [reseal_document(item, counts) for item in value]
    return value


class SealedJSONField(models.JSONField):
    """A JSONField whose `SealedText` values are stored encrypted (see the module docstring)."""

    def get_prep_value(self, value: Any) -> Any:
        return super().get_prep_value(seal_document(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return open_document(super().from_db_value(value, expression, connection))

    def value_to_string(self, obj: models.Model) -> Any:
        return seal_document(self.value_from_object(obj))
