"""Bulk onboarding of staff from a spreadsheet: the action, the page, its task and the command."""

import io

import openpyxl
import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from civicgrid.accounts.models import Membership, OnboardingBatch, Organisation, User
from civicgrid.accounts.onboarding import (
    RowStatus,
    do_onboard_staff,
    do_run_onboarding_batch,
    do_start_onboarding_batch,
    read_onboarding_table,
)
from civicgrid.core import sms
from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.models import TaskProgress
from civicgrid.core.notifications.models import Delivery, Notification
from civicgrid.core.spreadsheets import SpreadsheetError, read_sheet

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
HEADERS = ("姓名", "手机号码", "机构", "角色", "区划代码")
WITH_TYPE = ("姓名", "手机号码", "机构", "机构类型", "角色", "区划代码")

COMMUNITY = "示例社区居委会"  # the personas' committee in 东南关居民委员会 (131128100001)
COUNTY_OFFICE = "阜城县疫情防控办公室"
COUNTY_CDC = "阜城县疾病预防控制中心"


def xlsx(rows, headers=HEADERS):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def onboard(actor, rows, headers=HEADERS, **kwargs):
    records = read_onboarding_table(xlsx(rows, headers), "staff.xlsx").records
    return do_onboard_staff(actor, records, **kwargs)


def statuses(report):
    return [(row.number, row.status) for row in report.rows]


@pytest.fixture
def admin(personas):
    """County A's administrator: may onboard staff anywhere in 阜城县, nowhere else."""
    return personas.county_a_admin


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


# --- creating accounts ---------------------------------------------------------------------


def test_new_staff_get_accounts_named_by_their_mobile_without_a_usable_password(admin):
    report = onboard(
        admin,
        [
            ("王芳", "13800000001", COMMUNITY, "网格员", "131128100001"),
            ("李强", 13800000002, COUNTY_CDC, "cdc_epidemiologist", "131128"),
        ],
    )
    assert statuses(report) == [(2, RowStatus.CREATED), (3, RowStatus.CREATED)]
    assert report.written
    wang = User.objects.get(mobile="13800000001")
    assert (wang.username, wang.full_name, wang.is_resident) == ("13800000001", "王芳", False)
    assert not wang.has_usable_password()
    membership = wang.memberships.get()
    assert (membership.organisation.name, membership.role, membership.division_code) == (
        COMMUNITY,
        "grid_worker",
        "131128100001",
    )
    li = User.objects.get(username="13800000002")  # a number cell, read as its digits
    assert li.memberships.get().division_code == "131128000000"
    # One audit record per grant, by the administrator, plus one for the import.
    grants = AuditRecord.objects.filter(action="permission_change", actor=admin)
    assert grants.count() == 2
    assert AuditRecord.objects.filter(action="import", actor=admin).count() == 1


def test_the_report_masks_mobiles_and_names_organisation_and_role(admin):
    report = onboard(admin, [("王芳", "13800000001", COMMUNITY, "网格员", "131128100001")])
    row = report.rows[0]
    assert (row.name, row.mobile, row.organisation, row.role) == (
        "王芳",
        "138****0001",
        COMMUNITY,
        "网格员",
    )


def test_an_organisation_is_found_in_a_division_above_the_jurisdiction(admin):
    report = onboard(admin, [("赵敏", "13800000003", COUNTY_OFFICE, "县级工作人员", "131128100")])
    assert report.rows[0].status == RowStatus.CREATED
    membership = Membership.objects.get(user__username="13800000003")
    assert membership.organisation.division_code == "131128000000"
    assert membership.division_code == "131128100000"  # the township is the jurisdiction


def test_an_organisation_is_created_when_the_sheet_gives_its_type(admin):
    rows = [
        ("孙丽", "13800000004", "绳王居民委员会", "社区（村）委员会", "网格员", "131128100002"),
        (
            "周杰",
            "13800000005",
            "绳王居民委员会",
            "community_committee",
            "社区工作人员",
            "131128100002",
        ),
    ]
    report = onboard(admin, rows, WITH_TYPE)
    assert statuses(report) == [(2, RowStatus.CREATED), (3, RowStatus.CREATED)]
    created = Organisation.objects.get(name="绳王居民委员会")
    assert (created.type, created.division_code) == ("community_committee", "131128100002")
    assert created.memberships.count() == 2
    assert "新建机构" in report.rows[0].message


def test_without_a_type_an_unknown_organisation_is_an_error(admin):
    report = onboard(admin, [("孙丽", "13800000004", "绳王居民委员会", "网格员", "131128100002")])
    row = report.rows[0]
    assert row.status == RowStatus.ERROR
    assert row.message.startswith("机构：")
    assert "机构类型" in row.message
    assert not Organisation.objects.filter(name="绳王居民委员会").exists()


def test_a_type_contradicting_an_existing_organisation_is_an_error(admin):
    report = onboard(
        admin, [("李强", "13800000002", COUNTY_CDC, "医疗机构", "临床医生", "131128")], WITH_TYPE
    )
    assert report.rows[0].status == RowStatus.ERROR
    assert report.rows[0].message.startswith("机构类型：")


# --- row errors, each naming its column ----------------------------------------------------


def test_a_role_that_does_not_suit_the_organisation_type_is_an_error(admin):
    report = onboard(admin, [("李强", "13800000002", COUNTY_CDC, "网格员", "131128")])
    row = report.rows[0]
    assert row.status == RowStatus.ERROR
    assert row.message.startswith("角色：")
    assert "不能设置“网格员”角色" in row.message and "疾控流调人员" in row.message
    assert not User.objects.filter(username="13800000002").exists()


def test_an_unrecognised_role_lists_the_roles_there_are(admin):
    report = onboard(admin, [("李强", "13800000002", COUNTY_CDC, "流调员", "131128")])
    assert report.rows[0].message.startswith("角色：无法识别“流调员”")


def test_an_unknown_division_is_an_error(admin):
    report = onboard(admin, [("王芳", "13800000001", COMMUNITY, "网格员", "131128100999")])
    row = report.rows[0]
    assert row.status == RowStatus.ERROR
    assert row.message.startswith("区划代码：找不到区划代码 131128100999")


def test_a_malformed_division_code_is_an_error(admin):
    report = onboard(admin, [("王芳", "13800000001", COMMUNITY, "网格员", "13112")])
    assert report.rows[0].message.startswith("区划代码：区划代码应为 2、4、6、9 或 12 位")


def test_a_division_outside_the_organisation_is_an_error(personas):
    # 景县 is not inside 阜城县, where the county A office sits.
    report = onboard(
        personas.admin, [("钱伟", "13800000006", COUNTY_OFFICE, "县级工作人员", "131127")]
    )
    row = report.rows[0]
    assert row.status == RowStatus.ERROR
    assert row.message.startswith("区划代码：")
    assert "不在机构“阜城县疫情防控办公室”所在区划" in row.message and "阜城县" in row.message


def test_a_division_outside_the_named_organisation_division_is_an_error(personas):
    headers = ("姓名", "手机号码", "机构", "机构区划代码", "角色", "区划代码")
    rows = [("钱伟", "13800000006", COUNTY_OFFICE, "131128", "县级工作人员", "131127100")]
    report = onboard(personas.admin, rows, headers)
    assert report.rows[0].message.startswith("区划代码：“景州镇”")


def test_an_administrator_cannot_onboard_outside_their_jurisdiction(admin):
    report = onboard(
        admin, [("钱伟", "13800000006", "景县疫情防控办公室", "县级工作人员", "131127")]
    )
    assert report.rows[0].message == "区划代码：“景县”（131127000000）不在您的管理范围内。"
    assert not User.objects.filter(username="13800000006").exists()


def test_an_administrator_cannot_hand_out_roles_in_an_organisation_above_them(admin):
    report = onboard(
        admin, [("钱伟", "13800000006", "衡水市疫情防控办公室", "市级工作人员", "131128")]
    )
    assert report.rows[0].message.startswith(
        "机构：机构“衡水市疫情防控办公室”（衡水市）不在您的管理范围内"
    )


def test_only_administrators_may_onboard(personas):
    with pytest.raises(PermissionDenied):
        onboard(
            personas.county_a_officer,
            [("王芳", "13800000001", COMMUNITY, "网格员", "131128100001")],
        )


def test_a_duplicate_mobile_within_the_file_is_an_error_on_the_later_row(admin):
    report = onboard(
        admin,
        [
            ("王芳", "13800000001", COMMUNITY, "网格员", "131128100001"),
            ("王芳", "+86 138-0000-0001", COMMUNITY, "社区工作人员", "131128100001"),
        ],
    )
    assert statuses(report) == [(2, RowStatus.CREATED), (3, RowStatus.ERROR)]
    assert report.rows[1].message == "手机号码：与第 2 行的手机号码重复。"
    assert User.objects.filter(mobile="13800000001").count() == 1


def test_a_mobile_damaged_by_a_spreadsheet_is_an_error_naming_the_column(admin):
    data = f"{','.join(HEADERS)}\n王芳,1.38E+10,{COMMUNITY},网格员,131128100001\n".encode()
    records = read_onboarding_table(data, "staff.csv").records
    row = do_onboard_staff(admin, records).rows[0]
    assert row.status == RowStatus.ERROR
    assert row.message.startswith("手机号码：") and "科学计数法" in row.message


def test_every_problem_of_a_row_is_reported_at_once(admin):
    report = onboard(admin, [("王芳7", "1380000", COUNTY_CDC, "网格员", "131128")])
    message = report.rows[0].message
    assert "姓名：" in message and "手机号码：" in message
    assert "角色：“阜城县疾病预防控制中心”" in message  # checked against the organisation too


def test_spaces_padding_a_chinese_name_are_dropped(admin):
    onboard(admin, [("王  芳", "13800000001", COMMUNITY, "网格员", "131128100001")])
    assert User.objects.get(username="13800000001").full_name == "王芳"


# --- existing accounts, re-runs -----------------------------------------------------------


def _existing(mobile="13800000001", **fields):
    user = User(username=fields.pop("username", "wangfang"), **fields)
    user.set_unusable_password()
    user.mobile = mobile
    user.save()
    return user


def test_an_existing_account_with_that_mobile_is_reused_and_given_the_role(admin):
    existing = _existing(full_name="王芳")
    report = onboard(admin, [("王芳", "13800000001", COMMUNITY, "网格员", "131128100001")])
    assert report.rows[0].status == RowStatus.ROLE_ADDED
    assert User.objects.filter(mobile="13800000001").get() == existing
    assert existing.memberships.get().role == "grid_worker"
    # No new-account text for them, only an inbox message about the new role.
    assert Notification.objects.get(recipient=existing).template_code == "staff_role_added"


def test_an_existing_account_registered_under_another_name_is_not_given_the_role(admin):
    existing = _existing(full_name="王芬")
    report = onboard(admin, [("王芳", "13800000001", COMMUNITY, "网格员", "131128100001")])
    assert report.rows[0].status == RowStatus.ERROR
    assert "姓名与表中的“王芳”不一致" in report.rows[0].message
    assert not existing.memberships.exists()


def test_a_resident_account_becomes_a_staff_account(admin):
    resident = _existing(username="m0123", is_resident=True)
    report = onboard(admin, [("王芳", "13800000001", COMMUNITY, "网格员", "131128100001")])
    assert report.rows[0].status == RowStatus.ROLE_ADDED
    resident.refresh_from_db()
    assert (resident.is_resident, resident.full_name) == (False, "王芳")
    assert "原居民账号转为工作账号" in report.rows[0].message


def test_a_disabled_account_is_not_reactivated_by_an_import(admin):
    _existing(full_name="王芳", is_active=False)
    report = onboard(admin, [("王芳", "13800000001", COMMUNITY, "网格员", "131128100001")])
    assert report.rows[0].status == RowStatus.ERROR
    assert "已停用" in report.rows[0].message


def test_running_the_same_file_again_duplicates_nothing(admin):
    rows = [
        ("王芳", "13800000001", COMMUNITY, "", "网格员", "131128100001"),
        ("孙丽", "13800000004", "绳王居民委员会", "社区（村）委员会", "网格员", "131128100002"),
    ]
    first = onboard(admin, rows, WITH_TYPE)
    counts = (User.objects.count(), Membership.objects.count(), Organisation.objects.count())
    audit = AuditRecord.objects.count()
    notifications = Notification.objects.count()

    again = onboard(admin, rows, WITH_TYPE)

    assert [r.status for r in first.rows] == [RowStatus.CREATED, RowStatus.CREATED]
    assert [r.status for r in again.rows] == [RowStatus.EXISTING, RowStatus.EXISTING]
    assert not again.written
    assert (
        User.objects.count(),
        Membership.objects.count(),
        Organisation.objects.count(),
    ) == counts
    assert AuditRecord.objects.count() == audit  # nothing written, nothing recorded
    assert Notification.objects.count() == notifications


# --- modes ---------------------------------------------------------------------------------

MIXED = [
    ("王芳", "13800000001", COMMUNITY, "网格员", "131128100001"),
    ("李强", "13800000002", COUNTY_CDC, "网格员", "131128"),  # wrong role for a CDC
    ("赵敏", "13800000003", COUNTY_OFFICE, "县级工作人员", "131128"),
]


def test_skip_mode_keeps_the_good_rows_and_changes_nothing_for_a_bad_one(admin):
    report = onboard(admin, MIXED, mode="skip")
    assert statuses(report) == [
        (2, RowStatus.CREATED),
        (3, RowStatus.ERROR),
        (4, RowStatus.CREATED),
    ]
    assert report.written
    assert set(
        User.objects.filter(username__startswith="1380000").values_list("username", flat=True)
    ) == {
        "13800000001",
        "13800000003",
    }


def test_all_or_nothing_mode_writes_nothing_when_any_row_is_bad(admin):
    users, audit = User.objects.count(), AuditRecord.objects.count()
    report = onboard(admin, MIXED, mode="all_or_nothing")
    assert not report.written
    assert [r.status for r in report.rows] == [
        RowStatus.CREATED,
        RowStatus.ERROR,
        RowStatus.CREATED,
    ]
    assert (User.objects.count(), AuditRecord.objects.count()) == (users, audit)
    assert not Notification.objects.exists()


def test_all_or_nothing_mode_writes_every_row_when_all_are_good(admin):
    report = onboard(admin, [MIXED[0], MIXED[2]], mode="all_or_nothing")
    assert report.written
    assert report.counts[RowStatus.CREATED] == 2
    assert User.objects.filter(username__in=["13800000001", "13800000003"]).count() == 2


def test_a_check_only_run_reports_without_writing(admin):
    users, orgs = User.objects.count(), Organisation.objects.count()
    rows = [("孙丽", "13800000004", "绳王居民委员会", "社区（村）委员会", "网格员", "131128100002")]
    report = onboard(admin, rows, WITH_TYPE, dry_run=True)
    assert report.rows[0].status == RowStatus.CREATED  # what would happen
    assert not report.written
    assert (User.objects.count(), Organisation.objects.count()) == (users, orgs)


# --- progress ------------------------------------------------------------------------------


def test_progress_advances_chunk_by_chunk_in_skip_mode(admin, monkeypatch):
    from civicgrid.accounts.onboarding import actions
    from civicgrid.core.progress import create_progress

    monkeypatch.setattr(actions, "WRITE_CHUNK", 2)
    progress = create_progress(label="导入", total=3)
    seen = []
    onboard(admin, MIXED, progress_key=progress.key, on_progress=lambda d, t: seen.append((d, t)))
    progress.refresh_from_db()
    assert seen == [(2, 3), (3, 3), (3, 3)]
    assert (progress.done, progress.total) == (3, 3)


def test_all_or_nothing_progress_stands_half_way_while_its_transaction_writes(admin, monkeypatch):
    from civicgrid.accounts.onboarding import actions
    from civicgrid.core.progress import create_progress

    monkeypatch.setattr(actions, "PROGRESS_EVERY", 1)
    progress = create_progress(label="导入", total=2)
    stored = []

    def look(done, total):
        stored.append(TaskProgress.objects.get(pk=progress.pk).done)

    onboard(
        admin,
        [MIXED[0], MIXED[2]],
        mode="all_or_nothing",
        progress_key=progress.key,
        on_progress=look,
    )
    assert stored == [1, 1, 2]  # half while writing, everything once committed
    progress.refresh_from_db()
    assert "一次性提交" not in progress.message


def test_new_organisations_are_named_once_in_the_batch_notes(admin):
    rows = [("孙丽", "13800000004", "绳王居民委员会", "社区（村）委员会", "网格员", "131128100002")]
    batch = do_start_onboarding_batch(
        admin, file_name="a.xlsx", data=xlsx(rows, WITH_TYPE), mode="skip"
    )
    do_run_onboarding_batch(batch.pk)
    batch.refresh_from_db()
    assert batch.warnings == ["新建机构 1 个：绳王居民委员会"]


# --- notifications -------------------------------------------------------------------------


@time_machine.travel("2024-03-01 10:00 +0800", tick=False)  # outside quiet hours
def test_the_welcome_text_is_queued_only_after_the_import_commits(
    admin, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        onboard(admin, [("王芳", "13800000001", COMMUNITY, "网格员", "131128100001")])
        user = User.objects.get(username="13800000001")
        notification = Notification.objects.get(recipient=user)
        assert notification.template_code == "staff_account_opened"
        text = Delivery.objects.get(notification=notification, channel="sms")
        assert text.status == "pending"
        assert sms.outbox == []  # nothing sent while the transaction is open
    assert callbacks
    for callback in callbacks:
        callback()
    text.refresh_from_db()
    assert text.status == "sent"
    assert [m.mobile for m in sms.outbox] == ["13800000001"]
    assert (
        "您已开通 CivicGrid 工作账号（示例社区居委会·网格员），请用本手机号验证码登录"
        in sms.outbox[0].text
    )


def test_a_rolled_back_import_sends_nothing(
    admin, immediate_tasks, django_capture_on_commit_callbacks
):
    from django.db import transaction

    class Abandon(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abandon),
        transaction.atomic(),
    ):
        onboard(admin, [("王芳", "13800000001", COMMUNITY, "网格员", "131128100001")])
        raise Abandon
    assert callbacks == []
    assert sms.outbox == []
    assert not User.objects.filter(username="13800000001").exists()


# --- the page, the task and the report download --------------------------------------------


def _upload(client, data, name="工作人员.xlsx", mode="skip", action="import"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post("/accounts/onboarding/", {"file": upload, "mode": mode, "action": action})


def test_an_upload_runs_as_a_task_with_progress_and_a_downloadable_report(
    client, admin, immediate_tasks, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, xlsx(MIXED))
    assert response.status_code == 302
    batch = OnboardingBatch.objects.get()
    assert response["Location"] == f"/accounts/onboarding/?batch={batch.key}"
    assert batch.status == "done" and batch.file_data in (b"", memoryview(b""))
    assert (batch.created_count, batch.error_count, batch.total_rows) == (2, 1, 3)
    progress = TaskProgress.objects.get(key=batch.key)
    assert (progress.done, progress.total, progress.finished, progress.owner) == (3, 3, True, admin)

    page = client.get(response["Location"]).content.decode()
    assert 'aria-valuenow="100"' in page and "every 1s" not in page  # finished: no polling
    assert "角色：" in page  # the failed row is listed with its reason
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and f"onboarding-{batch.key}" in partial

    report = client.get(f"/accounts/onboarding/{batch.key}/report.xlsx")
    assert report.status_code == 200
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_sheet(report.content, "report.xlsx").rows
    assert rows[0].cells[:3] == ["行号", "结果", "说明"]
    assert [r.cells[1] for r in rows[1:]] == ["新建账号", "出错，已跳过", "新建账号"]
    assert rows[1].cells[4] == "138****0001"  # masked in the stored report


def test_a_queued_batch_shows_a_bar_that_keeps_polling(client, admin):
    client.force_login(admin)
    batch = do_start_onboarding_batch(
        admin, file_name="a.xlsx", data=xlsx(MIXED), mode="skip"
    )  # not committed: the task is not enqueued in this test transaction
    body = client.get(f"/accounts/onboarding/?batch={batch.key}", HTTP_HX_REQUEST="true").content
    assert b'hx-trigger="every 1s"' in body
    assert b"hx-disable" in body  # the bar inside does not poll a second time


def test_the_check_only_button_writes_nothing(
    client, admin, immediate_tasks, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    users = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, xlsx(MIXED), action="check")
    batch = OnboardingBatch.objects.get()
    assert batch.dry_run and not batch.written
    assert User.objects.count() == users
    page = client.get(f"/accounts/onboarding/?batch={batch.key}").content.decode()
    assert "检查完成，未写入任何数据" in page


def test_an_unusable_file_is_refused_on_the_form_and_stores_nothing(client, admin):
    client.force_login(admin)
    response = _upload(client, b"just some text", name="staff.xlsx")
    assert response.status_code == 200
    assert "内容不是表格" in response.content.decode()
    assert not OnboardingBatch.objects.exists() and not TaskProgress.objects.exists()


def test_a_file_without_a_required_column_is_refused_on_the_form(client, admin):
    client.force_login(admin)
    response = _upload(client, xlsx([("王芳", "13800000001")], ("姓名", "手机号码")))
    assert "缺少必填列" in response.content.decode()


def test_an_oversize_upload_is_refused_before_it_is_read(client, admin, settings):
    settings.SPREADSHEET_MAX_BYTES = 100
    client.force_login(admin)
    response = _upload(client, xlsx(MIXED))
    assert "超过了 100 B 的上限" in response.content.decode()
    assert not OnboardingBatch.objects.exists()


def test_someone_elses_report_and_progress_are_404(
    client, admin, personas, immediate_tasks, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, xlsx(MIXED))
    batch = OnboardingBatch.objects.get()
    client.force_login(personas.admin)  # a superuser, but not the uploader
    assert client.get(f"/accounts/onboarding/{batch.key}/report.xlsx").status_code == 404
    assert client.get(f"/accounts/onboarding/?batch={batch.key}").status_code == 404
    assert client.get("/accounts/onboarding/?batch=not-a-uuid").status_code == 404


def test_the_template_has_every_column(client, admin):
    client.force_login(admin)
    response = client.get("/accounts/onboarding/?template=xlsx")
    header = read_sheet(response.content, "t.xlsx").rows[0].cells
    assert header == ["姓名", "手机号码", "机构", "机构类型", "机构区划代码", "角色", "区划代码"]


def test_a_batch_runs_once(admin):
    batch = do_start_onboarding_batch(admin, file_name="a.xlsx", data=xlsx(MIXED[:1]), mode="skip")
    assert do_run_onboarding_batch(batch.pk) is not None
    assert do_run_onboarding_batch(batch.pk) is None
    assert User.objects.filter(username="13800000001").count() == 1


def test_a_batch_whose_uploader_lost_the_role_fails_without_writing(admin):
    batch = do_start_onboarding_batch(admin, file_name="a.xlsx", data=xlsx(MIXED[:1]), mode="skip")
    Membership.objects.filter(user=admin).update(is_active=False)
    do_run_onboarding_batch(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "failed" and "管理员" in batch.message
    assert TaskProgress.objects.get(key=batch.key).failed
    assert not User.objects.filter(username="13800000001").exists()


def test_starting_a_batch_refuses_an_unusable_file_before_storing_it(admin):
    with pytest.raises(SpreadsheetError):
        do_start_onboarding_batch(admin, file_name="a.xlsx", data=b"", mode="skip")
    assert not OnboardingBatch.objects.exists()


# --- the management command ----------------------------------------------------------------


def test_the_command_imports_a_file_and_writes_the_report(personas, tmp_path, capsys):
    source = tmp_path / "staff.csv"
    source.write_bytes(
        (
            "姓名,手机号码,机构,角色,区划代码\n"
            f"王芳,13800000001,{COMMUNITY},网格员,131128100001\n"
            f"李强,13800000002,{COUNTY_CDC},网格员,131128\n"
        ).encode("gb18030")
    )
    target = tmp_path / "result.xlsx"
    call_command("onboard_staff", str(source), "--actor", "county_a_admin", "--report", str(target))
    out, err = capsys.readouterr()
    assert "导入完成" in out and "新建账号 1" in out
    assert "第 3 行：角色：" in err
    assert User.objects.filter(username="13800000001").exists()
    assert read_sheet(target.read_bytes(), "result.xlsx").rows[2].cells[1] == "出错，已跳过"


def test_the_command_in_all_or_nothing_mode_writes_nothing_for_a_bad_file(
    personas, tmp_path, capsys
):
    source = tmp_path / "staff.xlsx"
    source.write_bytes(xlsx(MIXED))
    call_command("onboard_staff", str(source), "--all-or-nothing")
    out, _err = capsys.readouterr()
    assert "未写入任何数据" in out
    assert not User.objects.filter(username="13800000001").exists()
