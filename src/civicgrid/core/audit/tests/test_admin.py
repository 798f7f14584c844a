"""The audit trail in the Django admin: searchable and filterable, but read-only for everyone."""

import pytest
from django.urls import reverse

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.audit.models import AuditRecord

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:audit_auditrecord_changelist")


@pytest.fixture
def records(personas, rf):
    request = rf.get("/")
    request.request_id = "req-admin-1"
    return [
        record_audit(
            actor=personas.grid_worker_a1,
            action=AuditAction.VIEW_UNMASKED,
            subject_key="id:subject-under-test",
        ),
        record_audit(actor=personas.cdc_a, action=AuditAction.EXPORT, request=request),
    ]


def test_a_superuser_lists_searches_and_filters_records(client, personas, records):
    client.force_login(personas.admin)
    assert client.get(CHANGELIST).status_code == 200

    by_request = client.get(CHANGELIST, {"q": "req-admin-1"}).context["cl"].result_list
    assert [r.seq for r in by_request] == [records[1].seq]
    by_actor = client.get(CHANGELIST, {"q": "grid_worker_a1"}).context["cl"].result_list
    assert [r.seq for r in by_actor] == [records[0].seq]
    by_subject = client.get(CHANGELIST, {"q": "id:subject-under-test"}).context["cl"].result_list
    assert [r.seq for r in by_subject] == [records[0].seq]
    by_action = client.get(CHANGELIST, {"action__exact": "export"}).context["cl"].result_list
    assert [r.seq for r in by_action] == [records[1].seq]
    # Creating the personas granted roles, and each grant was recorded too.
    grants = client.get(CHANGELIST, {"action__exact": "permission_change"}).context["cl"]
    assert grants.result_count >= 8


def test_nobody_can_add_change_or_delete_records_in_the_admin(client, personas, records):
    client.force_login(personas.admin)
    record = records[0]
    change_url = reverse("admin:audit_auditrecord_change", args=[record.seq])

    assert client.get(reverse("admin:audit_auditrecord_add")).status_code == 403
    assert (
        client.get(reverse("admin:audit_auditrecord_delete", args=[record.seq])).status_code == 403
    )
    detail = client.get(change_url)
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.post(change_url, {"reason": "改过的事由"}).status_code == 403
    changelist = client.get(CHANGELIST)
    assert "action-checkbox" not in changelist.content.decode()  # no "delete selected"
    assert AuditRecord.objects.get(seq=record.seq).reason == ""
