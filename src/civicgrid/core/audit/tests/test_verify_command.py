"""verify_audit_chain finds records changed, removed or rewritten behind the application's back."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from civicgrid.core.audit.chain import record_hash
from civicgrid.core.audit.models import AuditChainHead, AuditRecord
from civicgrid.core.audit.tests.factories import append, tamper

pytestmark = pytest.mark.django_db


def verify(*args: str) -> tuple[str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("verify_audit_chain", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_an_intact_chain_verifies_and_prints_its_head_to_keep_as_an_anchor():
    records = append(5)
    out, _ = verify()
    assert "审计链完整：共 5 条记录" in out
    assert f"链末端 5:{records[-1].hash}" in out


def test_an_empty_trail_verifies():
    out, _ = verify()
    assert "共 0 条记录" in out


def test_the_walk_reads_in_batches_and_shows_its_progress():
    append(7)
    out, err = verify("--batch-size", "3")
    assert "共 7 条记录" in out
    assert "校验中 100% 7/7" in err  # not a terminal: a line per tenth instead of a bar


def test_a_field_changed_in_the_database_is_found_with_its_sequence_number():
    append(4)
    tamper("UPDATE audit_auditrecord SET reason = %s WHERE seq = 2", ("改过的事由",))

    with pytest.raises(CommandError, match="序号 2 处断裂：记录内容与其摘要不符") as caught:
        verify()
    assert caught.value.returncode == 1
    stored = AuditRecord.objects.get(seq=2)
    assert f"实为 {stored.hash}" in str(caught.value)  # expected vs found, both printed
    assert f"应为 {stored.compute_hash()}" in str(caught.value)


def test_a_deleted_record_in_the_middle_is_found():
    append(5)
    tamper("DELETE FROM audit_auditrecord WHERE seq = 3")

    with pytest.raises(CommandError, match="序号 3 处断裂：记录缺失；应为 #3，实为 #4"):
        verify()


def test_deleting_the_newest_records_is_found_through_the_chain_head():
    append(5)
    tamper("DELETE FROM audit_auditrecord WHERE seq >= 4")

    with pytest.raises(CommandError, match="序号 4 处断裂：记录缺失"):
        verify()


def test_a_changed_record_given_a_fresh_hash_breaks_the_link_to_the_next_one():
    append(4)
    forged = AuditRecord.objects.get(seq=2)
    forged.reason = "伪造的事由"
    tamper(
        "UPDATE audit_auditrecord SET reason = %s, hash = %s WHERE seq = 2",
        (forged.reason, record_hash(forged.hashed_fields())),
    )

    with pytest.raises(CommandError, match="序号 3 处断裂：与前一条记录的链接断开"):
        verify()


def test_a_chain_rewritten_to_its_end_is_caught_only_by_an_anchor_kept_outside():
    records = append(3)
    anchor = f"3:{records[-1].hash}"
    # A thorough forger rewrites the last record, recomputes its hash and moves the head.
    forged = AuditRecord.objects.get(seq=3)
    forged.reason = "伪造的事由"
    forged_hash = record_hash(forged.hashed_fields())
    tamper(
        "UPDATE audit_auditrecord SET reason = %s, hash = %s WHERE seq = 3",
        (forged.reason, forged_hash),
    )
    AuditChainHead.objects.filter(pk=1).update(hash=forged_hash)

    verify()  # consistent inside the database
    with pytest.raises(CommandError, match="序号 3 处断裂：与外部保存的锚点摘要不符"):
        verify("--anchor", anchor)


def test_a_malformed_anchor_is_refused():
    with pytest.raises(CommandError, match="--anchor"):
        verify("--anchor", "3:abc")


def test_records_without_a_chain_head_are_reported():
    append(2)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditchainhead")
    with pytest.raises(CommandError, match="链末端与最后一条记录不符"):
        verify()
