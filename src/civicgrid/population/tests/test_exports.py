"""Register exports: masked unless a role needs full numbers and gives a reason; audited."""

import io

import pytest
from openpyxl import load_workbook

from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.models import ExportFile
from civicgrid.population.actions import subject_key_of
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def people(personas, settings):
    settings.TASKS = IMMEDIATE
    grid_a = f.household(grid_index=0, room="A-1")
    grid_b = f.household(grid_index=1, room="B-1")
    return [f.person(grid_a, "甲某", mobile="13700000001"), f.person(grid_b, "乙某")]


def _export(client, user, django_capture_on_commit_callbacks, **data):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/population/exports/", data)
    return response


def _sheet(client, export):
    content = client.get(f"/population/exports/{export.pk}/download/").content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_an_export_is_masked_by_default_and_recorded_once(
    client, personas, people, django_capture_on_commit_callbacks
):
    response = _export(client, personas.county_a_officer, django_capture_on_commit_callbacks)
    export = ExportFile.objects.get()
    assert response["Location"] == f"/population/exports/{export.pk}/"
    header, rows = _sheet(client, export)
    assert header[0] == "姓名" and len(rows) == 2
    numbers = {r[1] for r in rows}
    assert all("********" in n for n in numbers)
    assert "137****0001" in {r[4] for r in rows}
    exports = AuditRecord.objects.filter(action="export")
    assert exports.count() == 1 and exports.get().details["rows"] == 2


def test_full_numbers_need_a_reason_and_each_person_sees_the_export(
    client, personas, people, django_capture_on_commit_callbacks
):
    refused = _export(
        client,
        personas.county_a_officer,
        django_capture_on_commit_callbacks,
        unmasked="on",
        reason="",
    )
    assert "理由" in refused.content.decode()
    assert not ExportFile.objects.exists()
    _export(
        client,
        personas.county_a_officer,
        django_capture_on_commit_callbacks,
        unmasked="on",
        reason="核酸检测名单",
    )
    _header, rows = _sheet(client, ExportFile.objects.get())
    assert {r[1] for r in rows} == {p.id_number.reveal() for p in people}
    for person in people:
        assert AuditRecord.objects.filter(
            action="export", subject_key=subject_key_of(person)
        ).exists()


def test_a_grid_worker_exports_only_their_grid(
    client, personas, people, django_capture_on_commit_callbacks
):
    f.assign(personas.grid_worker_a1, grid_index=0)
    _export(client, personas.grid_worker_a1, django_capture_on_commit_callbacks)
    _header, rows = _sheet(client, ExportFile.objects.get())
    assert [r[0] for r in rows] == ["甲某"]


def test_someone_elses_export_cannot_be_downloaded(
    client, personas, people, django_capture_on_commit_callbacks
):
    _export(client, personas.county_a_officer, django_capture_on_commit_callbacks)
    export = ExportFile.objects.get()
    client.force_login(personas.city_officer)
    assert client.get(f"/population/exports/{export.pk}/download/").status_code == 404
    assert client.get(f"/population/exports/{export.pk}/").status_code == 404


def test_volunteers_cannot_export(client, personas, people):
    client.force_login(personas.volunteer_a)
    assert client.post("/population/exports/").status_code == 403
