"""Declarations in the API: a resident declares and follows theirs; the community's grid worker
lists, verifies (with a corrected address) or returns them; masked numbers; clear refusals."""

import datetime
import json

import pytest

from civicgrid.accounts.actions import do_issue_api_token
from civicgrid.core.idcard import make_id_number
from civicgrid.population.choices import DeclarationStatus
from civicgrid.population.models import Household, HouseholdDeclaration
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/population"
HEAD_ID = make_id_number("131128", datetime.date(1975, 4, 2), 41)
CHILD_ID = make_id_number("131128", datetime.date(2010, 9, 9), 42)


def _post(client, path, body, **headers):
    return client.post(
        f"{API}{path}", data=json.dumps(body), content_type="application/json", **headers
    )


def _fields(response) -> set[str]:
    return {error["field"] for error in response.json()["details"]["fields"]}


def _body(**changes):
    return {
        "community_code": f.COMMUNITY_A1,
        "building": "3号楼",
        "unit": "2单元",
        "room": "3O1",
        "members": [
            {"name": "王建国", "id_number": HEAD_ID, "relationship": "head", "is_declarant": True},
            {"name": "王小雨", "id_number": CHILD_ID, "relationship": "child"},
        ],
        **changes,
    }


@pytest.fixture
def declared(client, personas):
    client.force_login(personas.resident_a)
    made = _post(client, "/self/declarations", _body())
    assert made.status_code == 201, made.json()
    return made.json()


def test_a_resident_declares_with_numbers_masked_and_follows_it(client, personas, declared):
    assert declared["status"] == DeclarationStatus.PENDING
    numbers = [m["id_number"] for m in declared["members"]]
    assert HEAD_ID not in numbers and numbers[0].startswith(HEAD_ID[:6])
    assert [d["id"] for d in client.get(f"{API}/self/declarations").json()] == [declared["id"]]
    client.force_login(personas.resident_b)
    assert client.get(f"{API}/self/declarations").json() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"community_code": "131128999999"}, "community_code"),
        ({"community_code": "131128000000"}, "community"),  # a county, not a community
        ({"room": " "}, "room"),
        (
            {
                "members": [
                    {"name": "王建国", "id_number": "131128197504020000", "relationship": "head"}
                ]
            },
            "members.1.id_number",
        ),
        (
            {"members": [{"name": "王建国", "id_number": HEAD_ID, "relationship": "child"}]},
            "members",
        ),
    ],
)
def test_a_bad_declaration_is_refused_naming_the_field(client, personas, changes, field):
    client.force_login(personas.resident_a)
    refused = _post(client, "/self/declarations", _body(**changes))
    assert refused.status_code == 422 and field in _fields(refused)
    assert not HouseholdDeclaration.objects.exists()


def test_the_grid_worker_verifies_with_a_corrected_room_once(client, personas, declared):
    f.assign(personas.grid_worker_a1, grid_index=0)
    client.force_login(personas.grid_worker_a1)
    [waiting] = client.get(f"{API}/declarations").json()
    assert waiting["id"] == declared["id"]
    grid = f.grids_of(f.COMMUNITY_A1)[0]
    path = f"/declarations/{declared['id']}/verify"
    done = _post(client, path, {"grid_id": grid.pk, "room": "301"})
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == DeclarationStatus.VERIFIED
    household = Household.objects.get(pk=done.json()["household_id"])
    assert (household.building, household.room) == ("3号楼", "301")
    assert done.json()["review_note"] == "核实时住址更正为 3号楼 2单元 301"
    again = _post(client, path, {"grid_id": grid.pk})
    assert again.status_code == 409
    assert client.get(f"{API}/declarations").json() == []
    client.force_login(personas.resident_a)
    [mine] = client.get(f"{API}/self/declarations").json()
    assert mine["household_id"] == household.pk


def test_a_return_needs_a_reason_and_the_resident_reads_it(client, personas, declared):
    client.force_login(personas.county_a_officer)
    path = f"/declarations/{declared['id']}/return"
    refused = _post(client, path, {"note": "  "})
    assert refused.status_code == 422 and "note" in _fields(refused)
    returned = _post(client, path, {"note": "房号请写阿拉伯数字"})
    assert returned.json()["status"] == DeclarationStatus.REJECTED
    client.force_login(personas.resident_a)
    [mine] = client.get(f"{API}/self/declarations").json()
    assert mine["review_note"] == "房号请写阿拉伯数字"


def test_only_editors_of_that_community_review(client, personas, declared):
    grid = f.grids_of(f.COMMUNITY_A1)[0]
    path = f"/declarations/{declared['id']}/verify"
    client.force_login(personas.cdc_a)  # reads the register, does not write it
    assert _post(client, path, {"grid_id": grid.pk}).status_code == 403
    client.force_login(personas.county_b_officer)
    assert client.get(f"{API}/declarations").json() == []
    assert _post(client, path, {"grid_id": grid.pk}).status_code == 404
    other_grid = f.grids_of(f.COMMUNITY_B1)[0]
    client.force_login(personas.county_a_officer)
    refused = _post(client, path, {"grid_id": other_grid.pk})
    assert refused.status_code == 422 and "grid_id" in _fields(refused)
    issued = do_issue_api_token(
        created_by=None, organisation=personas.organisations["county_a"], name="t"
    )
    client.logout()
    token = {"HTTP_AUTHORIZATION": f"Bearer {issued.plaintext}"}
    assert client.get(f"{API}/declarations", **token).status_code == 403
    assert HouseholdDeclaration.objects.get().status == DeclarationStatus.PENDING
