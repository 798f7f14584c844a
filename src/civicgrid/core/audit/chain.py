"""The hash chain: a canonical serialisation of a record and the SHA-256 over it.

`hash = SHA-256(canonical JSON of the record's fields, including seq and prev_hash)`. The same
function runs when a record is written and when the chain is verified, on values as the
caller passed them and on values as the database hands them back; so every field is brought to
one form that both databases round-trip exactly:

- times as UTC with microseconds (both databases keep microseconds);
- IP addresses as their packed bytes in hex: independent of how PostgreSQL's `inet` or a
  Python version prints IPv6 (Python 3.13 changed the text of IPv4-mapped addresses);
- `details` as JSON with sorted keys. Floats with an integral value are stored as integers,
  because PostgreSQL's jsonb prints 1e16 as 10000000000000000, which reads back as an int.

Changing anything here invalidates every stored hash: add a new `FORMAT_VERSION` instead.
"""

import hashlib
import ipaddress
import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
FORMAT_VERSION = 1

# The fields covered by the hash, in the order the verifier reads them from the database.
HASHED_FIELDS = (
    "seq",
    "prev_hash",
    "created_at",
    "actor_id",
    "actor_label",
    "actor_organisation",
    "actor_role",
    "action",
    "target_type",
    "target_id",
    "division_code",
    "subject_key",
    "reason",
    "ip_address",
    "user_agent",
    "request_id",
    "details",
)


def normalize_details(value: Any, *, path: str = "details") -> Any:
    """`value` as plain JSON data that survives a database round trip unchanged.

    Raises TypeError or ValueError naming the offending path, so a caller learns at once that
    it passed a datetime or a NaN instead of finding a broken chain later.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)  # an IntEnum becomes its plain value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{path}: {value!r} cannot be stored as JSON")
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: keys must be strings, got {key!r}")
            result[key] = normalize_details(item, path=f"{path}.{key}")
        return result
    if isinstance(value, list | tuple):
        return [normalize_details(item, path=f"{path}[{i}]") for i, item in enumerate(value)]
    raise TypeError(f"{path}: {type(value).__name__} is not JSON data; convert it first")


def canonical_ip(value: str | None) -> str | None:
    if not value:
        return None
    return ipaddress.ip_address(value).packed.hex()


def canonical_time(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _document(fields: Mapping[str, Any], **placed: Any) -> str:
    """The canonical JSON text of a record given as a mapping of HASHED_FIELDS (`placed`
    replaces fields after they are brought to their canonical form)."""
    actor_id = fields["actor_id"]
    document = {name: fields[name] for name in HASHED_FIELDS}
    document.update(
        v=FORMAT_VERSION,
        seq=int(fields["seq"]),
        created_at=canonical_time(fields["created_at"]),
        actor_id=None if actor_id is None else str(actor_id),
        ip_address=canonical_ip(fields["ip_address"]),
        details=normalize_details(fields["details"]),
    )
    document.update(placed)
    return json.dumps(
        document, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )


def canonical_bytes(fields: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed for a record given as a mapping of HASHED_FIELDS."""
    return _document(fields).encode()


# What the database fills in when it appends a record itself (`canonical_template`): the JSON
# values standing in for them. JSON escapes the NUL, so the text holds `"\u0000…"`, which no
# stored text can (PostgreSQL refuses NUL in text and jsonb).
_PLACED = {"created_at": "\x00created_at", "prev_hash": "\x00prev_hash", "seq": "\x00seq"}


def canonical_template(fields: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """The canonical text of a record whose previous hash and sequence number are not known
    yet, as four pieces around them and its time: `a + time + b + prev_hash + c + seq + d` is
    the text `canonical_bytes` gives once they are (the time as `canonical_time` writes it,
    the number in decimal). Keys are sorted, so they come in that order. Lets the database
    hash the record in the statement that appends it (`audit.actions`). Raises ValueError
    for text holding a NUL, which neither database would store either."""
    text = _document({**fields, "seq": 0, "created_at": _ANY_TIME}, **_PLACED)
    marks = [json.dumps(_PLACED[name]) for name in ("created_at", "prev_hash", "seq")]
    if any(text.count(mark) != 1 for mark in marks):
        raise ValueError("audit records cannot hold a NUL character")
    first, rest = text.split(marks[0])
    second, rest = rest.split(marks[1])
    third, last = rest.split(marks[2])
    return first + '"', '"' + second + '"', '"' + third, last


_ANY_TIME = datetime(2000, 1, 1, tzinfo=UTC)  # replaced by its placeholder before it is written


def record_hash(fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(fields)).hexdigest()
