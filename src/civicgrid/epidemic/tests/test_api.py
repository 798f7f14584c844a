"""The daily-reporting API: submit with retries, bad figures, versions, scoped statistics."""

import json

import pytest

from civicgrid.accounts.actions import do_issue_api_token
from civicgrid.epidemic.models import Report
from civicgrid.epidemic.tests import factories as f

pytestmark = pytest.mark.django_db
REPORTS = "/api/v1/epidemic/reports"


def send(client, method, url, body, **headers):  # type: ignore[no-untyped-def]
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.fixture
def setup(personas):  # type: ignore[no-untyped-def]
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    return form, centre, clinician


def _body(form, centre, **figures):  # type: ignore[no-untyped-def]
    return {
        "form": form.pk,
        "unit": centre.pk,
        "date": f.days_ago(0).isoformat(),
        "values": f.figures(**figures),
        "version": 0,
    }


def test_a_retried_submission_with_its_idempotency_key_is_one_report(client, setup):
    form, centre, clinician = setup
    client.force_login(clinician)
    first = send(client, "post", REPORTS, _body(form, centre, new=3), **{"Idempotency-Key": "k1"})
    retry = send(client, "post", REPORTS, _body(form, centre, new=3), **{"Idempotency-Key": "k1"})
    assert first.status_code == 201 and retry.status_code == 201
    assert first.json() == retry.json()
    assert first.json()["values"]["new_confirmed"] == "3"
    assert Report.objects.get().version == 1


def test_bad_figures_answer_422_naming_the_element_and_save_nothing(client, setup):
    form, centre, clinician = setup
    client.force_login(clinician)
    body = _body(form, centre)
    body["values"]["fever_visits"] = "很多"
    answer = send(client, "post", REPORTS, body)
    assert answer.status_code == 422
    assert answer.json()["message"] == "「发热门诊就诊」应为数字，收到“很多”"
    assert answer.json()["details"]["fields"][0]["field"] == "fever_visits"
    future = {**_body(form, centre), "date": f.days_ago(-1).isoformat()}
    assert send(client, "post", REPORTS, future).status_code == 422
    assert not Report.objects.exists()


def test_a_stale_correction_answers_409_with_the_current_version(client, setup):
    form, centre, clinician = setup
    client.force_login(clinician)
    report_id = send(client, "post", REPORTS, _body(form, centre)).json()["id"]
    url = f"{REPORTS}/{report_id}"
    fixed = send(client, "put", url, {"values": f.figures(new=2), "version": 1, "note": "更正"})
    assert (fixed.status_code, fixed.json()["version"]) == (200, 2)
    stale = send(client, "put", url, {"values": f.figures(new=5), "version": 1})
    assert stale.status_code == 409
    assert stale.json()["code"] == "version_conflict"
    assert stale.json()["details"] == {"current_version": 2}
    history = client.get(url).json()["revisions"]
    assert [(r["version"], r["values"]["new_confirmed"]) for r in history] == [(2, "2"), (1, "1")]


def test_a_unit_outside_the_remit_is_404_and_a_sibling_county_sees_nothing(client, personas, setup):
    form, centre, clinician = setup
    client.force_login(clinician)
    report_id = send(client, "post", REPORTS, _body(form, centre)).json()["id"]
    sibling, _ = f.sibling_centre()
    assert send(client, "post", REPORTS, _body(form, sibling)).status_code == 404
    client.force_login(personas.county_b_officer)
    assert client.get(f"{REPORTS}/{report_id}").status_code == 404
    assert send(client, "post", REPORTS, _body(form, centre)).status_code == 404
    stats = f"/api/v1/epidemic/forms/{form.pk}/statistics"
    assert client.get(stats, {"within": "131128"}).status_code == 404
    assert client.get(stats).json()["total"]["values"] == {}


def test_county_and_city_statistics_agree_and_a_token_of_the_county_can_read(
    client, personas, setup
):
    form, centre, clinician = setup
    client.force_login(clinician)
    send(client, "post", REPORTS, _body(form, centre, new=4, cum=30))
    stats = f"/api/v1/epidemic/forms/{form.pk}/statistics"
    client.force_login(personas.city_officer)
    city = client.get(stats).json()
    assert {r["code"]: r["values"].get("new_confirmed") for r in city["rows"]}["131128"] == "4"
    issued = do_issue_api_token(
        created_by=personas.county_a_admin,
        organisation=personas.organisations["county_a"],
        name="county-dashboard",
    )
    client.logout()
    county = client.get(stats, headers={"Authorization": f"Bearer {issued.plaintext}"}).json()
    assert county["total"]["values"]["new_confirmed"] == "4"
    assert county["total"]["values"]["cum_confirmed"] == "30"
    trend = client.get(
        f"/api/v1/epidemic/forms/{form.pk}/trend",
        {"element": "new_confirmed", "start": f.days_ago(2).isoformat()},
        headers={"Authorization": f"Bearer {issued.plaintext}"},
    ).json()
    assert trend["values"] == ["0", "0", "4"]


def test_the_county_prevention_office_token_submits_for_its_units(client, personas, setup):
    form, centre, _ = setup
    issued = do_issue_api_token(
        created_by=personas.county_a_admin,
        organisation=personas.organisations["county_a"],
        name="county-system",
    )
    auth = {"Authorization": f"Bearer {issued.plaintext}"}
    answer = send(client, "post", REPORTS, _body(form, centre), **auth)
    assert answer.status_code == 201, answer.content
