"""The import pages: upload, mapping, check, import with progress, result and report."""

import datetime
import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import civicgrid
from civicgrid.core.idcard import make_id_number
from civicgrid.core.models import TaskProgress
from civicgrid.population.models import ImportBatch, Person

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
A1 = "131128100001"


def number(sequence: int) -> str:
    return make_id_number("131128", datetime.date(1980, 5, 1), sequence)


SHEET = (
    "阜城镇东南关社区人口登记表\n"
    "姓名,证件号码,手机号,社区,门牌号,与户主关系,备注\n"
    f"张伟,{number(1)},13800000001,东南关社区,前街1号,户主,\n"
    f"李娜,{number(2)},,东南关社区,前街1号,配偶,\n"
    f"王五,1.30102E+17,,东南关社区,前街2号,户主,\n"
).encode("gb18030")


@pytest.fixture
def officer(client, personas, settings):
    settings.TASKS = IMMEDIATE
    client.force_login(personas.county_a_officer)
    return personas.county_a_officer


def upload(client, data=SHEET, name="东南关.csv", **fields):
    return client.post(
        reverse("population:import_upload"),
        {"file": SimpleUploadedFile(name, data), **fields},
    )


def test_a_register_goes_from_upload_through_check_to_import(
    client, officer, django_capture_on_commit_callbacks
):
    response = upload(client)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("population:import_mapping", args=[batch.key])
    assert (batch.header_row, batch.status) == (2, "mapping")

    page = client.get(response["Location"]).content.decode()
    assert "证件号码" in page and "131128********" in page  # samples are masked
    assert number(1) not in page

    # "备注" stays unmapped; the check runs as a task (inline here) and writes nothing.
    mapping = {"col_0": "name", "col_1": "id_number", "col_2": "mobile",
               "col_3": "community", "col_4": "room", "col_5": "relationship", "col_6": ""}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("population:import_mapping", args=[batch.key]), mapping)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "checked"
    assert (batch.created_count, batch.error_count, batch.households_created) == (2, 1, 1)
    assert Person.objects.count() == 0
    page = client.get(reverse("population:import_batch", args=[batch.key])).content.decode()
    assert "检查完成，尚未写入任何数据" in page and "科学计数法" in page
    progress = TaskProgress.objects.get(key=batch.progress_key)
    assert progress.finished and progress.owner == officer

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("population:import_run", args=[batch.key]), {"mode": "skip"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.written, batch.created_count) == ("done", True, 2)
    assert bytes(batch.file_data) == b""  # plain ID numbers are not kept
    assert Person.objects.count() == 2
    assert TaskProgress.objects.get(key=batch.progress_key).percent == 100

    report = client.get(reverse("population:import_report", args=[batch.key]))
    assert report.status_code == 200
    rows = list(
        openpyxl.load_workbook(io.BytesIO(report.content)).active.iter_rows(values_only=True)
    )
    assert rows[1][:2] == (5, "公民身份号码")


def test_all_or_nothing_from_the_page_writes_nothing_when_a_row_is_bad(
    client, officer, django_capture_on_commit_callbacks
):
    upload(client)
    batch = ImportBatch.objects.get()
    mapping = {"col_0": "name", "col_1": "id_number", "col_3": "community", "col_4": "room"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("population:import_mapping", args=[batch.key]), mapping)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("population:import_run", args=[batch.key]), {"mode": "all_or_nothing"})
    batch.refresh_from_db()
    assert (batch.status, batch.refused, batch.written) == ("done", True, False)
    assert Person.objects.count() == 0
    page = client.get(reverse("population:import_batch", args=[batch.key])).content.decode()
    assert "未写入任何数据" in page


def test_the_batch_page_polls_while_the_check_runs(client, officer, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    upload(client)
    batch = ImportBatch.objects.get()
    mapping = {"col_0": "name", "col_1": "id_number", "col_3": "community", "col_4": "room"}
    client.post(reverse("population:import_mapping", args=[batch.key]), mapping)
    page = client.get(
        reverse("population:import_batch", args=[batch.key]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="every 1s"' in page and "progressbar" in page


def test_a_file_that_cannot_be_imported_is_refused_on_the_upload_page(client, officer):
    response = upload(client, data="甲,乙\n1,2\n".encode(), name="x.csv")
    assert response.status_code == 200
    assert "找不到表头" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_mapping_samples_hide_numbers_but_show_division_codes_and_blank_cells(client, officer):
    sheet = (
        "姓名,公民身份号码,手机号,社区/村代码\n"
        f"张伟,{number(1)},13800001234,{A1}\n"
        f"李娜,{number(2)},,{A1}\n"
    ).encode()
    upload(client, data=sheet, name="codes.csv")
    batch = ImportBatch.objects.get()
    page = client.get(reverse("population:import_mapping", args=[batch.key])).content.decode()
    assert number(1) not in page and "13800001234" not in page
    assert "138****1234" in page and f"{A1} · {A1}" in page
    assert "（空）" in page  # 李娜 has no mobile


def test_an_upload_over_the_size_limit_is_refused_in_chinese_and_nothing_is_kept(
    client, officer, settings
):
    settings.POPULATION_IMPORT_MAX_BYTES = 2048
    response = upload(client, data=SHEET + "\n".join(["张三,,,,,,"] * 300).encode("gb18030"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "文件大小为 3 KB，超过了 2 KB 的上限。请拆分成几个文件分别上传。" in page
    assert "不超过 2 KB" in page  # the limit is said before uploading too
    assert not ImportBatch.objects.exists()
    assert not Person.objects.exists()


def test_an_upload_of_exactly_the_size_limit_is_accepted(client, officer, settings):
    settings.POPULATION_IMPORT_MAX_BYTES = len(SHEET)
    assert upload(client).status_code == 302
    assert ImportBatch.objects.get().file_size == len(SHEET)


def test_the_upload_limit_is_set_in_mib_from_the_environment():
    package_root = Path(civicgrid.__file__).parent.parent
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from civicgrid import settings as s; print(s.POPULATION_IMPORT_MAX_BYTES)",
        ],
        env={**os.environ, "CIVICGRID_IMPORT_MAX_MB": "7", "PYTHONPATH": str(package_root)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == str(7 * 1024 * 1024)


def test_a_place_outside_the_jurisdiction_is_refused_on_the_upload_page(client, officer):
    response = upload(client, place_code="131127100005")
    assert "不在您的管辖范围内" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_mapping_without_the_id_number_is_refused_with_the_reason(client, officer):
    upload(client)
    batch = ImportBatch.objects.get()
    mapping = {"col_0": "name", "col_1": "", "col_3": "community", "col_4": "room"}
    response = client.post(reverse("population:import_mapping", args=[batch.key]), mapping)
    assert response.status_code == 200
    assert "缺少必填列“公民身份号码”" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "mapping"


def test_someone_elses_batch_and_report_are_not_found(client, personas, settings):
    settings.TASKS = IMMEDIATE
    client.force_login(personas.province_officer)
    upload(client)
    batch = ImportBatch.objects.get()
    batch.error_report = b"PK\x03\x04"
    batch.save()
    client.force_login(personas.county_a_officer)
    for name in ("import_report", "import_batch", "import_mapping"):
        assert client.get(reverse(f"population:{name}", args=[batch.key])).status_code == 404


def test_the_template_lists_the_columns(client, officer):
    response = client.get(reverse("population:import_upload") + "?template=xlsx")
    headers = next(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert headers[:3] == ("姓名", "公民身份号码", "联系电话")
