"""Helpers for the audit tests: a quick way to write records, and a way around the triggers."""

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module

from django.db import connection

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.audit.models import AuditRecord

TRIGGERS = import_module("civicgrid.core.audit.migrations.0002_append_only_triggers")


def append(n: int = 1, **overrides) -> list[AuditRecord]:
    """`n` system records, each with a distinct reason."""
    fields = {"actor": None, "action": AuditAction.UPDATE, "target": ("tests.thing", 1)}
    fields.update(overrides)
    return [record_audit(reason=f"测试记录 {i}", **fields) for i in range(n)]


@contextmanager
def append_only_triggers_disabled() -> Iterator[None]:
    """What an attacker with the table owner's rights could do: switch the triggers off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred foreign-key check of rows inserted earlier in
            # this (test) transaction: run those checks now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditrecord_no_update")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("ALTER TABLE audit_auditrecord ENABLE TRIGGER USER")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                for statement in TRIGGERS.SQLITE_INSTALL:
                    cursor.execute(statement)


def tamper(sql: str, params: tuple = ()) -> None:
    with append_only_triggers_disabled(), connection.cursor() as cursor:
        cursor.execute(sql, params)
