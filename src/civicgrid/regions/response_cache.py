"""Rendered API responses for division data, kept in each process for a few minutes.

Division codes change once a year, by an import; reading them is the hottest public path
(every page that picks a place asks for children). Building the SQL and validating the
schema costs more than the rows, so the JSON bytes are kept per URL for TTL_SECONDS. An import
clears this process's cache at once; other processes see the change within TTL_SECONDS.
"""

import time
from collections.abc import Callable

TTL_SECONDS = 300
MAX_ENTRIES = 20_000  # ~56,000 divisions in Hebei; keep the hot part, not all of it

_entries: dict[str, tuple[float, bytes]] = {}


def cached_bytes(key: str, build: Callable[[], bytes]) -> bytes:
    now = time.monotonic()
    hit = _entries.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    body = build()
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[key] = (now + TTL_SECONDS, body)
    return body


def clear() -> None:
    _entries.clear()
