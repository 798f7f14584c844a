"""`Idempotency-Key` for writes a phone may retry: a repeat returns the first response.

A client (the resident's phone scanning a gate code on a flaky connection, say) sends the same
key with each retry of one logical request. The middleware records the key, runs the request
and stores its response in ONE transaction, so the request's writes and the answer a retry
will get commit together or not at all: a crash between them cannot leave a write whose key
answers "in progress" forever, and the scan costs one commit instead of three. A retry gets
the stored response with `Idempotent-Replayed: true` and writes nothing; one that arrives while
the first is still running waits for it on the key's unique index (PostgreSQL; SQLite's single
writer waits the same way) and then gets its answer, or a 409 if it gave up waiting. The same
key with a different body is a client bug and gets 422. A 5xx response rolls everything back,
so the client may retry it. Records expire after RETENTION (`prune_idempotency_records`).

The claim and the stored answer are two fixed statements on every keyed write (a gate scan
among them), and a retry's look-up of the answer a third, so they are written as plain SQL
rather than built by the ORM each time; the values go through the model's fields as `save()`
would send them, and the answer comes back through them as the ORM would read it.
"""

import functools
import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from django.db import connection, models, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from civicgrid.core.models import IdempotencyRecord
from civicgrid.core.sql_rows import columns_of, instance_from_row, prepared_cursor

HEADER = "Idempotency-Key"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETENTION = timedelta(hours=24)
_KEY = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _principal(request: HttpRequest) -> str | None:
    """Whose key space this is, so keys of different callers never collide.

    Anonymous requests have no stable identity (many phones share one address behind a
    carrier's NAT), so for them the header is ignored rather than risk replaying one
    stranger's response to another.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return "auth:" + hashlib.sha256(authorization.encode()).hexdigest()[:40]
    return None


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update((request.method or "").encode() + b" " + request.get_full_path().encode() + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type or None
    )
    if record.location:
        response["Location"] = record.location
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    """Applies to every unsafe request that carries the header; others pass untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method not in UNSAFE_METHODS:
            return self.get_response(request)
        if not _KEY.match(key):
            return _error(
                400, "invalid_idempotency_key", "Idempotency-Key 应为 1–100 个字母、数字或 . _ : -"
            )
        principal = _principal(request)
        if principal is None:
            return self.get_response(request)
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            response = self._run_once(request, principal, key, fingerprint)
        if response is not None:
            return response
        # The key is taken: by a finished request, or by one still running that gave up the
        # wait (SQLite's busy timeout).
        existing = _taken(principal, key)
        if existing is None or existing.status_code is None:
            return _error(
                409, "request_in_progress", "相同 Idempotency-Key 的请求正在处理，请稍后重试"
            )
        if existing.fingerprint != fingerprint:
            return _error(422, "idempotency_key_reused", "Idempotency-Key 已用于另一个不同的请求")
        return _replay(existing)

    def _run_once(
        self, request: HttpRequest, principal: str, key: str, fingerprint: str
    ) -> HttpResponse | None:
        """Claim the key, run the request and keep its answer, inside the caller's transaction;
        None, having written nothing, when the key is already taken."""
        if not _claim(principal, key, request.method or "", request.path[:500], fingerprint):
            return None
        response = self.get_response(request)
        if response.status_code >= 500 or response.streaming:
            transaction.set_rollback(True)  # nothing happened: the client may try again
            return response
        _keep(principal, key, response)
        return response


_CLAIMED = (
    "principal", "key", "method", "path", "fingerprint", "content_type", "body", "location",
    "created_at",
)  # fmt: skip
_ANSWER = ("status_code", "content_type", "body", "location")


@functools.cache
def _field(name: str) -> models.Field:  # type: ignore[type-arg]
    return cast(models.Field, IdempotencyRecord._meta.get_field(name))  # type: ignore[type-arg]


@functools.cache
def _statements(vendor: str) -> tuple[str, str, str]:
    """The claim's INSERT, the answer's UPDATE and the taken key's SELECT, for the database
    `vendor` (quoting)."""
    quote = connection.ops.quote_name
    table = quote(IdempotencyRecord._meta.db_table)
    claimed = ", ".join(quote(_field(n).column) for n in _CLAIMED)
    answer = ", ".join(f"{quote(_field(n).column)} = %s" for n in _ANSWER)
    principal, key = (quote(_field(n).column) for n in ("principal", "key"))
    return (
        f"INSERT INTO {table} ({claimed}) VALUES ({', '.join(['%s'] * len(_CLAIMED))}) "  # noqa: S608 - model names
        f"ON CONFLICT ({principal}, {key}) DO NOTHING RETURNING {quote('id')}",
        f"UPDATE {table} SET {answer} WHERE {principal} = %s AND {key} = %s",  # noqa: S608
        f"SELECT {columns_of(IdempotencyRecord)} FROM {table} "  # noqa: S608
        f"WHERE {principal} = %s AND {key} = %s",
    )


def _db_values(names: tuple[str, ...], values: tuple[object, ...]) -> list[Any]:
    """`values` of the record's fields `names` as `save()` would send them."""
    return [_field(n).get_db_prep_save(v, connection) for n, v in zip(names, values, strict=True)]


def _claim(principal: str, key: str, method: str, path: str, fingerprint: str) -> bool:
    """INSERT the in-flight record (status NULL) as `objects.create()` would; False when the
    key is taken. A taken key is not an error: an error would roll the transaction back, and
    psycopg forgets every prepared statement of the connection on a rollback, which a phone's
    retries would then cost every request of that connection."""
    values = (principal, key, method, path, fingerprint, "", b"", "", timezone.now())
    with prepared_cursor() as cursor:
        cursor.execute(_statements(connection.vendor)[0], _db_values(_CLAIMED, values))
        return cursor.fetchone() is not None


def _taken(principal: str, key: str) -> IdempotencyRecord | None:
    """The record holding the key: a retry's answer (one in ten gate scans is a retry)."""
    with prepared_cursor() as cursor:
        cursor.execute(_statements(connection.vendor)[2], [principal, key])
        row = cursor.fetchone()
    return None if row is None else instance_from_row(IdempotencyRecord, row)


def _keep(principal: str, key: str, response: HttpResponse) -> None:
    """Store the answer on the claimed record (found by its unique principal and key)."""
    values = (
        response.status_code,
        response.get("Content-Type", ""),
        response.content,
        response.get("Location", "")[:500],
    )
    with prepared_cursor() as cursor:
        cursor.execute(
            _statements(connection.vendor)[1], [*_db_values(_ANSWER, values), principal, key]
        )


def prune_idempotency_records(now=None) -> int:  # type: ignore[no-untyped-def]
    """Delete records older than RETENTION; returns how many."""
    cutoff = (now or timezone.now()) - RETENTION
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
