"""record_audit / record_audit_now: what a record captures, what it refuses, and transactions."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import RequestFactory

from civicgrid.core.audit.actions import (
    BATCH_ROWS,
    record_audit,
    record_audit_many,
    record_audit_now,
)
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.audit.models import AuditChainHead, AuditRecord

pytestmark = pytest.mark.django_db


def test_a_record_keeps_the_organisation_and_role_the_actor_had_at_the_time(personas):
    worker = personas.grid_worker_a1
    record = record_audit(
        actor=worker,
        action=AuditAction.VIEW_UNMASKED,
        target=("population.person", 42),
        division_code="131128100001",
        subject_key=f"user:{personas.resident_a.pk}",
        reason="入户排查核对身份",
    )
    worker.memberships.update(is_active=False)  # they leave the community committee

    stored = AuditRecord.objects.get(seq=record.seq)
    assert stored.actor == worker and stored.actor_label == "grid_worker_a1"
    assert (stored.actor_organisation, stored.actor_role) == ("示例社区居委会", "网格员")
    assert (stored.target_type, stored.target_id) == ("population.person", "42")
    assert stored.subject_key == f"user:{personas.resident_a.pk}"
    assert stored.reason == "入户排查核对身份"


def test_it_takes_the_address_user_agent_and_request_id_from_the_request(personas):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="::ffff:10.1.2.3", HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 1000
    )
    request.request_id = "req-7f3a"
    record = record_audit(actor=personas.admin, action=AuditAction.EXPORT, request=request)

    stored = AuditRecord.objects.get(seq=record.seq)
    assert stored.ip_address == "10.1.2.3"  # an IPv4-mapped address is stored as plain IPv4
    assert stored.user_agent.startswith("Mozilla/5.0") and len(stored.user_agent) == 512
    assert stored.request_id == "req-7f3a"


def test_a_model_instance_names_the_target_by_its_model_and_primary_key(personas):
    organisation = personas.organisations["county_a"]
    record = record_audit(actor=personas.admin, action=AuditAction.UPDATE, target=organisation)
    assert (record.target_type, record.target_id) == ("accounts.organisation", str(organisation.pk))


def test_the_system_and_anonymous_visitors_are_recorded_without_a_user():
    task = record_audit(actor=None, actor_label="task:daily-report", action=AuditAction.EXPORT)
    assert (task.actor, task.actor_label) == (None, "task:daily-report")
    failed = record_audit(actor=AnonymousUser(), action=AuditAction.SIGN_IN_FAILED)
    assert (failed.actor, failed.actor_label) == (None, "anonymous")
    assert record_audit(actor=None, action=AuditAction.IMPORT).actor_label == "system"


def test_an_api_token_is_recorded_with_its_organisation_but_without_a_user(personas):
    from civicgrid.accounts.actions import do_issue_api_token

    token = do_issue_api_token(
        created_by=None, organisation=personas.organisations["cdc_a"], name="流调系统"
    ).token
    record = record_audit(actor=token, action=AuditAction.LOOKUP, subject_key="user:1")
    assert record.actor is None
    assert record.actor_label == f"accounts.apitoken:{token.pk}"
    assert (record.actor_organisation, record.actor_role) == (
        "阜城县疾病预防控制中心",
        "API:流调系统",
    )


def test_a_short_division_code_is_padded_and_a_malformed_one_is_refused():
    assert record_audit(actor=None, action="view", division_code="131128").division_code == (
        "131128000000"
    )
    with pytest.raises(ValueError, match="区划代码"):
        record_audit(actor=None, action="view", division_code="13112")
    assert AuditRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"action": "peek"}, ValueError),
        ({"action": "view", "details": {"when": object()}}, TypeError),
        ({"action": "view", "details": {"temperature": float("nan")}}, ValueError),
        ({"action": "view", "details": {1: "integer key"}}, TypeError),
        ({"action": "view", "subject_key": "k" * 129}, ValueError),
    ],
    ids=["unknown action", "not JSON", "NaN", "integer key", "subject key too long"],
)
def test_malformed_input_is_refused_before_anything_is_written(arguments, error):
    with pytest.raises(error):
        record_audit(actor=None, **arguments)
    assert not AuditRecord.objects.exists()
    assert not AuditChainHead.objects.exists()


def test_the_record_rolls_back_with_the_callers_transaction():
    record_audit(actor=None, action=AuditAction.CREATE, reason="保留")
    with pytest.raises(RuntimeError, match="业务失败"), transaction.atomic():
        record_audit(actor=None, action=AuditAction.CREATE, reason="随业务回滚")
        raise RuntimeError("业务失败")

    assert list(AuditRecord.objects.values_list("reason", flat=True)) == ["保留"]
    assert AuditChainHead.objects.get().seq == 1
    assert record_audit(actor=None, action=AuditAction.CREATE).seq == 2  # no gap in the chain


def test_record_audit_now_refuses_to_run_inside_an_open_transaction():
    # Its record would vanish if that transaction rolled back: the caller must move it out.
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        record_audit_now(actor=None, action=AuditAction.ACCESS_DENIED)
    assert record_audit_now(actor=None, action=AuditAction.ACCESS_DENIED).seq == 1


def test_many_records_under_one_lock_make_the_same_unbroken_chain(personas):
    from civicgrid.core.audit.verification import verify_chain

    record_audit(actor=None, action=AuditAction.CREATE, reason="之前")
    entries = [
        {
            "actor": personas.county_a_officer,
            "action": AuditAction.EXPORT,
            "target": ("epidemic.case", "*"),
            "subject_key": f"id:{n:064x}",
            "reason": "流调导出",
            "details": {"export": 7, "unmasked": True},
        }
        for n in range(2 * BATCH_ROWS + 50)  # three INSERT statements
    ]
    assert record_audit_many(entries) == len(entries)
    record_audit(actor=None, action=AuditAction.CREATE, reason="之后")

    records = list(AuditRecord.objects.order_by("seq"))  # the personas' own records first
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    exports = [r for r in records if r.action == AuditAction.EXPORT]
    assert [r.subject_key for r in exports] == [e["subject_key"] for e in entries]
    assert exports[0].seq == records[-1].seq - len(entries)  # between "之前" and "之后"
    assert exports[0].actor == personas.county_a_officer and exports[0].actor_role
    assert all(r.hash == r.compute_hash() for r in records)
    report = verify_chain()
    assert report.broken is None and report.checked == len(records)
    assert AuditChainHead.objects.get().seq == len(records)


def test_a_malformed_entry_among_many_writes_none_of_them():
    good = {"actor": None, "action": AuditAction.EXPORT, "subject_key": "id:1"}
    with pytest.raises(ValueError):
        record_audit_many([good, good, {**good, "subject_key": "k" * 129}])
    assert not AuditRecord.objects.exists()
    assert record_audit_many([]) == 0
    assert not AuditChainHead.objects.exists()
