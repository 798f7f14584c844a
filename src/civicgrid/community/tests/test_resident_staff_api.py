"""The API's resident side (their figures, a correction asked) and staff side (the rules with
their hit rates, the corrections settled), as the pages have them."""

import json

import pytest

from civicgrid.accounts.actions import do_issue_api_token
from civicgrid.community import actions, rules, tokens
from civicgrid.community.choices import AlertStatus, CorrectionStatus, RuleKind
from civicgrid.community.models import Alert, AlertRule, PassCorrection, PassRecord
from civicgrid.community.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/community"


@pytest.fixture(autouse=True)
def _fresh_rules():
    rules.forget_rules()


def send(client, method, url, body):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _scan_out(personas) -> PassRecord:
    gate = f.checkpoint(personas)
    return actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out"
    ).record


def test_a_resident_reads_their_figures_and_where_to_report_under_observation(client, personas):
    household, (wang, _li) = f.home(personas.resident_a, members=("王芳", "李强"))
    _scan_out(personas)
    actions.do_log_disinfection(
        personas.resident_a, household=household, done_at=PassRecord.objects.get().scanned_at,
        area="whole_home", method="chlorine",
    )  # fmt: skip
    client.force_login(personas.resident_a)
    me = client.get(f"{API}/me").json()
    assert me["name"] == "王芳" and me["person_id"] == wang.pk
    assert (me["outings_this_week"], me["disinfections_this_week"]) == (1, 1)
    assert me["health_today"] == "missing" and me["observation_id"] is None
    observation = f.observe_at_home(personas, wang)
    assert client.get(f"{API}/me").json()["observation_id"] == observation.pk


def test_me_without_a_household_or_as_an_office_is_refused(client, personas):
    client.force_login(personas.resident_b)  # in no community's register
    answer = client.get(f"{API}/me")
    assert answer.status_code == 404 and answer.json()["code"] == "no_household"
    issued = do_issue_api_token(
        created_by=None, organisation=personas.organisations["county_a"], name="t"
    )
    client.logout()
    answer = client.get(f"{API}/me", HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert answer.status_code == 403


def test_a_resident_contests_their_own_pass_once_and_no_one_elses(client, personas):
    f.home(personas.resident_a)
    record = _scan_out(personas)
    url = f"{API}/passes/{record.pk}/corrections"
    client.force_login(personas.resident_b)
    assert send(client, "post", url, {"reason": "不是我"}).status_code == 404
    client.force_login(personas.resident_a)
    empty = send(client, "post", url, {"reason": "  "})
    assert empty.status_code == 422 and empty.json()["details"]["fields"][0]["field"] == "reason"
    asked = send(client, "post", url, {"reason": "当时不在小区"})
    assert asked.status_code == 201
    assert asked.json() | {"id": 0} == {
        "id": 0, "pass_id": record.pk, "reason": "当时不在小区", "status": "open",
        "resolution": "",
    }  # fmt: skip
    again = send(client, "post", url, {"reason": "再问一次"})
    assert again.status_code == 422 and PassCorrection.objects.count() == 1


def test_staff_settle_a_correction_and_the_pass_stops_counting(client, personas):
    f.home(personas.resident_a)
    record = _scan_out(personas)
    correction = actions.do_request_pass_correction(
        personas.resident_a, record=record, reason="当时不在小区"
    )
    staff = f.community_staff(personas)
    client.force_login(staff)
    listed = client.get(f"{API}/corrections").json()
    assert [(c["id"], c["name"], c["pass_direction"]) for c in listed] == [
        (correction.pk, "王*", "out")
    ]
    url = f"{API}/corrections/{correction.pk}/settle"
    kept = send(client, "post", url, {"accept": False})
    assert kept.status_code == 422 and kept.json()["details"]["fields"][0]["field"] == "resolution"
    settled = send(client, "post", url, {"accept": True})
    assert settled.status_code == 200 and settled.json()["status"] == CorrectionStatus.ACCEPTED
    record.refresh_from_db()
    assert record.voided_at is not None
    assert send(client, "post", url, {"accept": True}).status_code == 422  # settled already
    assert client.get(f"{API}/corrections").json() == []
    assert len(client.get(f"{API}/corrections?status=accepted").json()) == 1
    client.force_login(personas.county_b_officer)
    assert send(client, "post", url, {"accept": False, "resolution": "x"}).status_code == 404


def test_staff_read_the_rules_hit_rates_and_tune_a_threshold(client, personas):
    household, people = f.home(personas.resident_a)
    staff = f.community_staff(personas)
    fever = actions.do_save_alert_rule(
        staff, division_code=f.COMMUNITY_A1, kind=RuleKind.FEVER, threshold=None, is_active=True
    )
    actions.do_report_household_health(
        personas.resident_a, household=household, entries=[actions.EntryInput(people[0].pk, "38.4")]
    )
    actions.do_resolve_alert(
        personas.admin, alert=Alert.objects.get(), status=AlertStatus.CONFIRMED, finding="电话核实"
    )
    client.force_login(staff)
    (row,) = client.get(f"{API}/rules").json()
    assert row["id"] == fever.pk and (row["alerts"], row["confirmed"], row["hit_rate"]) == (
        1, 1, 100.0,
    )  # fmt: skip
    saved = send(client, "put", f"{API}/rules", {
        "division_code": f.COMMUNITY_A1, "kind": RuleKind.EXITS_PER_DAY, "threshold": 3,
    })  # fmt: skip
    assert saved.status_code == 200 and "超过 3 次" in saved.json()["description"]
    assert saved.json()["hit_rate"] is None
    refused = send(client, "put", f"{API}/rules", {
        "division_code": f.COMMUNITY_A1, "kind": RuleKind.NO_REPORT, "threshold": 0,
    })  # fmt: skip
    assert (
        refused.status_code == 422
        and refused.json()["details"]["fields"][0]["field"] == "threshold"
    )
    client.force_login(personas.grid_worker_a1)  # reads the rules, does not set them
    assert len(client.get(f"{API}/rules").json()) == 2
    answer = send(client, "put", f"{API}/rules", {
        "division_code": f.COMMUNITY_A1, "kind": RuleKind.FEVER, "is_active": False,
    })  # fmt: skip
    assert answer.status_code == 403
    assert AlertRule.objects.get(kind=RuleKind.FEVER).is_active
