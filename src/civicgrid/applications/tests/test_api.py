"""The applications API: the form, a whole submission with files, status, queue and actions."""

import json

import pytest

from civicgrid.applications.models import Case
from civicgrid.applications.tests import factories as f

BASE = "/api/v1/applications"


@pytest.fixture
def agent(client, personas):  # type: ignore[no-untyped-def]
    client.force_login(personas.enterprise_agent_a)
    return client


def _submit(client, service, **headers):  # type: ignore[no-untyped-def]
    files = [f.pdf_upload("a.pdf"), f.pdf_upload("b.pdf")]
    data = {"item": service.code, "answers": json.dumps(f.ANSWERS), "plan": files}
    return client.post(f"{BASE}/cases", data, **headers)


def test_the_form_definition_is_served_with_its_workflow(agent, service):
    response = agent.get(f"{BASE}/items/{service.code}/form")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1
    assert body["definition"]["steps"][0]["key"] == "project"
    assert [s["kind"] for s in body["workflow"]] == ["receive", "review", "decide", "complete"]


def test_a_whole_submission_with_two_files_makes_a_case(agent, service):
    response = _submit(agent, service)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted"
    assert body["item"] == service.code
    assert len(body["answers"]["plan"]) == 2
    assert body["time_left"] == "on_time"
    case = Case.objects.get(number=body["number"])
    assert case.attachments.count() == 2


def test_a_bad_file_is_refused_naming_the_field(agent, service):
    response = agent.post(
        f"{BASE}/cases",
        {
            "item": service.code,
            "answers": json.dumps(f.ANSWERS),
            "plan": f.upload("a.pdf", b"MZ\x90\x00rest"),
        },
    )
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == "plan"
    assert not Case.objects.exists()


def test_malformed_answers_and_unknown_items_are_refused(agent, service):
    assert agent.post(f"{BASE}/cases", {"item": service.code, "answers": "[1,2"}).status_code == 422
    assert agent.post(f"{BASE}/cases", {"item": "NOPE", "answers": "{}"}).status_code == 422
    response = agent.post(
        f"{BASE}/cases",
        {"item": service.code, "answers": {"x": 1}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not Case.objects.exists()


def test_an_idempotency_key_makes_a_retry_answer_the_first_case(agent, service):
    first = _submit(agent, service, HTTP_IDEMPOTENCY_KEY="submit-0001")
    second = _submit(agent, service, HTTP_IDEMPOTENCY_KEY="submit-0001")
    assert first.status_code == 201
    assert second.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 1


def test_the_clerk_works_the_case_and_the_applicant_follows_it(client, personas, service):
    case = f.submit(personas.enterprise_agent_a, service)
    client.force_login(personas.clerk_a)
    queue = client.get(f"{BASE}/queue").json()
    assert [row["number"] for row in queue["items"]] == [case.number]
    response = client.post(
        f"{BASE}/cases/{case.number}/advance", {"note": "材料齐全"}, content_type="application/json"
    )
    assert response.json()["status"] == "in_progress"
    response = client.post(
        f"{BASE}/cases/{case.number}/material-requests",
        {"items": ["用地预审意见"]},
        content_type="application/json",
    )
    assert response.json()["status"] == "awaiting_material"
    assert client.get(f"{BASE}/queue", {"time_left": "paused"}).json()["count"] == 1

    client.force_login(personas.enterprise_agent_a)
    response = client.post(f"{BASE}/cases/{case.number}/supply", {"files": f.pdf_upload()})
    assert response.json()["status"] == "in_progress"
    assert client.get(f"{BASE}/cases").json()["items"][0]["number"] == case.number
    # The applicant cannot act for the clerk.
    assert (
        client.post(
            f"{BASE}/cases/{case.number}/advance", {}, content_type="application/json"
        ).status_code
        == 404
    )

    client.force_login(personas.clerk_a)
    for _ in range(2):
        client.post(f"{BASE}/cases/{case.number}/advance", {}, content_type="application/json")
    response = client.post(
        f"{BASE}/cases/{case.number}/completion",
        {"method": "mail", "recipient": "李四"},
        content_type="application/json",
    )
    assert response.status_code == 422
    response = client.post(
        f"{BASE}/cases/{case.number}/completion",
        {"method": "e_certificate"},
        content_type="application/json",
    )
    assert response.json()["status"] == "completed"
    assert response.json()["delivery"]["certificate_number"]

    client.force_login(personas.enterprise_agent_a)
    response = client.post(
        f"{BASE}/cases/{case.number}/rating",
        {"rating": 2, "comment": "补正来回太久"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["rating"] == 2
    again = client.post(
        f"{BASE}/cases/{case.number}/rating", {"rating": 5}, content_type="application/json"
    )
    assert again.status_code == 422


def test_a_clerk_of_another_county_gets_404(client, personas, service):
    case = f.submit(personas.enterprise_agent_a, service)
    client.force_login(personas.clerk_b)
    assert client.get(f"{BASE}/cases/{case.number}").status_code == 404
    assert (
        client.post(
            f"{BASE}/cases/{case.number}/advance", {}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get(f"{BASE}/queue").json()["count"] == 0


def test_a_supervisor_who_is_not_the_steps_role_gets_403(client, personas, service):
    case = f.submit(personas.enterprise_agent_a, service)
    client.force_login(personas.county_a_officer)
    response = client.post(
        f"{BASE}/cases/{case.number}/advance", {}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "受理" in response.json()["message"]


def test_the_department_report_over_the_api(client, personas, service):
    from civicgrid.applications import actions

    for rating in (5, 1):
        case = f.advance_to(
            f.submit(personas.enterprise_agent_a, service), personas.clerk_a, "approved"
        )
        case = actions.do_complete_case(
            personas.clerk_a, case=case, method="pickup", pickup_place="3 号窗口"
        )
        actions.do_rate_case(personas.enterprise_agent_a, case=case, rating=rating, comment="评价")
    client.force_login(personas.clerk_a)
    response = client.get(f"{BASE}/report")
    assert response.status_code == 200
    [line] = response.json()["departments"]
    assert line["department"] == "阜城县发展和改革局"
    assert (line["finished"], line["rated"], line["bad"]) == (2, 2, 1)
    assert line["response_rate"] == 1.0 and line["satisfaction"] == 0.5
    assert (line["follow_ups_open"], line["follow_ups_overdue"], line["follow_ups_done"]) == (
        1,
        0,
        0,
    )
    client.force_login(personas.clerk_b)  # 景县's bureau sees nothing of 阜城县
    assert client.get(f"{BASE}/report").json() == {"departments": []}
    client.force_login(personas.resident_a)
    response = client.get(f"{BASE}/report")
    assert response.status_code == 403 and "好差评报表" in response.json()["message"]
