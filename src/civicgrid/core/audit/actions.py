"""Writing the audit trail: `record_audit` inside the caller's transaction, `record_audit_now`
in a transaction of its own.

How a module records a read of a person's data, e.g. a grid worker opening an unmasked ID
number (inside the action or view that shows it)::

    record_audit(
        actor=request.user,
        action=AuditAction.VIEW_UNMASKED,
        target=person,                      # or ("population.person", person.pk)
        division_code=person.division_code,
        subject_key=person.audit_subject_key,
        reason=form.cleaned_data["reason"],
        request=request,
        details={"fields": ["id_number"]},
    )

Transactions. `record_audit` joins the caller's transaction: if that rolls back, the record
rolls back with it, which is right for "created X" or "exported Y" (nothing happened, nothing
to record). Events that must be kept although the request fails or rolls back (access denied,
failed sign-in) go through `record_audit_now`, which commits its own transaction and refuses
to run inside another one.

`record_audit_many(entries)` appends many records (each given as `record_audit`'s keyword
arguments) under one lock, a few statements in all: for actions that touch many people at once,
such as an unmasked export (`AuditBatch` collects them row by row and appends a chunk at a time).

Every append locks the chain head until the surrounding transaction commits, so all audited
writes of the platform queue there. Record the audit row as the last write of an action: the
lock is then held for the shortest time, and no transaction waits for another lock while
holding it, so the chain head can never be part of a deadlock.
"""

import functools
import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from civicgrid.core.audit.chain import canonical_template, normalize_details
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.audit.models import AuditChainHead, AuditRecord
from civicgrid.core.division_codes import normalize_code
from civicgrid.core.sql_rows import cast_type, prepared_cursor

USER_AGENT_LENGTH = AuditRecord._meta.get_field("user_agent").max_length or 512
REQUEST_ID_LENGTH = AuditRecord._meta.get_field("request_id").max_length or 64

Target = models.Model | tuple[str, object] | None


def record_audit(
    *,
    actor: Any,
    action: AuditAction | str,
    target: Target = None,
    division_code: str = "",
    subject_key: str = "",
    reason: str = "",
    request: HttpRequest | None = None,
    details: Mapping[str, Any] | None = None,
    actor_label: str = "",
) -> AuditRecord:
    """Append one audit record to the chain, inside the caller's transaction if there is one.

    `actor` is a user, another principal with `audit_identity()` (an API token), or None for
    the system; `actor_label` names a non-user actor (`task:daily-report`). `target` is a model
    instance or a `(type, id)` pair. `request` supplies the IP address, user agent and request
    id. `details` must be plain JSON data. Raises ValueError/TypeError on malformed input
    before anything is written.
    """
    fields = _record_fields(
        actor=actor,
        action=action,
        target=target,
        division_code=division_code,
        subject_key=subject_key,
        reason=reason,
        request=request,
        details=details,
        actor_label=actor_label,
    )
    # No savepoint of its own inside the caller's transaction: an error here fails the
    # caller's write as a whole, which must not commit without its record anyway.
    with transaction.atomic(savepoint=False):
        return _append(fields)


def record_audit_now(**kwargs: Any) -> AuditRecord:
    """`record_audit` in its own transaction, committed before this returns.

    For events that must outlive a failing request: access denied, failed sign-in. Raises
    RuntimeError when called inside an open transaction (a durable block cannot nest), because
    a rollback of that transaction would silently take the record with it.
    """
    fields = _record_fields(**kwargs)
    with transaction.atomic(durable=True):
        return _append(fields)


# Rows per INSERT statement of record_audit_many (about 20 parameters each).
BATCH_ROWS = 200


def record_audit_many(entries: Iterable[Mapping[str, Any]]) -> int:
    """Append one record per entry (each `record_audit`'s keyword arguments, `request` aside)
    under a single lock of the chain head: one SELECT … FOR UPDATE, one multi-row INSERT per
    BATCH_ROWS records and one UPDATE of the head, instead of those three statements per
    record. For an action that reads many people's data at once — an unmasked export writes one
    record per person, as subject, so each sees it on "谁查看了我的数据". The chain is the same
    as appending them one by one. Every entry is validated before anything is written; inside
    the caller's transaction if there is one. Returns the number appended."""
    snapshots = [_record_fields(**entry) for entry in entries]
    if not snapshots:
        return 0
    with transaction.atomic(savepoint=False):
        seq, prev_hash = _locked_head()
        now = timezone.now()
        records = []
        for fields in snapshots:
            seq += 1
            record = AuditRecord(seq=seq, prev_hash=prev_hash, created_at=now, **fields)
            record.hash = prev_hash = record.compute_hash()
            records.append(record)
        for start in range(0, len(records), BATCH_ROWS):
            last = start + BATCH_ROWS >= len(records)
            _insert(*records[start : start + BATCH_ROWS], head=(seq, prev_hash) if last else None)
    return len(records)


class AuditBatch:
    """Records collected while a long job runs (an export, row by row) and appended `size` at
    a time by `record_audit_many`; call `flush()` once more at the end for the rest.

        readers = AuditBatch()
        for person in people:
            ...
            readers.add(actor=owner, action=AuditAction.EXPORT, subject_key=..., reason=...)
        readers.flush()
    """

    def __init__(self, size: int = 1000) -> None:
        self.size = size
        self.pending: list[dict[str, Any]] = []

    def add(self, **entry: Any) -> None:
        self.pending.append(entry)
        if len(self.pending) >= self.size:
            self.flush()

    def flush(self) -> None:
        record_audit_many(self.pending)
        self.pending.clear()


def _locked_head() -> tuple[int, str]:
    head = _lock_head()
    if head is None:
        # The first append ever (or after a test flush). A concurrent first appender waits on
        # the primary key and then does nothing; both go on to lock the same row.
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
        head = _lock_head()
        if head is None:  # the row just created or found: never deleted but by a test flush
            raise RuntimeError("the audit chain head is missing")
    return head


def _move_head(seq: int, last_hash: str) -> None:
    with prepared_cursor() as cursor:
        cursor.execute(_MOVE_HEAD, [seq, last_hash])


def _append(fields: dict[str, Any]) -> AuditRecord:
    """Lock the chain head, write the record after it, move the head: fixed statements in
    plain SQL, one on PostgreSQL and three on SQLite (every audited write of the platform runs
    them, many under the head's lock)."""
    if connection.vendor == "postgresql":
        record = _append_in_one_statement(fields)
        if record is not None:
            return record
    seq, prev_hash = _locked_head()
    # Taken under the lock, so times never decrease along the chain (short of the clock).
    record = AuditRecord(seq=seq + 1, prev_hash=prev_hash, created_at=timezone.now(), **fields)
    record.hash = record.compute_hash()
    _insert(record, head=(record.seq, record.hash))
    return record


def _append_in_one_statement(fields: dict[str, Any]) -> AuditRecord | None:
    """`_append` on PostgreSQL as one statement that locks the head, hashes the record and
    moves the head (`_appended_sql`): the head is then locked for that statement and the
    commit, without a round trip and the hashing in Python in between, which every audited
    write of the platform queued behind. None, having written nothing, when there is no head
    yet."""
    record = AuditRecord(seq=0, prev_hash="", created_at=timezone.now(), **fields)
    pieces = canonical_template(record.hashed_fields())
    values = [f.get_db_prep_save(f.pre_save(record, True), connection) for f in _FROM_PYTHON]
    with prepared_cursor() as cursor:
        cursor.execute(_appended_sql(), [record.created_at, *pieces, *values])
        row = cursor.fetchone()
    if row is None:
        return None  # the first append ever: `_locked_head` creates the head
    record.seq, record.prev_hash, record.hash, record.created_at = row
    record._state.adding = False
    record._state.db = connection.alias
    return record


# Filled in by `_appended_sql` rather than sent (see `chain.canonical_template`).
_FROM_DATABASE = ("seq", "prev_hash", "hash", "created_at")


@functools.cache
def _appended_sql() -> str:
    """The statement of `_append_in_one_statement`; its parameters: the time of the write,
    the four pieces of the record's canonical text, then the values of `_FROM_PYTHON`. The
    time is taken before the head is locked, so along the chain a time may precede the one
    before it by as long as a write waited for the lock (milliseconds): the order is `seq`.
    It goes into the text as `chain.canonical_time` writes it (UTC, microseconds)."""
    quote = connection.ops.quote_name
    head, records = quote(_HEAD), quote(AuditRecord._meta.db_table)
    columns = ", ".join(quote(f.column) for f in _FROM_PYTHON)
    casts = ", ".join(f"%s::{cast_type(f, connection)}" for f in _FROM_PYTHON)
    text = (
        "%s || to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        " || %s || s.prev_hash || %s || s.seq || %s"
    )
    return (
        "WITH s AS MATERIALIZED (SELECT seq + 1 AS seq, hash AS prev_hash, "  # noqa: S608 - model names
        f"%s::timestamptz AS created_at FROM {head} WHERE id = 1 FOR UPDATE), "
        f"appended AS (INSERT INTO {records} (seq, prev_hash, hash, created_at, {columns}) "
        f"SELECT s.seq, s.prev_hash, encode(sha256(convert_to({text}, 'UTF8')), 'hex'), "
        f"s.created_at, {casts} FROM s RETURNING seq, prev_hash, hash, created_at), "
        f"moved AS (UPDATE {head} SET seq = a.seq, hash = a.hash FROM appended a WHERE id = 1) "
        "SELECT seq, prev_hash, hash, created_at FROM appended"
    )


_HEAD = AuditChainHead._meta.db_table
_MOVE_HEAD = f"UPDATE {_HEAD} SET seq = %s, hash = %s WHERE id = 1"  # noqa: S608
_RECORD_FIELDS = AuditRecord._meta.concrete_fields
_FROM_PYTHON = [f for f in _RECORD_FIELDS if f.name not in _FROM_DATABASE]


def _lock_head() -> tuple[int, str] | None:
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with prepared_cursor() as cursor:
        cursor.execute(f"SELECT seq, hash FROM {_HEAD} WHERE id = 1{lock}")  # noqa: S608
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row is not None else None


def _insert(*records: AuditRecord, head: tuple[int, str] | None = None) -> None:
    """INSERT the records (one statement) as `save(force_insert=True)` would send each, and
    with `head` (seq, hash) move the chain head there: on PostgreSQL in the same statement (an
    UPDATE in its WITH), one round trip fewer for every audited write."""
    values = [
        f.get_db_prep_save(f.pre_save(record, True), connection)
        for record in records
        for f in _RECORD_FIELDS
    ]
    joined = head is not None and connection.vendor == "postgresql"
    with prepared_cursor() as cursor:
        cursor.execute(
            _insert_sql(len(records), connection.vendor, joined),
            [*head, *values] if joined and head else values,
        )
    if head is not None and not joined:
        _move_head(*head)
    for record in records:
        record._state.adding = False
        record._state.db = connection.alias


@functools.lru_cache(maxsize=64)
def _insert_sql(count: int, vendor: str, moves_head: bool) -> str:
    """The INSERT of `count` records (one, for every audited write; batches for exports),
    after the UPDATE of the head (seq, hash) when it `moves_head` (PostgreSQL only: runs a
    data-modifying WITH once whether or not the INSERT reads it)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in _RECORD_FIELDS)
    row = "(" + ", ".join(["%s"] * len(_RECORD_FIELDS)) + ")"
    moved = f"WITH moved AS ({_MOVE_HEAD}) " if moves_head else ""
    return (
        f"{moved}INSERT INTO {quote(AuditRecord._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES {', '.join([row] * count)}"
    )


def _record_fields(
    *,
    actor: Any,
    action: AuditAction | str,
    target: Target = None,
    division_code: str = "",
    subject_key: str = "",
    reason: str = "",
    request: HttpRequest | None = None,
    details: Mapping[str, Any] | None = None,
    actor_label: str = "",
) -> dict[str, Any]:
    """Validate and snapshot everything before the chain is locked."""
    target_type, target_id = _target(target)
    fields: dict[str, Any] = {
        **_actor_fields(actor, actor_label),
        "action": AuditAction(action).value,
        "target_type": target_type,
        "target_id": target_id,
        "division_code": normalize_code(division_code) if division_code else "",
        "subject_key": subject_key,
        "reason": reason.strip(),
        "details": normalize_details(dict(details or {})),
        **_request_fields(request),
    }
    for name in ("actor_label", "target_type", "target_id", "subject_key"):
        limit = getattr(AuditRecord._meta.get_field(name), "max_length", None)
        if limit is not None and len(fields[name]) > limit:
            raise ValueError(f"{name} is longer than {limit} characters: {fields[name][:40]!r}…")
    return fields


def _actor_fields(actor: Any, label: str) -> dict[str, Any]:
    if actor is None:
        return {"actor": None, "actor_label": label or "system", **_identity(None)}
    if not getattr(actor, "is_authenticated", True):
        return {"actor": None, "actor_label": label or "anonymous", **_identity(None)}
    if isinstance(actor, get_user_model()):
        return {"actor": actor, "actor_label": actor.get_username(), **_identity(actor)}
    meta = getattr(actor, "_meta", None)
    default_label = f"{meta.label_lower}:{actor.pk}" if meta is not None else str(actor)
    return {"actor": None, "actor_label": label or default_label, **_identity(actor)}


def _identity(actor: Any) -> dict[str, str]:
    identity = actor.audit_identity() if hasattr(actor, "audit_identity") else {}
    organisation = str(identity.get("organisation", ""))
    role = str(identity.get("role", ""))
    return {"actor_organisation": organisation[:200], "actor_role": role[:100]}


def _target(target: Target) -> tuple[str, str]:
    if target is None:
        return "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk)
    target_type, target_id = target
    return str(target_type), str(target_id)


def _request_fields(request: HttpRequest | None) -> dict[str, Any]:
    if request is None:
        return {"ip_address": None, "user_agent": "", "request_id": ""}
    return {
        "ip_address": _client_ip(request),
        "user_agent": request.headers.get("User-Agent", "")[:USER_AGENT_LENGTH],
        "request_id": str(getattr(request, "request_id", ""))[:REQUEST_ID_LENGTH],
    }


def _client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, as an address or None.

    Behind a reverse proxy this is the proxy; the deployment must hand the client address to
    the app in REMOTE_ADDR (X-Forwarded-For is not trusted here: any client can send it).
    """
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)
