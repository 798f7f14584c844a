"""The community API: scans with retries, bad codes, household reports, alerts, the dashboard."""

import json

import pytest

from civicgrid.community import tokens
from civicgrid.community.models import HealthReport, PassRecord
from civicgrid.community.tests import factories as f

pytestmark = pytest.mark.django_db


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_a_phone_retrying_a_scan_with_its_idempotency_key_gets_one_pass(client, personas):
    gate = f.checkpoint(personas)
    f.home(personas.resident_a)
    client.force_login(personas.resident_a)
    body = {"token": tokens.poster_token(gate), "direction": "out"}
    first = post(client, "/api/v1/community/scans", body, **{"Idempotency-Key": "scan-1"})
    retry = post(client, "/api/v1/community/scans", body, **{"Idempotency-Key": "scan-1"})
    assert first.status_code == 201 and retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert first.json()["record"]["name"] == "王*"
    double_tap = post(client, "/api/v1/community/scans", body, **{"Idempotency-Key": "scan-2"})
    assert double_tap.status_code == 200 and double_tap.json()["created"] is False
    assert PassRecord.objects.count() == 1


def test_a_scans_answer_says_what_the_validated_schema_says(client, personas):
    """The scan answers skip ninja's validation (`PassSchema.of`): resident and visitor alike
    must read exactly as the schema renders the stored pass."""
    from civicgrid.api import api
    from civicgrid.community.api import PassSchema, ScanResult

    def rendered(record):
        data = PassSchema.from_orm(PassRecord.objects.get(pk=record["id"])).model_dump()
        return json.loads(api.renderer.render(None, data, response_status=200))

    gate = f.checkpoint(personas)
    f.home(personas.resident_a)
    client.force_login(personas.resident_a)
    scan = post(
        client, "/api/v1/community/scans", {"token": tokens.poster_token(gate), "direction": "out"}
    )
    visitor = post(client, "/api/v1/community/scans/visitor", {
        "token": tokens.poster_token(gate), "direction": "in", "name": "刘洋",
        "mobile": "13700001111", "reason": "探亲", "host": "王芳", "temperature": "36.4",
    })  # fmt: skip
    for response, kind in ((scan, "resident"), (visitor, "visitor")):
        answer = response.json()
        assert response.status_code == 201 and answer["record"]["kind"] == kind
        assert set(answer) == set(ScanResult.model_fields)
        assert answer["record"] == rendered(answer["record"])
    assert visitor.json()["record"]["temperature"] == "36.4"
    assert visitor.json()["record"]["name"] == "刘*"


def test_a_forged_code_is_a_400_naming_the_problem(client, personas):
    gate = f.checkpoint(personas)
    f.home(personas.resident_a)
    client.force_login(personas.resident_a)
    token = tokens.poster_token(gate)[:-3] + "xyz"
    response = post(client, "/api/v1/community/scans", {"token": token, "direction": "out"})
    assert response.status_code == 400 and response.json()["code"] == "token_forged"
    assert not PassRecord.objects.exists()


def test_a_resident_of_another_community_is_told_to_register_as_a_visitor(client, personas):
    gate = f.checkpoint(personas)
    f.home(personas.resident_b, community=f.COMMUNITY_B1)
    client.force_login(personas.resident_b)
    response = post(
        client, "/api/v1/community/scans", {"token": tokens.poster_token(gate), "direction": "in"}
    )
    assert response.status_code == 422 and response.json()["code"] == "not_resident"
    visitor = {"token": tokens.poster_token(gate), "direction": "in", "name": "刘洋",
               "mobile": "13700001111", "reason": "探亲", "host": "王芳", "temperature": "60"}  # fmt: skip
    response = post(client, "/api/v1/community/scans/visitor", visitor)
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == "temperature"
    response = post(client, "/api/v1/community/scans/visitor", {**visitor, "temperature": "36.4"})
    assert response.status_code == 201 and response.json()["record"]["kind"] == "visitor"


def test_a_household_report_for_a_stranger_is_refused_by_field(client, personas):
    _household, (me,) = f.home(personas.resident_a)
    client.force_login(personas.resident_a)
    body = {
        "entries": [
            {"person_id": me.pk, "temperature": "36.5"},
            {"person_id": 999999, "temperature": "36.5"},
        ]
    }
    response = post(client, "/api/v1/community/health-reports", body)
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == "entries.2.person"
    assert not HealthReport.objects.exists()
    ok = post(
        client,
        "/api/v1/community/health-reports",
        {"entries": [{"person_id": me.pk, "temperature": "36.5"}]},
    )
    assert ok.status_code == 201


def test_the_dashboard_is_scoped_to_the_jurisdiction(client, personas):
    f.checkpoint(personas)
    client.force_login(personas.county_a_officer)
    response = client.get("/api/v1/community/dashboard/131128100001")
    assert response.status_code == 200 and len(response.json()["out_by_hour"]) == 24
    client.force_login(personas.county_b_officer)
    assert client.get("/api/v1/community/dashboard/131128100001").status_code == 404
