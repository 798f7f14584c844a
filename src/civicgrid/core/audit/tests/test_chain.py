"""The hash chain: numbering, links, and hashes that survive a round trip through the database."""

import pytest
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.chain import GENESIS_HASH, canonical_bytes
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.audit.models import AuditChainHead, AuditRecord
from civicgrid.core.audit.tests.factories import append

pytestmark = pytest.mark.django_db


def test_records_are_numbered_in_order_and_each_links_to_the_hash_of_the_one_before():
    first, second, third = append(3)
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (3, third.hash)


def test_the_hash_covers_every_field_and_the_link():
    record = append(1)[0]
    assert record.compute_hash() == record.hash
    for field, value in [
        ("reason", "改过的事由"),
        ("prev_hash", "f" * 64),
        ("seq", 9),
        ("actor_role", "x"),
    ]:
        changed = AuditRecord.objects.get(seq=record.seq)
        setattr(changed, field, value)
        assert changed.compute_hash() != record.hash, field


def test_a_record_read_back_from_the_database_has_the_hash_it_was_written_with(personas):
    request = RequestFactory().get("/", REMOTE_ADDR="2001:0DB8:0000::0001", HTTP_USER_AGENT="测试")
    details = {
        "fields": ["id_number", "phone"],
        "count": 3,
        "ratio": 0.1,
        "tiny": 1.5e-10,
        "whole": 1e16,  # PostgreSQL's jsonb prints it as an integer
        "big": 2**70,
        "nested": {"b": [True, None, "河北"], "a": {"z": 1, "y": 2}},
    }
    record = record_audit(
        actor=personas.cdc_a,
        action=AuditAction.EXPORT,
        target=("epidemic.case", "C-2020-001"),
        division_code="131128000000",
        subject_key="person:3f2a",
        reason="流调导出",
        request=request,
        details=details,
    )
    stored = AuditRecord.objects.get(seq=record.seq)
    assert canonical_bytes(stored.hashed_fields()) == canonical_bytes(record.hashed_fields())
    assert stored.compute_hash() == stored.hash == record.hash
    assert stored.details["whole"] == 10**16 and stored.details["ratio"] == 0.1


def test_times_of_records_written_one_after_another_never_go_backwards():
    records = append(5)
    assert [r.created_at for r in records] == sorted(r.created_at for r in records)


def test_postgresql_locks_hashes_and_appends_in_one_statement():
    """Every audited write of the platform queues on the head's lock, held to the commit: on
    PostgreSQL the record is hashed by the statement that locks the head, so no round trip
    and no hashing in Python happens under the lock. The hash is the one Python computes."""
    append(1)  # the head exists from the first append on
    with CaptureQueriesContext(connection) as queries:
        record = append(1, details={"文本": '河北 "引号" \\ 反斜杠', "n": [1.5, None]})[0]
    assert len(queries) == (1 if connection.vendor == "postgresql" else 3)
    stored = AuditRecord.objects.get(seq=record.seq)
    assert stored.compute_hash() == stored.hash == record.hash
    assert (stored.prev_hash, stored.created_at) == (record.prev_hash, record.created_at)
    assert AuditChainHead.objects.get().hash == record.hash


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite stores a NUL")
def test_a_value_that_reads_as_a_placeholder_of_the_template_is_refused_unwritten():
    append(1)
    with pytest.raises(ValueError, match="NUL"), transaction.atomic():
        append(1, details={"x": "\x00seq"})  # the text the statement's `seq` replaces
    assert AuditRecord.objects.count() == 1


def test_the_admin_view_of_a_record_is_its_reason_and_action():
    record = record_audit(actor=None, action=AuditAction.DELETE, target=("x.y", 5))
    assert str(record) == "#1 删除 x.y:5"
