"""谁查看了我的数据: a resident sees the reads of their data, never anyone else's, and never the
name of the staff member who read it."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.audit.selectors import RESIDENT_PAGE_SIZE

pytestmark = pytest.mark.django_db
URL = reverse("audit:my_data")


def read(personas, reader, resident, *, action=AuditAction.VIEW_UNMASKED, reason="核对身份"):
    return record_audit(
        actor=personas.users[reader],
        action=action,
        target=("population.person", 1),
        subject_key=f"user:{personas.users[resident].pk}",
        reason=reason,
    )


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_a_resident_sees_when_which_organisation_and_role_read_their_data_and_why(client, personas):
    read(personas, "grid_worker_a1", "resident_a", reason="入户排查核对身份")
    read(personas, "cdc_a", "resident_a", action=AuditAction.EXPORT, reason="密接排查导出名单")

    client.force_login(personas.resident_a)
    body = client.get(URL).content.decode()

    assert "谁查看了我的数据" in body
    assert "示例社区居委会 · 网格员" in body and "入户排查核对身份" in body
    assert "阜城县疾病预防控制中心 · 疾控流调人员" in body and "密接排查导出名单" in body
    assert "查看未脱敏信息" in body and "导出" in body
    assert body.index("密接排查导出名单") < body.index("入户排查核对身份")  # newest first


def test_the_staff_members_name_and_username_are_never_shown(client, personas):
    worker = personas.grid_worker_a1
    worker.full_name = "韩梅梅"
    worker.save()
    read(personas, "grid_worker_a1", "resident_a")

    client.force_login(personas.resident_a)
    body = client.get(URL).content.decode()

    assert "示例社区居委会" in body
    assert "韩梅梅" not in body and "grid_worker_a1" not in body


def test_another_residents_records_never_appear(client, personas):
    read(personas, "grid_worker_a1", "resident_a", reason="给居民甲的记录")
    read(personas, "county_a_officer", "resident_b", reason="给居民乙的记录")

    client.force_login(personas.resident_b)
    body = client.get(URL).content.decode()

    assert "给居民乙的记录" in body
    assert "给居民甲的记录" not in body and "示例社区居委会" not in body


def test_writes_and_the_residents_own_reads_are_not_listed(client, personas):
    read(personas, "grid_worker_a1", "resident_a", action=AuditAction.UPDATE, reason="修改住址")
    read(personas, "resident_a", "resident_a", reason="自己查看")

    client.force_login(personas.resident_a)
    body = client.get(URL).content.decode()

    assert "修改住址" not in body and "自己查看" not in body
    assert "暂无记录" in body


def test_older_reads_are_one_link_away_and_the_page_costs_the_same_queries(
    client, personas, django_assert_max_num_queries
):
    for i in range(RESIDENT_PAGE_SIZE + 5):
        read(personas, "grid_worker_a1", "resident_a", reason=f"第{i:02d}次查看")
    client.force_login(personas.resident_a)

    # Session, user, the navigation's memberships (base.html), one query for the records.
    with django_assert_max_num_queries(4):
        first = client.get(URL)
    body = first.content.decode()
    assert "第24次查看" in body and "第05次查看" in body and "第04次查看" not in body
    next_link = first.context["page"].next_before
    assert f"?before={next_link}" in body

    with django_assert_max_num_queries(4):
        older = client.get(URL, {"before": next_link}).content.decode()
    assert "第04次查看" in older and "第00次查看" in older and "第05次查看" not in older
    assert "更早的记录" not in older
