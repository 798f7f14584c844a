"""The line-list API: entry by ID number, scoping, idempotent checks, chains, statistics, export."""

import io
import json

import pytest
from django.db import transaction
from django.urls import reverse

from civicgrid.core.testing import CITY, COUNTY_A, PROVINCE
from civicgrid.epidemic.choices import CaseStatus
from civicgrid.epidemic.line_list_stats import line_list_statistics
from civicgrid.epidemic.models import Case, MonitoringEntry
from civicgrid.epidemic.tests import factories as f
from civicgrid.regions.models import Division

pytestmark = pytest.mark.django_db
BASE = "/api/v1/epidemic/line-lists"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def confirmed_total(code: str) -> int:
    return line_list_statistics(
        Division.objects.get(code=code), f.days_ago(0), f.days_ago(0)
    ).total.values["new_confirmed"]


def test_a_case_entered_through_the_api_is_in_the_figures_of_every_level(client, personas):
    before = {code: confirmed_total(code) for code in (COUNTY_A, CITY, PROVINCE)}
    client.force_login(personas.cdc_a)
    body = {"person": vars(f.new_person()), "status": "confirmed"}
    response = post(client, f"{BASE}/cases", body)
    assert response.status_code == 201, response.content
    assert response.json()["person"]["id_number"].count("*") == 8  # masked
    for code in (COUNTY_A, CITY, PROVINCE):
        assert confirmed_total(code) == before[code] + 1
    client.force_login(personas.county_a_officer)
    stats = client.get(f"{BASE}/statistics", {"within": "131128"}).json()
    assert stats["total"]["values"]["new_confirmed"] == 1
    client.force_login(personas.city_officer)
    stats = client.get(f"{BASE}/statistics", {"within": "1311"}).json()
    assert stats["total"]["values"]["cum_confirmed"] == 1
    row = next(r for r in stats["rows"] if r["code"] == "131128")
    assert row["values"]["new_confirmed"] == 1


def test_the_figures_move_only_with_the_cases_own_transaction(personas):
    with transaction.atomic():
        f.case(personas)
        assert confirmed_total(COUNTY_A) == 1  # inside: the same transaction sees it
        transaction.set_rollback(True)
    assert confirmed_total(COUNTY_A) == 0 and not Case.objects.exists()


def test_a_duplicate_case_through_the_api_names_the_id_field(client, personas):
    given = f.new_person()
    f.case(personas, person=given)
    client.force_login(personas.cdc_a)
    response = post(
        client, f"{BASE}/cases", {"person": {"id_number": given.id_number}, "status": "suspected"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["details"]["fields"][0]["field"] == "id_number"
    assert "该身份证号已有病例记录" in body["message"]


def test_county_b_gets_404_on_county_a_cases_and_sees_none_in_lists(client, personas):
    case = f.case(personas)
    client.force_login(personas.county_b_officer)
    assert client.get(f"{BASE}/cases/{case.pk}").status_code == 404
    assert client.get(f"{BASE}/cases").json()["count"] == 0
    assert client.get(f"{BASE}/cases/{case.pk}/chain").status_code == 404
    client.force_login(personas.county_a_officer)
    assert client.get(f"{BASE}/cases").json()["count"] == 1


def test_a_contact_of_a_case_of_another_county_is_refused(client, personas):
    _centre, clinician_b = f.sibling_centre()
    from civicgrid.epidemic.line_lists import do_enter_case

    case_b = do_enter_case(
        clinician_b, status="confirmed",
        person=f.new_person(community=f.COMMUNITY_B1, id_number=f.id_number("131127")),
    )  # fmt: skip
    client.force_login(personas.cdc_a)
    body = {"person": vars(f.new_person()), "case": case_b.pk, "contact_type": "work",
            "last_exposure_date": str(f.days_ago(1))}  # fmt: skip
    assert post(client, f"{BASE}/contacts", body).status_code == 404


def test_a_phone_retrying_a_check_gets_the_first_entry_back(client, personas):
    _contact, observation = f.observed_contact(personas, f.case(personas))
    client.force_login(personas.grid_worker_a1)
    url = f"{BASE}/observations/{observation.pk}/checks"
    body = {"slot": "am", "temperature": "37.9", "key": "a-phone-key-1"}
    first, again = post(client, url, body), post(client, url, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert MonitoringEntry.objects.count() == 1
    worklist = client.get(f"{BASE}/worklist", {"flag": "fever"}).json()
    assert worklist["counts"]["fever"] == 1 and worklist["items"][0]["id"] == observation.pk
    assert "fever" in worklist["items"][0]["flags"]
    client.force_login(personas.county_b_officer)
    assert post(client, url, {**body, "key": "b"}).status_code == 404
    assert client.get(f"{BASE}/worklist").json()["total"] == 0


def test_a_check_for_a_released_observation_is_refused(client, personas):
    _contact, observation = f.observed_contact(personas, f.case(personas))
    client.force_login(personas.cdc_a)
    release = post(
        client, f"{BASE}/observations/{observation.pk}/release", {"note": "阴性，提前解除"}
    )
    assert release.status_code == 200 and release.json()["status"] == "released"
    response = post(
        client,
        f"{BASE}/observations/{observation.pk}/checks",
        {"slot": "pm", "temperature": "36.5"},
    )
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == "observation"


def test_reclassification_through_the_api_keeps_history(client, personas):
    case = f.case(personas, status=CaseStatus.SUSPECTED)
    client.force_login(personas.cdc_a)
    response = post(
        client, f"{BASE}/cases/{case.pk}/reclassify", {"status": "confirmed", "version": 1}
    )
    assert response.status_code == 200
    assert [h["to_status"] for h in response.json()["classifications"]] == [
        "suspected",
        "confirmed",
    ]
    stale = post(client, f"{BASE}/cases/{case.pk}/reclassify", {"status": "excluded", "version": 1})
    assert stale.status_code == 422


def test_a_10000_node_chain_comes_back_whole_and_layered(client, personas):
    from civicgrid.epidemic.synthetic import bulk_chain

    centre, _clinician = f.health_centre()
    cluster = bulk_chain(centre, "131128100001", cases=2000, contacts_per_case=4)
    client.force_login(personas.county_a_officer)
    graph = client.get(f"{BASE}/chains/{cluster}", {"limit": 20000}).json()
    assert graph["total_nodes"] == 10000 and len(graph["nodes"]) == 10000
    assert len(graph["edges"]) == 9999 and not graph["truncated"]
    assert graph["generations"] == 2001  # case 1999's contacts are the 2001st generation
    generation = {n["id"]: n["generation"] for n in graph["nodes"]}
    x = {n["id"]: n["x"] for n in graph["nodes"]}
    assert all(generation[t] == generation[s] + 1 and x[t] > x[s] for s, t, _ in graph["edges"])
    assert len({(n["x"], n["y"]) for n in graph["nodes"]}) == 10000  # no two nodes overlap
    page = client.get(f"{BASE}/chains/{cluster}", {"limit": 1000}).json()
    assert page["truncated"] and len(page["nodes"]) == 1000
    shown = {n["id"] for n in page["nodes"]}
    assert all(s in shown and t in shown for s, t, _ in page["edges"])
    assert client.get(f"{BASE}/chains/{cluster}", {"limit": 0}).status_code == 422
    clusters = client.get(f"{BASE}/chains", {"within": "131128"}).json()
    assert clusters["items"][0] == {
        "cluster_id": cluster,
        "size": 10000,
        "cases": 2000,
        "label": clusters["items"][0]["label"],
    }
    client.force_login(personas.county_b_officer)
    assert client.get(f"{BASE}/chains/{cluster}").status_code == 404


def test_an_export_is_masked_scoped_and_audited(
    client, personas, settings, django_capture_on_commit_callbacks
):
    from python_calamine import CalamineWorkbook

    from civicgrid.core.audit.models import AuditRecord

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    given = f.new_person(name="赵导出")
    f.case(personas, person=given)
    client.force_login(personas.county_a_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"{BASE}/exports", {"kind": "cases"})
    assert response.status_code == 202
    export_id = response.json()["id"]
    status = client.get(f"{BASE}/exports/{export_id}").json()
    assert status["progress"]["finished"] and status["row_count"] == 1
    content = client.get(reverse("epidemic:line_list_export_download", args=[export_id]))
    sheet = (
        CalamineWorkbook.from_filelike(io.BytesIO(content.content))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert sheet[0][:2] == ["姓名", "公民身份号码"]
    assert sheet[1][0] == "赵导出"
    assert sheet[1][1] == given.id_number[:6] + "*" * 8 + given.id_number[-4:]
    assert given.id_number not in content.content.decode("latin-1")
    assert AuditRecord.objects.filter(action="export").count() >= 2
    # Someone else's export is not theirs to read.
    client.force_login(personas.city_officer)
    assert client.get(f"{BASE}/exports/{export_id}").status_code == 404


def test_an_unmasked_export_tells_each_person_it_read_their_number(
    client, personas, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from python_calamine import CalamineWorkbook

    from civicgrid.core.audit.models import AuditRecord
    from civicgrid.core.audit.verification import verify_chain
    from civicgrid.core.crypto import lookup_hash
    from civicgrid.epidemic import line_list_exports

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(line_list_exports, "CHUNK", 2)  # flushed mid-stream and at the end
    people = [f.new_person(name=f"赵全号{n}") for n in range(3)]
    for person in people:
        f.case(personas, person=person)
    client.force_login(personas.county_a_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, f"{BASE}/exports", {"kind": "cases", "unmasked": True, "reason": "流调核对"}
        )
    assert response.status_code == 202
    export_id = response.json()["id"]
    content = client.get(reverse("epidemic:line_list_export_download", args=[export_id]))
    sheet = (
        CalamineWorkbook.from_filelike(io.BytesIO(content.content))
        .get_sheet_by_index(0)
        .to_python()
    )
    numbers = {p.id_number for p in people}
    assert {row[1] for row in sheet[1:]} == numbers
    reads = AuditRecord.objects.filter(action="export", subject_key__startswith="id:")
    assert sorted(reads.values_list("subject_key", flat=True)) == sorted(
        f"id:{lookup_hash('id_number', n)}" for n in numbers
    )
    assert {(r.actor_id, r.reason) for r in reads} == {(personas.county_a_officer.pk, "流调核对")}
    assert verify_chain().broken is None


def test_an_unmasked_export_needs_a_reason_and_a_role(client, personas):
    client.force_login(personas.county_a_officer)
    response = post(client, f"{BASE}/exports", {"kind": "cases", "unmasked": True})
    assert response.status_code == 422
    client.force_login(personas.grid_worker_a1)
    assert post(client, f"{BASE}/exports", {"kind": "cases"}).status_code == 403


def test_a_person_under_observation_records_their_own_check(client, personas):
    from civicgrid.population.models import Person

    _contact, observation = f.observed_contact(personas, f.case(personas))
    person = Person.objects.get(pk=observation.person_id)
    resident = personas.resident_a
    resident.id_number = person.id_number.reveal()
    resident.save()
    client.force_login(resident)
    url = f"{BASE}/observations/{observation.pk}/checks"
    response = post(client, url, {"slot": "am", "temperature": "36.4"})
    assert response.status_code == 201 and response.json()["by_self"] is True
    client.force_login(personas.resident_b)
    assert post(client, url, {"slot": "pm", "temperature": "36.4"}).status_code == 404
