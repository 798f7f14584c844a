"""The staff audit search at /audit/: superusers only for now, filters that use indexes."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.audit.selectors import PAGE_SIZE

pytestmark = pytest.mark.django_db
URL = reverse("audit:record_list")


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


@pytest.mark.parametrize("persona", ["province_officer", "county_a_admin", "resident_a"])
def test_everyone_but_superusers_is_refused_and_the_attempt_is_recorded(client, personas, persona):
    client.force_login(personas.users[persona])
    assert client.get(URL).status_code == 403
    denied = AuditRecord.objects.get(action=AuditAction.ACCESS_DENIED)
    assert (denied.action, denied.actor) == (AuditAction.ACCESS_DENIED, personas.users[persona])
    assert (denied.target_type, denied.target_id) == ("page", URL)


def test_a_superuser_sees_the_newest_records_first(client, personas):
    record_audit(actor=personas.grid_worker_a1, action=AuditAction.VIEW_UNMASKED, reason="较早")
    record_audit(actor=personas.cdc_a, action=AuditAction.EXPORT, reason="较晚")
    client.force_login(personas.admin)
    body = client.get(URL).content.decode()
    assert "审计记录" in body
    assert body.index("较晚") < body.index("较早")
    assert "grid_worker_a1" in body and "示例社区居委会" in body  # staff see who it was


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "export"}, {"导出名单"}),
        ({"actor": "grid_worker_a1"}, {"核对身份", "修改住址"}),
        ({"subject_key": "user:777"}, {"核对身份"}),
        ({"target_type": "epidemic.case", "target_id": "C-1"}, {"导出名单"}),
        ({"request_id": "req-abc"}, {"修改住址"}),
        ({"division_code": "131128"}, {"核对身份", "导出名单"}),  # the county and below
        ({"division_code": "131127"}, {"景县的记录"}),
    ],
)
def test_filters_narrow_the_list(client, personas, rf, query, expected):
    request = rf.get("/")
    request.request_id = "req-abc"
    worker = personas.grid_worker_a1
    record_audit(
        actor=worker,
        action="view_unmasked",
        subject_key="user:777",
        division_code="131128100001",
        reason="核对身份",
    )
    record_audit(actor=worker, action="update", request=request, reason="修改住址")
    record_audit(
        actor=personas.cdc_a,
        action="export",
        target=("epidemic.case", "C-1"),
        division_code="131128",
        reason="导出名单",
    )
    record_audit(
        actor=personas.county_b_officer, action="view", division_code="131127", reason="景县的记录"
    )

    client.force_login(personas.admin)
    page = client.get(URL, query).context["page"]
    # Records of the personas' role grants (no reason) are not what these filters are about.
    assert {r.reason for r in page.items if r.action != AuditAction.PERMISSION_CHANGE} == expected


def test_dates_are_whole_days_in_local_time(client, personas):
    with time_machine.travel(datetime(2020, 2, 10, 15, 30, tzinfo=UTC)):
        record_audit(actor=None, action="view", reason="北京时间2月10日23:30")
    with time_machine.travel(datetime(2020, 2, 10, 16, 30, tzinfo=UTC)):
        record_audit(actor=None, action="view", reason="北京时间2月11日00:30")
    client.force_login(personas.admin)

    def reasons(**query):
        items = client.get(URL, query).context["page"].items
        return {r.reason for r in items if r.action != AuditAction.PERMISSION_CHANGE}

    assert reasons(date_from="2020-02-10", date_to="2020-02-10") == {"北京时间2月10日23:30"}
    assert reasons(date_from="2020-02-11") == {"北京时间2月11日00:30"}


def test_bad_filters_are_explained_and_list_nothing(client, personas):
    record_audit(actor=None, action="view")
    client.force_login(personas.admin)
    response = client.get(
        URL, {"division_code": "13112", "date_from": "2020-02-11", "date_to": "2020-02-10"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "区划代码应为 2、4、6、9 或 12 位数字" in body
    assert "截止日期不能早于起始日期" in body
    assert response.context["page"].items == []


def test_pages_go_back_in_time_at_a_fixed_query_count(
    client, personas, django_assert_max_num_queries
):
    for i in range(PAGE_SIZE + 10):
        record_audit(actor=personas.grid_worker_a1, action="view", reason=f"记录{i:02d}")
    client.force_login(personas.admin)

    # Session, user, the navigation's memberships (base.html), one query for the records:
    # the actor is shown from its snapshot, so no per-row lookups.
    with django_assert_max_num_queries(4):
        first = client.get(URL, {"action": "view"})
    page = first.context["page"]
    assert len(page.items) == PAGE_SIZE and page.items[0].reason == "记录59"
    assert f"action=view&amp;before={page.next_before}" in first.content.decode()

    with django_assert_max_num_queries(4):
        older = client.get(URL, {"action": "view", "before": page.next_before}).context["page"]
    assert [r.reason for r in older.items] == [f"记录{i:02d}" for i in range(9, -1, -1)]
    assert older.next_before is None
