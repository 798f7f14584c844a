"""The register's API: scoped like the pages, masked always, writes through the actions,
422 naming the field, and a retried visit recorded once."""

import datetime
import json

import pytest
from django.utils import timezone

from civicgrid.accounts.actions import do_issue_api_token
from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.idcard import make_id_number
from civicgrid.population import selectors
from civicgrid.population.actions import do_record_visit
from civicgrid.population.choices import PersonStatus, PersonTag, Relationship
from civicgrid.population.models import Household, Person, PersonTagging, ScreeningVisit
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/population"
MOBILE = "13800001234"


@pytest.fixture
def homes(personas):
    a1 = f.household(grid_index=0, room="101")
    a2 = f.household(grid_index=0, room="202")
    b1 = f.household(grid_index=1, room="303")
    county_b = f.household(f.COMMUNITY_B1, room="404")
    f.person(a1, "张伟", relationship=Relationship.HEAD, mobile=MOBILE)
    f.person(a1, "李秀英", relationship=Relationship.SPOUSE, tags=[PersonTag.KEY_PERSON])
    f.person(a2, "王芳", relationship=Relationship.HEAD, mobile="13911115678")
    f.person(b1, "赵强", relationship=Relationship.HEAD, mobile="13700001234")
    f.person(county_b, "孙丽", relationship=Relationship.HEAD)
    f.assign(personas.grid_worker_a1, grid_index=0)
    return {"a1": a1, "a2": a2, "b1": b1, "county_b": county_b}


@pytest.fixture
def worker(client, personas):
    client.force_login(personas.grid_worker_a1)
    return client


def _json(client, method, path, body=None, **headers):
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(
        f"{API}{path}", data=data, content_type="application/json", **headers
    )


def _names(response):
    return sorted(p["name"] for h in response.json()["items"] for p in h["members"])


# --- reading -------------------------------------------------------------------------------


def test_a_grid_worker_lists_only_the_households_of_their_grid(worker, homes):
    response = worker.get(f"{API}/households")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert _names(response) == ["张伟", "李秀英", "王芳"]


def test_households_carry_head_member_count_last_visit_and_masked_numbers(worker, homes):
    do_record_visit(None, household=homes["a1"], visited_on=timezone.localdate(), method="door")
    item = worker.get(f"{API}/households", {"q": "101"}).json()["items"][0]
    assert item["head_name"] == "张伟" and item["member_count"] == 2
    assert item["last_visit_on"] == timezone.localdate().isoformat()
    head = item["members"][0]
    assert head["mobile"] == "138****1234"
    assert head["id_number"].count("*") == 8
    assert MOBILE not in json.dumps(item)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("张伟", ["张伟", "李秀英"]),
        ("wf", ["王芳"]),
        ("202", ["王芳"]),
        ("1234", ["张伟", "李秀英"]),
    ],
)
def test_households_are_searched_like_on_the_page(worker, homes, q, expected):
    assert _names(worker.get(f"{API}/households", {"q": q})) == expected


@pytest.mark.parametrize("q", ["张伟", "wf", "202", "1234"])
def test_a_search_with_more_matches_than_are_read_first_answers_the_same(
    worker, homes, q, monkeypatch
):
    """Past MATCHES_READ_FIRST the matches stay a subquery; the answer must not change."""
    by_list = worker.get(f"{API}/households", {"q": q}).json()
    monkeypatch.setattr(selectors, "MATCHES_READ_FIRST", 0)
    by_subquery = worker.get(f"{API}/households", {"q": q}).json()
    assert by_subquery == by_list and by_list["count"] >= 1


def test_households_filter_by_tag_and_paginate(worker, homes):
    tagged = worker.get(f"{API}/households", {"tag": "key_person"}).json()
    assert tagged["count"] == 1 and tagged["items"][0]["id"] == homes["a1"].pk
    page = worker.get(f"{API}/households", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and [h["id"] for h in page["items"]] == [homes["a2"].pk]


def test_persons_are_searched_by_initials_last_4_digits_tag_and_status(worker, homes):
    def names(**params):
        return sorted(p["name"] for p in worker.get(f"{API}/persons", params).json()["items"])

    assert names(q="lxy") == ["李秀英"]
    assert names(q="5678") == ["王芳"]
    assert names(q="1234") == ["张伟"]  # 赵强 in grid B ends in 1234 too
    assert names(tag="key_person") == ["李秀英"]
    assert names(status="living_here") == ["张伟", "李秀英", "王芳"]


def test_a_whole_id_number_or_mobile_finds_the_person_and_their_household(worker, homes):
    zhang = homes["a1"].members.get(name="张伟")
    for q in (zhang.id_number.reveal(), MOBILE, "138 0000 1234"):
        persons = worker.get(f"{API}/persons", {"q": q}).json()
        assert [p["name"] for p in persons["items"]] == ["张伟"] and persons["count"] == 1
        assert _names(worker.get(f"{API}/households", {"q": q})) == ["张伟", "李秀英"]
    # Digits that are no whole number match no name; an address may still hold them.
    assert worker.get(f"{API}/persons", {"q": "12345"}).json()["count"] == 0
    assert _names(worker.get(f"{API}/households", {"q": "20"})) == ["王芳"]


def test_another_grids_household_and_person_are_404_and_audited(worker, homes):
    stranger = homes["b1"].members.get()
    assert worker.get(f"{API}/households/{homes['b1'].pk}").status_code == 404
    response = worker.get(f"{API}/persons/{stranger.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert AuditRecord.objects.filter(action="access_denied").count() == 2


def test_one_household_has_its_members(worker, homes):
    body = worker.get(f"{API}/households/{homes['a1'].pk}").json()
    assert [m["name"] for m in body["members"]] == ["张伟", "李秀英"]


def test_a_person_comes_with_their_history(worker, homes):
    person = homes["a1"].members.get(name="张伟")
    _json(worker, "put", f"/persons/{person.pk}/status", {"status": "moved_out", "reason": "务工"})
    body = worker.get(f"{API}/persons/{person.pk}").json()
    assert body["status"] == "moved_out"
    assert body["changes"][0]["field"] == "status" and body["changes"][0]["reason"] == "务工"


def test_an_api_token_reads_its_organisations_jurisdiction(client, personas, homes):
    issued = do_issue_api_token(
        created_by=None, organisation=personas.organisations["county_b"], name="t"
    )
    response = client.get(f"{API}/persons", HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")
    assert [p["name"] for p in response.json()["items"]] == ["孙丽"]


def test_anonymous_callers_get_401_and_other_roles_403(client, personas, homes):
    assert client.get(f"{API}/households").status_code == 401
    client.force_login(personas.volunteer_a)
    response = client.get(f"{API}/households")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_the_household_list_takes_a_fixed_number_of_queries(
    worker, homes, django_assert_num_queries
):
    worker.get(f"{API}/households")
    for n in range(10):
        home = f.household(grid_index=0, room=f"7{n}")
        f.person(home, f"住户{n}", tags=[PersonTag.CHILD, PersonTag.DISABLED])
        do_record_visit(None, household=home, visited_on=timezone.localdate(), method="phone")
    # session with its user, memberships, assignments, the page's ids, the page, members with their
    # tags (a page that is not full is the last one: its total needs no count)
    with django_assert_num_queries(6):
        assert worker.get(f"{API}/households", {"limit": 50}).json()["count"] == 12
    with django_assert_num_queries(7):  # ... and a count after a full page
        assert worker.get(f"{API}/households", {"limit": 5}).json()["count"] == 12


def test_the_person_list_takes_a_fixed_number_of_queries(worker, homes, django_assert_num_queries):
    worker.get(f"{API}/persons")
    for n in range(10):
        f.person(homes["a2"], f"成员{n}", tags=[PersonTag.CHILD])
    with django_assert_num_queries(5):  # session+user, memberships, assignments, page, tags
        assert worker.get(f"{API}/persons", {"limit": 50}).json()["count"] == 13


@pytest.mark.parametrize(("limit", "offset"), [(5, 0), (5, 5), (5, 10), (5, 13), (5, 20), (20, 0)])
def test_the_total_is_the_same_whether_or_not_the_page_is_full(worker, homes, limit, offset):
    for n in range(10):
        f.person(homes["a2"], f"成员{n}")
    body = worker.get(f"{API}/persons", {"limit": limit, "offset": offset}).json()
    assert body["count"] == 13
    assert len(body["items"]) == max(0, min(limit, 13 - offset))


# --- writing -------------------------------------------------------------------------------


def test_a_grid_worker_registers_a_household_in_their_grid(worker, personas, homes):
    grid = f.grids_of(f.COMMUNITY_A1)[0]
    response = _json(
        worker,
        "post",
        "/households",
        {"community_code": f.COMMUNITY_A1, "grid_id": grid.pk, "building": "3号楼", "room": "501"},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["grid_id"] == grid.pk and body["address"].endswith("3号楼 501")
    assert body["member_count"] == 0 and body["members"] == []


def test_a_grid_worker_may_not_register_a_household_outside_their_grid(worker, homes):
    other = f.grids_of(f.COMMUNITY_A1)[1]
    response = _json(
        worker, "post", "/households", {"community_code": f.COMMUNITY_A1, "grid_id": other.pk}
    )
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == "grid_id"
    response = _json(worker, "post", "/households", {"community_code": f.COMMUNITY_A1})
    assert response.json()["details"]["fields"][0]["field"] == "grid_id"
    assert Household.objects.count() == 4


def test_a_household_in_another_county_is_refused_on_the_community_field(client, personas, homes):
    client.force_login(personas.county_a_officer)
    response = _json(client, "post", "/households", {"community_code": f.COMMUNITY_B1})
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == "community_code"


def test_a_person_is_registered_through_the_action_and_comes_back_masked(worker, homes):
    number = make_id_number(f.COMMUNITY_A1, datetime.date(1990, 2, 3), 77)
    response = _json(
        worker,
        "post",
        "/persons",
        {
            "household_id": homes["a2"].pk,
            "id_number": number,
            "name": "王小明",
            "relationship": "child",
            "mobile": "+86 139-0000-4321",
            "tags": ["child"],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id_number"] == f"{number[:6]}********{number[-4:]}"
    assert body["mobile"] == "139****4321" and body["tags"] == ["child"]
    assert body["birth_date"] == "1990-02-03"
    person = Person.objects.get(pk=body["id"])
    assert person.mobile_last4 == "4321" and person.name_initials == "wxm"
    assert AuditRecord.objects.filter(action="create", target_id=str(person.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"id_number": "131128199001011230"}, "id_number", "校验码"),
        ({"id_number": "1.31128E+17"}, "id_number", "科学计数法"),
        ({"mobile": "010-12345678"}, "mobile", "固定电话"),
        ({"name": "  "}, "name", "姓名不能为空"),
    ],
)
def test_a_bad_person_is_refused_naming_the_field_and_nothing_is_saved(
    worker, homes, change, field, message
):
    body = {
        "household_id": homes["a2"].pk,
        "id_number": make_id_number(f.COMMUNITY_A1, datetime.date(1990, 2, 3), 78),
        "name": "王小明",
    }
    body.update(change)
    before = Person.objects.count()
    response = _json(worker, "post", "/persons", body)
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "invalid_input"
    assert error["details"]["fields"][0]["field"] == field
    assert message in error["message"]
    assert Person.objects.count() == before


def test_the_same_citizen_id_twice_is_refused_on_the_id_number(worker, homes):
    existing = homes["a1"].members.get(name="张伟")
    response = _json(
        worker,
        "post",
        "/persons",
        {"household_id": homes["a2"].pk, "id_number": existing.id_number.reveal(), "name": "重复"},
    )
    assert response.status_code == 422
    assert response.json()["details"]["fields"] == [
        {"field": "id_number", "message": "该公民身份号码已在台账中登记，不能重复录入"}
    ]


def test_registering_into_a_household_of_another_grid_names_the_household_field(worker, homes):
    response = _json(
        worker,
        "post",
        "/persons",
        {
            "household_id": homes["b1"].pk,
            "id_number": make_id_number(f.COMMUNITY_A1, datetime.date(1990, 2, 3), 79),
            "name": "某人",
        },
    )
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == "household_id"


def test_a_persons_mobile_and_tags_are_updated_with_history(worker, homes):
    person = homes["a1"].members.get(name="李秀英")
    response = _json(
        worker,
        "patch",
        f"/persons/{person.pk}",
        {"mobile": "13612345678", "tags": ["elderly_alone", "chronic_illness"]},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["mobile"] == "136****5678"
    assert body["tags"] == ["chronic_illness", "elderly_alone"]
    assert {c["field"] for c in body["changes"]} == {"mobile", "tags"}
    person.refresh_from_db()
    assert person.mobile == "13612345678" and person.mobile_last4 == "5678"
    assert "13612345678" not in json.dumps(body)
    assert set(PersonTagging.objects.filter(person=person).values_list("tag", flat=True)) == {
        "elderly_alone",
        "chronic_illness",
    }


def test_a_bad_mobile_in_an_update_names_the_field_and_changes_nothing(worker, homes):
    person = homes["a1"].members.get(name="张伟")
    response = _json(worker, "patch", f"/persons/{person.pk}", {"mobile": "12345", "tags": []})
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == "mobile"
    person.refresh_from_db()
    assert person.mobile == MOBILE


def test_an_unknown_tag_is_refused_by_name(worker, homes):
    person = homes["a1"].members.get(name="张伟")
    response = _json(worker, "patch", f"/persons/{person.pk}", {"tags": ["vip"]})
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"].startswith("payload.tags")


def test_a_county_officer_moves_a_person_to_grid_b_and_the_grid_worker_loses_sight(
    client, personas, homes
):
    person = homes["a2"].members.get()
    client.force_login(personas.county_a_officer)
    response = _json(
        client,
        "put",
        f"/persons/{person.pk}/household",
        {"household_id": homes["b1"].pk, "reason": "搬家"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["household_id"] == homes["b1"].pk
    client.force_login(personas.grid_worker_a1)
    assert client.get(f"{API}/persons/{person.pk}").status_code == 404


def test_a_grid_worker_cannot_move_someone_into_a_household_they_cannot_see(worker, homes):
    person = homes["a2"].members.get()
    response = _json(
        worker, "put", f"/persons/{person.pk}/household", {"household_id": homes["b1"].pk}
    )
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == "household_id"
    person.refresh_from_db()
    assert person.household == homes["a2"]


def test_a_status_outside_the_choices_is_refused_by_name(worker, homes):
    person = homes["a2"].members.get()
    response = _json(worker, "put", f"/persons/{person.pk}/status", {"status": "gone"})
    assert response.status_code == 422
    assert "status" in response.json()["message"]
    person.refresh_from_db()
    assert person.status == PersonStatus.LIVING_HERE


def test_a_visit_is_recorded_and_listed(worker, homes):
    head = homes["a1"].members.get(name="张伟")
    response = _json(
        worker,
        "post",
        f"/households/{homes['a1'].pk}/visits",
        {
            "visited_on": timezone.localdate().isoformat(),
            "method": "phone",
            "reached": [head.pk],
            "has_symptoms": True,
            "symptoms": "发热",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["reached"] == [head.pk]
    listed = worker.get(f"{API}/households/{homes['a1'].pk}/visits").json()
    assert [v["symptoms"] for v in listed] == ["发热"]


def test_a_visit_retried_with_the_same_idempotency_key_is_recorded_once(worker, homes):
    body = {"visited_on": timezone.localdate().isoformat(), "method": "door"}
    path = f"/households/{homes['a1'].pk}/visits"
    first = _json(worker, "post", path, body, HTTP_IDEMPOTENCY_KEY="api-visit-1")
    retry = _json(worker, "post", path, body, HTTP_IDEMPOTENCY_KEY="api-visit-1")
    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true" and retry.json() == first.json()
    assert ScreeningVisit.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"visited_on": "2999-01-01"}, "visited_on"),
        ({"reached": ["STRANGER"]}, "reached"),
        ({"reached": ["NEIGHBOUR"]}, "reached"),
    ],
)
def test_a_bad_visit_is_refused_naming_the_field(worker, homes, change, field):
    stranger = homes["b1"].members.get()  # another grid: not even visible
    neighbour = homes["a2"].members.get()  # visible, but not a member of this household
    ids = {"STRANGER": stranger.pk, "NEIGHBOUR": neighbour.pk}
    if "reached" in change:
        change = {"reached": [ids[change["reached"][0]]]}
    body = {"visited_on": timezone.localdate().isoformat(), "method": "door", **change}
    response = _json(worker, "post", f"/households/{homes['a1'].pk}/visits", body)
    assert response.status_code == 422
    assert response.json()["details"]["fields"][0]["field"] == field
    assert not ScreeningVisit.objects.exists()


def test_writes_are_refused_to_a_role_that_only_reads(client, personas, homes):
    client.force_login(personas.cdc_a)
    assert client.get(f"{API}/households/{homes['a1'].pk}").status_code == 200
    response = _json(
        client,
        "post",
        f"/households/{homes['a1'].pk}/visits",
        {"visited_on": timezone.localdate().isoformat(), "method": "door"},
    )
    assert response.status_code == 403
    assert not ScreeningVisit.objects.exists()


def test_writes_to_another_county_are_404(client, personas, homes):
    client.force_login(personas.county_b_officer)
    person = homes["a1"].members.get(name="张伟")
    assert _json(client, "patch", f"/persons/{person.pk}", {"tags": []}).status_code == 404
    response = _json(
        client,
        "post",
        f"/households/{homes['a1'].pk}/visits",
        {"visited_on": timezone.localdate().isoformat(), "method": "door"},
    )
    assert response.status_code == 404
    assert not ScreeningVisit.objects.exists()


def test_anonymous_writes_get_401(client, homes):
    response = _json(
        client,
        "post",
        f"/households/{homes['a1'].pk}/visits",
        {"visited_on": timezone.localdate().isoformat(), "method": "door"},
    )
    assert response.status_code == 401
