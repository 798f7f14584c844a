"""The catalogue import as a task: the page's check, confirmation and live progress, the API
(sessions and departments' tokens), the task's result, the problem report, and failures that
leave nothing written. Only the one who started an import sees it."""

import io

import openpyxl
import pytest
from django.urls import reverse

from civicgrid.accounts.models import ApiToken, Organisation, User
from civicgrid.catalog.import_runs import do_check_catalog_upload, do_start_catalog_import
from civicgrid.catalog.models import CatalogImport, ServiceItem
from civicgrid.catalog.tasks import run_catalog_import
from civicgrid.catalog.tests import factories as f
from civicgrid.catalog.tests.test_import import row, xlsx
from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.models import TaskProgress

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CODE = "131128-FGJ-XK-001"


@pytest.fixture
def setup(personas, settings):
    settings.TASKS = IMMEDIATE
    f.life_event("touzi", "投资建设")
    return personas


def upload(client, data, name="items.xlsx"):
    sheet = io.BytesIO(data)
    sheet.name = name
    return client.post(reverse("catalog:import"), {"file": sheet})


def token_for(org: Organisation, **fields) -> str:
    fields.setdefault("jurisdiction", org.division)
    token = ApiToken(name="事项系统", organisation=org, **fields)
    secret = token.issue_secret()
    token.save()
    return secret


def api_post(client, data, *, dry_run=False, secret=None, name="items.xlsx"):
    sheet = io.BytesIO(data)
    sheet.name = name
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    body = {"file": sheet, "dry_run": "true" if dry_run else "false"}
    return client.post("/api/v1/catalog/imports", body, **headers)


def report_lines(data: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    return [tuple(r) for r in sheet.iter_rows(values_only=True)]


# --- the page ---------------------------------------------------------------------------------


def test_the_page_checks_at_once_then_imports_as_a_task_with_live_progress(
    client, setup, django_capture_on_commit_callbacks
):
    client.force_login(setup.clerk_a)
    response = upload(client, xlsx(row(), row("X-2", 事项名称="企业投资项目备案")))
    batch = CatalogImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:import_batch", args=[batch.key])
    assert (batch.status, batch.rows, batch.created_count) == ("checked", 2, 2)
    assert not ServiceItem.objects.exists()  # the check writes nothing
    page = client.get(response["Location"]).content.decode()
    assert "检查通过（未写入）" in page and "确认导入" in page

    # Confirmed: queued with a progress row of its own; the page polls while it waits.
    run_url = reverse("catalog:import_run", args=[batch.key])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert client.post(run_url).status_code == 302
    batch.refresh_from_db()
    progress = TaskProgress.objects.get(key=batch.progress_key)
    assert (batch.status, progress.owner, progress.total) == ("queued", setup.clerk_a, 4)
    part = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in part and f"progress-{progress.key}" in part
    assert "正在后台导入" in part and "<html" not in part
    assert not ServiceItem.objects.exists()

    for callback in queued:  # the worker picks it up (inline here)
        callback()
    batch.refresh_from_db()
    progress.refresh_from_db()
    assert (batch.status, batch.created_count, batch.file_data) == ("done", 2, b"")
    assert progress.finished and not progress.failed and progress.done == progress.total
    assert ServiceItem.objects.filter(code__in=[CODE, "X-2"]).count() == 2
    audit = AuditRecord.objects.get(target_type="catalog.serviceitem")
    assert audit.details["created"] == 2 and audit.actor_id == setup.clerk_a.pk
    done = client.get(response["Location"]).content.decode()
    assert "导入完成" in done and "every 1s" not in done

    # A second press does not import twice.
    assert client.post(run_url).status_code == 302
    assert TaskProgress.objects.filter(owner=setup.clerk_a).count() == 1


def test_only_the_one_who_started_an_import_sees_it_its_progress_and_its_report(
    client, setup, django_capture_on_commit_callbacks
):
    client.force_login(setup.clerk_a)
    upload(client, xlsx(row()))
    batch = CatalogImport.objects.get()
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("catalog:import_run", args=[batch.key]))
    batch.refresh_from_db()
    bad = do_check_catalog_upload(
        setup.clerk_a, data=xlsx(row(事项类型="乱写")), filename="bad.xlsx"
    )
    for other in (setup.clerk_b, setup.admin):
        client.force_login(other)
        assert client.get(reverse("catalog:import_batch", args=[batch.key])).status_code == 404
        assert client.post(reverse("catalog:import_run", args=[batch.key])).status_code == 404
        assert client.get(reverse("catalog:import_report", args=[bad.key])).status_code == 404
        progress_url = reverse("core:task_progress", args=[batch.progress_key])
        assert client.get(progress_url).status_code == 404
        assert client.get(f"/api/v1/catalog/imports/{batch.key}").status_code == 404
        assert client.get(f"/api/v1/catalog/imports/{bad.key}/report.xlsx").status_code == 404
        assert str(batch.key) not in client.get(reverse("catalog:import")).content.decode()
    client.force_login(setup.clerk_a)
    assert client.get(reverse("core:task_progress", args=[batch.progress_key])).status_code == 200


def test_a_file_with_problems_lists_the_first_200_and_reports_every_rejected_row(client, setup):
    client.force_login(setup.clerk_a)
    rows = [row(f"BAD-{n}", 事项类型="乱写", 承诺时限="30") for n in range(150)]
    upload(client, xlsx(row(), *rows))
    batch = CatalogImport.objects.get()
    assert (batch.status, batch.problem_count, batch.file_data) == ("rejected", 300, b"")
    page = client.get(reverse("catalog:import_batch", args=[batch.key])).content.decode()
    assert "发现问题，未导入任何事项" in page and "确认导入" not in page
    assert page.count('<td class="error">') == 200 and "共 300 处问题" in page
    assert not ServiceItem.objects.exists()

    response = client.get(reverse("catalog:import_report", args=[batch.key]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    lines = report_lines(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert lines[0] == ("行号", "事项编码", "事项名称", "列", "问题")
    assert len(lines) == 1 + 300
    assert lines[1][:4] == (3, "BAD-0", "企业投资项目核准", "事项类型")
    assert "不是有效的事项类型" in lines[1][4]
    assert lines[2][3] == "承诺时限" and "超过了法定时限" in lines[2][4]
    assert {line[1] for line in lines[1:]} == {f"BAD-{n}" for n in range(150)}


def test_a_file_that_is_no_spreadsheet_is_refused_on_the_upload_page(client, setup):
    client.force_login(setup.clerk_a)
    refused = upload(client, b"not a sheet", name="items.pdf")
    assert refused.status_code == 200 and "不支持" in refused.content.decode()
    assert not CatalogImport.objects.exists()
    template = client.get(reverse("catalog:import") + "?template=xlsx")
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")


# --- the task ---------------------------------------------------------------------------------


def test_the_task_answers_its_counts_and_runs_a_queued_import_once(setup):
    batch = do_check_catalog_upload(setup.clerk_a, data=xlsx(row()), filename="items.xlsx")
    CatalogImport.objects.filter(pk=batch.pk).update(status="queued")
    result = run_catalog_import.enqueue(batch.pk)
    assert result.return_value == {
        "status": "done",
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "problems": 0,
    }
    assert run_catalog_import.enqueue(batch.pk).return_value is None
    assert ServiceItem.objects.count() == 1


def test_the_task_checks_again_and_a_problem_found_then_leaves_nothing_written(
    setup, django_capture_on_commit_callbacks
):
    data = xlsx(
        row(), row("MZJ-1", 事项名称="临时救助", 事项类型="行政给付", 实施部门="阜城县民政局")
    )
    civil = f.department("阜城县民政局")
    batch = do_check_catalog_upload(setup.admin, data=data, filename="items.xlsx")
    assert batch.status == "checked"
    # Between the check and the confirmation the department is closed down.
    Organisation.objects.filter(pk=civil.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        do_start_catalog_import(setup.admin, batch)
    batch.refresh_from_db()
    assert (batch.status, batch.problem_count, batch.created_count) == ("rejected", 1, 0)
    assert batch.problems == [[3, "实施部门", "找不到机构“阜城县民政局”，请先在系统中建立该部门"]]
    assert batch.error_report and batch.file_data == b""
    assert not ServiceItem.objects.exists()  # the good first row is not written either
    assert not AuditRecord.objects.filter(target_type="catalog.serviceitem").exists()
    progress = TaskProgress.objects.get(key=batch.progress_key)
    assert progress.finished and progress.failed


def test_an_import_whose_file_or_starter_is_gone_fails_with_nothing_written(
    setup, django_capture_on_commit_callbacks
):
    broken = do_check_catalog_upload(setup.clerk_a, data=xlsx(row()), filename="items.xlsx")
    CatalogImport.objects.filter(pk=broken.pk).update(file_data=b"PK\x03\x04 truncated")
    with django_capture_on_commit_callbacks(execute=True):
        do_start_catalog_import(setup.clerk_a, broken)
    broken.refresh_from_db()
    assert broken.status == "failed" and broken.message
    assert TaskProgress.objects.get(key=broken.progress_key).failed

    gone = do_check_catalog_upload(setup.clerk_a, data=xlsx(row()), filename="items.xlsx")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        do_start_catalog_import(setup.clerk_a, gone)
    type(setup.clerk_a).objects.filter(pk=setup.clerk_a.pk).update(is_active=False)
    for callback in queued:
        callback()
    gone.refresh_from_db()
    assert gone.status == "failed" and "已停用" in gone.message
    assert not ServiceItem.objects.exists()


def test_only_a_checked_import_of_ones_own_can_be_started(setup):
    bad = do_check_catalog_upload(setup.clerk_a, data=xlsx(row(收费="很多")), filename="a.xlsx")
    good = do_check_catalog_upload(setup.clerk_a, data=xlsx(row()), filename="b.xlsx")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        do_start_catalog_import(setup.clerk_a, bad)
    with pytest.raises(ValidationError):
        do_start_catalog_import(setup.clerk_b, good)
    assert CatalogImport.objects.get(pk=good.pk).status == "checked"


# --- the API ----------------------------------------------------------------------------------


def test_the_api_checks_at_once_and_imports_as_a_task(
    client, setup, django_capture_on_commit_callbacks
):
    client.force_login(setup.resident_a)
    assert api_post(client, xlsx(row())).status_code == 403
    client.force_login(setup.clerk_a)
    checked = api_post(client, xlsx(row()), dry_run=True)
    assert checked.status_code == 200
    assert checked.json()["status"] == "checked" and checked.json()["created"] == 1
    refused = api_post(client, xlsx(row(), row("B", 事项类型="乱写")), dry_run=True)
    assert refused.status_code == 422
    details = refused.json()["details"]
    assert details["problems"][0]["row"] == 3
    report = client.get(details["report_url"])
    assert report.status_code == 200 and len(report_lines(report.content)) == 2
    assert not ServiceItem.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        queued = api_post(client, xlsx(row()))
    assert queued.status_code == 202
    body = queued.json()
    assert body["status"] == "queued" and body["progress"]["total"] == 2
    status = client.get(body["status_url"]).json()
    assert (status["status"], status["created"], status["written"]) == ("done", 1, True)
    assert status["progress"]["percent"] == 100
    assert ServiceItem.objects.filter(code=CODE).exists()

    # Problems found by the task: the status answer links the full report.
    with django_capture_on_commit_callbacks(execute=True):
        late = api_post(client, xlsx(row("C", 事项类型="乱写")))
    status = client.get(late.json()["status_url"]).json()
    assert status["status"] == "rejected" and status["problem_count"] == 1
    assert client.get(status["report_url"]).status_code == 200
    unreadable = api_post(client, b"", name="items.xlsx")
    assert unreadable.status_code == 422 and unreadable.json()["details"]["field"] == "file"


def test_a_departments_token_imports_only_its_own_departments_items(
    client, setup, django_capture_on_commit_callbacks
):
    fgj = token_for(setup.organisations["department_a"])
    with django_capture_on_commit_callbacks(execute=True):
        accepted = api_post(client, xlsx(row()), secret=fgj)
    assert accepted.status_code == 202
    status = client.get(accepted.json()["status_url"], HTTP_AUTHORIZATION=f"Bearer {fgj}")
    assert status.json()["status"] == "done"
    batch = CatalogImport.objects.get(key=accepted.json()["key"])
    assert batch.token is not None and batch.created_by is None
    audit = AuditRecord.objects.get(target_type="catalog.serviceitem")
    assert "事项系统" in audit.actor_role

    # Another department's items, in the same county: refused by row, nothing written.
    f.department("阜城县民政局")
    other = row("MZJ-1", 事项名称="临时救助", 事项类型="行政给付", 实施部门="阜城县民政局")
    refused = api_post(client, xlsx(other), secret=fgj, dry_run=True)
    assert refused.status_code == 422
    assert refused.json()["details"]["problems"][0]["column"] == "实施部门"

    # 景县's department token can neither take 阜城县's item over nor see 阜城县's import.
    jx = token_for(setup.organisations["department_b"])
    moved = row(实施部门="景县发展和改革局", **{"实施层级/区划代码": "131127"})
    taken = api_post(client, xlsx(moved), secret=jx, dry_run=True)
    assert taken.status_code == 422
    assert ServiceItem.objects.get(code=CODE).department.name == "阜城县发展和改革局"
    peek = client.get(accepted.json()["status_url"], HTTP_AUTHORIZATION=f"Bearer {jx}")
    assert peek.status_code == 404


def test_tokens_of_other_organisations_or_revoked_ones_cannot_import(client, setup):
    from django.utils import timezone

    office = token_for(setup.organisations["county_a"])
    assert api_post(client, xlsx(row()), secret=office).status_code == 403
    revoked = token_for(setup.organisations["department_a"], revoked_at=timezone.now())
    assert api_post(client, xlsx(row()), secret=revoked).status_code == 401
    assert not CatalogImport.objects.exists()


def test_a_token_whose_jurisdiction_does_not_cover_its_department_cannot_import(client, setup):
    from civicgrid.regions.models import Division

    department = setup.organisations["department_a"]
    # A token narrowed to one community of the county: the county's department lies outside.
    community = Division.objects.filter(code__startswith="131128", level=5).first()
    if community is None:
        pytest.skip("no community division in the test slice")
    narrow = token_for(department, jurisdiction=community)
    refused = api_post(client, xlsx(row()), secret=narrow, dry_run=True)
    assert refused.status_code == 422
    assert refused.json()["details"]["problems"][0]["column"] == "实施部门"


def test_an_upload_left_unconfirmed_for_a_day_loses_its_file_and_cannot_start(setup):
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from civicgrid.catalog.import_runs import do_drop_unconfirmed_catalog_uploads

    old = do_check_catalog_upload(setup.clerk_a, data=xlsx(row()), filename="old.xlsx")
    fresh = do_check_catalog_upload(setup.clerk_a, data=xlsx(row()), filename="new.xlsx")
    CatalogImport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert do_drop_unconfirmed_catalog_uploads() == 1
    old.refresh_from_db()
    assert (old.status, old.file_data) == ("failed", b"") and "重新上传" in old.message
    assert CatalogImport.objects.get(pk=fresh.pk).file_data
    with pytest.raises(ValidationError):
        do_start_catalog_import(setup.clerk_a, old)


@pytest.mark.django_db(transaction=True)
def test_the_bar_moves_for_another_connection_while_the_task_checks_the_rows(monkeypatch):
    """The rows are checked outside the write transaction, so each step of the bar is
    committed and a page polling from another connection sees it move before the end."""
    import threading

    from django.db import connection

    from civicgrid.catalog import import_runs
    from civicgrid.conftest import ensure_test_divisions

    monkeypatch.setattr(import_runs, "PROGRESS_SECONDS", 0)
    ensure_test_divisions()
    f.department("阜城县发展和改革局")
    f.life_event("touzi", "投资建设")
    data = xlsx(*(row(f"LIVE-{n}") for n in range(1000)))
    admin = User.objects.create_superuser("live_admin", password="x")
    batch = do_check_catalog_upload(admin, data=data, filename="live.xlsx")
    CatalogImport.objects.filter(pk=batch.pk).update(status="queued")
    progress = TaskProgress.objects.create(label="live", total=2000)
    CatalogImport.objects.filter(pk=batch.pk).update(progress_key=progress.key)
    failures = []

    def work():
        try:
            import_runs.do_run_catalog_import(batch.pk)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    seen = set()
    while worker.is_alive():
        seen.add(TaskProgress.objects.filter(pk=progress.pk).values_list("done", flat=True)[0])
    worker.join()
    assert failures == []
    assert any(0 < done < 2000 for done in seen), seen
    progress.refresh_from_db()
    assert progress.finished and progress.done == 2000
    assert ServiceItem.objects.count() == 1000
