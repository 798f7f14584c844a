"""Audit records cannot be changed or deleted: not through the ORM, not in the database."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.audit.models import AppendOnlyViolation, AuditRecord
from civicgrid.core.audit.tests.factories import append

pytestmark = pytest.mark.django_db


def test_saving_a_stored_record_again_is_refused():
    record = AuditRecord.objects.get(seq=append(1)[0].seq)
    record.reason = "改过的事由"
    with pytest.raises(AppendOnlyViolation):
        record.save()
    assert AuditRecord.objects.get(seq=record.seq).reason == "测试记录 0"


def test_deleting_or_bulk_changing_records_through_the_orm_is_refused():
    record = append(1)[0]
    with pytest.raises(AppendOnlyViolation):
        record.delete()
    with pytest.raises(AppendOnlyViolation):
        AuditRecord.objects.filter(seq=record.seq).delete()
    with pytest.raises(AppendOnlyViolation):
        AuditRecord.objects.all().update(reason="")
    with pytest.raises(AppendOnlyViolation):
        AuditRecord.objects.bulk_update([record], ["reason"])
    assert AuditRecord.objects.count() == 1


def test_the_database_refuses_to_update_a_record():
    append(1)
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditrecord SET reason = 'x' WHERE seq = 1")
    assert AuditRecord.objects.get(seq=1).reason == "测试记录 0"


def test_the_database_refuses_to_delete_a_record():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite has no DELETE trigger (it would break the test flush); the chain finds deletions"
        )
    append(1)
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditrecord WHERE seq = 1")
    assert AuditRecord.objects.filter(seq=1).exists()


def test_the_append_only_triggers_are_installed():
    # SQLite drops a table's triggers when a migration rebuilds the table: this test notices.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditrecord'::regclass"
                " AND NOT tgisinternal AND tgenabled = 'O'"
            )
            expected = {"audit_auditrecord_append_only"}
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                " AND tbl_name = 'audit_auditrecord'"
            )
            expected = {"audit_auditrecord_no_update"}
        assert {name for (name,) in cursor.fetchall()} == expected


def test_a_user_who_appears_in_the_trail_cannot_be_deleted(personas):
    record_audit(actor=personas.grid_worker_a1, action=AuditAction.VIEW)
    with pytest.raises(ProtectedError):
        personas.grid_worker_a1.delete()
