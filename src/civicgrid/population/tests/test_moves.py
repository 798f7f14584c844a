"""People leaving a household: a split (分户), a move with a relationship, a move out; through
the actions, the grid worker's pages and the API. History is kept; a refusal writes nothing."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError

from civicgrid.population.actions import do_move_person, do_split_household
from civicgrid.population.choices import PersonStatus, Relationship
from civicgrid.population.models import Household, Person, PersonChange
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1/population"


@pytest.fixture
def family(personas):
    """陆志强's household of four in grid 1, which grid_worker_a1 has."""
    home = f.household(grid_index=0, room="101")
    people = {
        "father": f.person(home, "陆志强", born=datetime.date(1970, 1, 1), relationship=Relationship.HEAD),
        "mother": f.person(home, "黄莉", born=datetime.date(1972, 1, 1), relationship=Relationship.SPOUSE),
        "daughter": f.person(home, "陆丽", born=datetime.date(1998, 1, 1), relationship=Relationship.CHILD),
        "son": f.person(home, "陆明", born=datetime.date(2000, 1, 1), relationship=Relationship.CHILD),
    }  # fmt: skip
    f.assign(personas.grid_worker_a1, grid_index=0)
    home.refresh_from_db()
    return home, people


def _names(household: Household) -> list[str]:
    return sorted(household.members.values_list("name", flat=True))


def test_a_split_moves_the_chosen_members_to_a_new_household_with_their_history(family):
    home, people = family
    new = do_split_household(
        None,
        household=home,
        members=[people["daughter"], people["son"]],
        head=people["daughter"],
        building="1号楼",
        room="102",
        reason="结婚后另立户",
    )
    assert new.division_code == home.division_code and new.grid_id == home.grid_id
    assert new.address.endswith("1号楼 102")
    assert _names(new) == ["陆丽", "陆明"] and _names(home) == ["陆志强", "黄莉"]
    new.refresh_from_db()
    home.refresh_from_db()
    assert new.head == people["daughter"] and home.head == people["father"]
    people["son"].refresh_from_db()
    assert people["son"].relationship == Relationship.CHILD  # to the old head, kept as it was
    moves = PersonChange.objects.filter(field="household").order_by("person__name")
    assert [(c.person.name, c.new_value, c.reason) for c in moves] == [
        ("陆丽", new.address, "分户：结婚后另立户"),
        ("陆明", new.address, "分户：结婚后另立户"),
    ]
    assert {c.old_value for c in moves} == {home.address}


def test_when_the_head_leaves_someone_who_stays_heads_the_old_household(family):
    home, people = family
    leaving = [people["father"], people["mother"]]
    with pytest.raises(ValidationError) as refused:
        do_split_household(None, household=home, members=leaving, head=people["father"], room="9")
    assert refused.value.code == "remaining_head"
    do_split_household(
        None,
        household=home,
        members=leaving,
        head=people["father"],
        room="9",
        remaining_head=people["daughter"],
    )
    home.refresh_from_db()
    assert home.head == people["daughter"]
    change = PersonChange.objects.get(person=people["daughter"], field="relationship")
    assert (change.old_value, change.new_value) == (Relationship.CHILD, Relationship.HEAD)
    people["father"].refresh_from_db()  # still the head, of the new household
    assert people["father"].relationship == Relationship.HEAD
    assert people["father"].household.head_id == people["father"].pk


@pytest.mark.parametrize(
    ("who", "head", "room", "code"),
    [
        ([], "son", "102", "members"),
        (["father", "mother", "daughter", "son"], "son", "102", "members"),
        (["son"], "daughter", "102", "head"),
        (["son"], "son", " ", "room"),
        (["son"], "son", "101", "room"),  # the household's own address: that is no split
    ],
)
def test_a_bad_split_is_refused_and_writes_nothing(family, who, head, room, code):
    home, people = family
    before = (Household.objects.count(), PersonChange.objects.count())
    with pytest.raises(ValidationError) as refused:
        do_split_household(
            None,
            household=home,
            members=[people[w] for w in who],
            head=people[head],
            building="1号楼",
            room=room,
        )
    assert refused.value.code == code
    assert (Household.objects.count(), PersonChange.objects.count()) == before
    assert len(_names(home)) == 4


def test_someone_from_another_household_cannot_be_split_off(family):
    home, _people = family
    stranger = f.person(f.household(room="303"), "路人")
    with pytest.raises(ValidationError) as refused:
        do_split_household(None, household=home, members=[stranger], head=stranger, room="9")
    assert refused.value.code == "members"
    stranger.refresh_from_db()
    assert stranger.household_id != home.pk


def test_a_move_as_head_is_refused_where_there_is_one_and_heads_a_household_without(family):
    home, people = family
    other = f.household(room="202")
    f.person(other, "明建军", relationship=Relationship.HEAD)
    with pytest.raises(ValidationError) as refused:
        do_move_person(None, person=people["son"], household=other, relationship="head")
    assert refused.value.code == "head_taken"
    people["son"].refresh_from_db()
    assert people["son"].household_id == home.pk
    empty = f.household(room="203")
    do_move_person(None, person=people["son"], household=empty, relationship="head")
    empty.refresh_from_db()
    assert empty.head == people["son"]


# --- the pages ---------------------------------------------------------------------------------


def test_a_grid_worker_splits_a_household_on_the_page_once(client, personas, family):
    home, people = family
    client.force_login(personas.grid_worker_a1)
    url = f"/population/grid/households/{home.pk}/split/"
    form = client.get(url).content.decode()
    assert "陆丽（子女）" in form
    data = {
        "members": [people["daughter"].pk],
        "head": people["daughter"].pk,
        "building": "1号楼",
        "unit": "",
        "room": "102",
        "grid": home.grid_id,
        "reason": "结婚",
    }
    done = client.post(url, data, follow=True)
    new = Household.objects.get(room="102")
    assert done.redirect_chain[-1][0] == f"/population/grid/households/{new.pk}/"
    page = done.content.decode()
    assert "已分户：陆丽 迁入新户" in page and "变更记录 1 条" in page and "分户：结婚" in page
    # The same form sent again (a double tap) finds her no longer a member of the old household.
    again = client.post(url, data).content.decode()
    assert "分出去的必须是本户在住成员" in again
    assert Household.objects.filter(room="102").count() == 1


def test_the_split_form_names_what_is_missing(client, personas, family):
    home, _people = family
    client.force_login(personas.grid_worker_a1)
    page = client.post(f"/population/grid/households/{home.pk}/split/", {}).content.decode()
    for message in ("请选择分出去的成员", "请选择新户户主", "请填写新户的门牌/房号"):
        assert message in page
    assert Household.objects.count() == 1


def test_a_grid_worker_moves_a_person_only_to_a_household_they_see(client, personas, family):
    home, people = family
    mine = f.household(grid_index=0, room="501")
    theirs = f.household(grid_index=1, room="502")
    client.force_login(personas.grid_worker_a1)
    url = f"/population/grid/persons/{people['son'].pk}/change/"
    found = client.get(url, {"q": "50"}).content.decode()
    assert f'value="{mine.pk}"' in found and f'value="{theirs.pk}"' not in found
    assert client.post(url, {"household": theirs.pk, "relationship": "other"}).status_code == 404
    people["son"].refresh_from_db()
    assert people["son"].household_id == home.pk
    moved = client.post(url, {"household": mine.pk, "relationship": "head", "reason": "租房"})
    assert moved.status_code == 302 and moved["Location"].endswith(f"/households/{mine.pk}/")
    mine.refresh_from_db()
    assert mine.head == people["son"]
    change = PersonChange.objects.get(person=people["son"], field="household")
    assert change.reason == "租房"


def test_a_move_out_is_recorded_and_can_be_undone(client, personas, family):
    _home, people = family
    client.force_login(personas.grid_worker_a1)
    url = f"/population/grid/persons/{people['son'].pk}/change/"
    client.post(url, {"status": PersonStatus.MOVED_OUT, "reason": "在北京工作"})
    people["son"].refresh_from_db()
    assert people["son"].status == PersonStatus.MOVED_OUT
    page = client.get(url).content.decode()
    assert "恢复为在住" in page
    client.post(url, {"status": "nonsense"})
    people["son"].refresh_from_db()
    assert people["son"].status == PersonStatus.MOVED_OUT
    client.post(url, {"status": PersonStatus.LIVING_HERE})
    history = PersonChange.objects.filter(person=people["son"], field="status")
    assert [(c.old_value, c.new_value) for c in history] == [
        (PersonStatus.LIVING_HERE, PersonStatus.MOVED_OUT),
        (PersonStatus.MOVED_OUT, PersonStatus.LIVING_HERE),
    ]


def test_the_household_page_shows_history_as_words(client, personas, family):
    home, people = family
    client.force_login(personas.grid_worker_a1)
    client.post(
        f"/population/grid/persons/{people['son'].pk}/change/",
        {"status": PersonStatus.MOVED_OUT, "reason": "参军"},
    )
    page = client.get(f"/population/grid/households/{home.pk}/").content.decode()
    assert "状态：在住 → <strong>已迁出</strong>（参军）" in page


# --- the API -----------------------------------------------------------------------------------


def _fields(response) -> list[str]:
    return [error["field"] for error in response.json()["details"]["fields"]]


def _split(client, household, body):
    return client.post(
        f"{API}/households/{household.pk}/split",
        data=json.dumps(body),
        content_type="application/json",
    )


def test_the_api_splits_and_names_the_field_of_a_refusal(client, personas, family):
    home, people = family
    stranger = f.person(f.household(room="303"), "路人")
    client.force_login(personas.grid_worker_a1)
    body = {"members": [people["son"].pk], "head_id": people["son"].pk, "room": "102"}
    refused = _split(client, home, {**body, "members": [stranger.pk]})
    assert refused.status_code == 422 and "members" in _fields(refused)
    other_grid = f.grids_of(f.COMMUNITY_A1)[1]
    refused = _split(client, home, {**body, "grid_id": other_grid.pk})
    assert refused.status_code == 422 and "grid_id" in _fields(refused)
    refused = _split(client, home, {**body, "room": "101", "building": "1号楼"})
    assert refused.status_code == 422 and "room" in _fields(refused)
    assert Household.objects.filter(room="102").count() == 0
    made = _split(client, home, body)
    assert made.status_code == 201
    assert [m["name"] for m in made.json()["members"]] == ["陆明"]
    assert made.json()["head_id"] == people["son"].pk


def test_only_editors_who_see_the_household_may_split_it(client, personas, family):
    home, people = family
    body = {"members": [people["son"].pk], "head_id": people["son"].pk, "room": "102"}
    client.force_login(personas.cdc_a)  # reads the register, does not change it
    assert _split(client, home, body).status_code == 403
    client.force_login(personas.county_b_officer)
    assert _split(client, home, body).status_code == 404
    personas.grid_worker_a1.grid_assignments.all().delete()
    f.assign(personas.grid_worker_a1, grid_index=1)
    client.force_login(personas.grid_worker_a1)
    assert _split(client, home, body).status_code == 404
    assert Household.objects.filter(room="102").count() == 0


def test_the_api_moves_as_head_only_where_there_is_none(client, personas, family):
    _home, people = family
    client.force_login(personas.grid_worker_a1)
    other = f.household(room="202")
    f.person(other, "明建军", relationship=Relationship.HEAD)
    moved = client.put(
        f"{API}/persons/{people['son'].pk}/household",
        data=json.dumps({"household_id": other.pk, "relationship": "head"}),
        content_type="application/json",
    )
    assert moved.status_code == 422 and "relationship" in _fields(moved)
    moved = client.put(
        f"{API}/persons/{people['son'].pk}/household",
        data=json.dumps({"household_id": other.pk, "relationship": "child"}),
        content_type="application/json",
    )
    assert moved.status_code == 200 and moved.json()["relationship"] == "child"
    assert Person.objects.get(pk=people["son"].pk).household_id == other.pk


def test_a_person_without_a_household_can_be_given_one(client, personas):
    from civicgrid.core.idcard import make_id_number

    number = make_id_number("131128", datetime.date(1990, 1, 1), 77)
    loose = Person(name="赵无户", sex="M", birth_date=datetime.date(1990, 1, 1))
    loose.id_number = number
    loose.division_code = f.COMMUNITY_A1
    loose.save()
    home = f.household(room="808")
    client.force_login(personas.county_a_officer)
    url = f"/population/grid/persons/{loose.pk}/change/"
    assert client.get(url, {"q": "808"}).status_code == 200
    client.post(url, {"status": PersonStatus.MOVED_OUT})
    assert client.post(url, {"status": PersonStatus.LIVING_HERE})["Location"] == url
    moved = client.post(url, {"household": home.pk, "relationship": "head"})
    assert moved.status_code == 302
    loose.refresh_from_db()
    assert loose.household == home and loose.grid == home.grid


def test_malformed_move_and_split_forms_are_answered_not_crashed(client, personas, family):
    home, people = family
    stranger = f.person(f.household(grid_index=0, room="303"), "路人")
    other_community_grid = f.grids_of(f.COMMUNITY_B1)[0]
    client.force_login(personas.grid_worker_a1)
    change = f"/population/grid/persons/{people['son'].pk}/change/"
    for data in ({"household": "abc"}, {"household": home.pk, "relationship": "king"}, {}):
        assert client.post(change, data).status_code == 200
    split = f"/population/grid/households/{home.pk}/split/"
    for data in (
        {"members": [stranger.pk], "head": stranger.pk, "room": "9", "grid": home.grid_id},
        {"members": ["x"], "head": "y", "room": "9", "grid": "z"},
        {
            "members": [people["son"].pk],
            "head": people["son"].pk,
            "room": "9",
            "grid": other_community_grid.pk,
        },
        {"members": [people["son"].pk], "head": people["son"].pk, "room": "9" * 31},
    ):
        assert client.post(split, data).status_code == 200
    assert Household.objects.count() == 2  # the family's and the stranger's
    assert not PersonChange.objects.exists()


# --- a household to another grid --------------------------------------------------------------


def _grid_names(people) -> set[str]:
    return {Person.objects.get(pk=p.pk).grid.name for p in people.values()}


def test_a_household_and_its_members_go_to_another_grid_with_their_history(
    client, personas, family
):
    from civicgrid.population.actions import do_change_household_grid

    home, people = family
    new_grid = f.grids_of(f.COMMUNITY_A1)[1]
    do_change_household_grid(
        personas.county_a_officer, household=home, grid=new_grid, reason="网格重新划分"
    )
    home.refresh_from_db()
    assert home.grid == new_grid and _grid_names(people) == {new_grid.name}
    changes = PersonChange.objects.filter(field="grid")
    assert changes.count() == 4 and {c.new_value for c in changes} == {new_grid.name}
    assert {c.reason for c in changes} == {"网格重新划分"}
    client.force_login(personas.grid_worker_a1)  # the old grid's worker no longer sees them
    assert client.get(f"/population/grid/households/{home.pk}/").status_code == 404
    f.assign(personas.grid_worker_a1, grid_index=1)  # the new grid's worker does
    assert client.get(f"/population/grid/households/{home.pk}/").status_code == 200
    do_change_household_grid(personas.county_a_officer, household=home, grid=new_grid)
    assert PersonChange.objects.filter(field="grid").count() == 4  # the same grid: no change


def test_a_grid_of_another_community_is_refused_and_nothing_changes(personas, family):
    from civicgrid.population.actions import do_change_household_grid

    home, _people = family
    elsewhere = f.grids_of(f.COMMUNITY_B1)[0]
    with pytest.raises(ValidationError) as refused:
        do_change_household_grid(personas.admin, household=home, grid=elsewhere)
    assert refused.value.code == "grid"
    home.refresh_from_db()
    assert (
        home.grid == f.grids_of(f.COMMUNITY_A1)[0]
        and not PersonChange.objects.filter(field="grid").exists()
    )


def test_staff_regrid_on_the_page_and_a_grid_worker_cannot(client, personas, family):
    home, people = family
    page = f"/population/grid/households/{home.pk}/grid/"
    client.force_login(personas.grid_worker_a1)
    assert "调整网格" not in client.get(f"/population/grid/households/{home.pk}/").content.decode()
    assert client.get(page).status_code == 403
    client.force_login(personas.county_a_officer)
    assert "调整网格" in client.get(f"/population/grid/households/{home.pk}/").content.decode()
    new_grid = f.grids_of(f.COMMUNITY_A1)[1]
    elsewhere = f.grids_of(f.COMMUNITY_B1)[0]
    refused = client.post(page, {"grid": elsewhere.pk})
    assert refused.status_code == 200 and "请选择本社区/村的网格" in refused.content.decode()
    response = client.post(page, {"grid": new_grid.pk, "reason": "登记错网格"})
    assert response.status_code == 302
    home.refresh_from_db()
    assert home.grid == new_grid and _grid_names(people) == {new_grid.name}


def test_the_api_regrids_a_household_for_staff_only(client, personas, family):
    home, _people = family
    url = f"{API}/households/{home.pk}/grid"
    new_grid = f.grids_of(f.COMMUNITY_A1)[1]
    client.force_login(personas.grid_worker_a1)
    body = json.dumps({"grid_id": new_grid.pk})
    assert client.put(url, body, content_type="application/json").status_code == 403
    client.force_login(personas.county_a_officer)
    elsewhere = json.dumps({"grid_id": f.grids_of(f.COMMUNITY_B1)[0].pk})
    answer = client.put(url, elsewhere, content_type="application/json")
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["details"]["fields"]] == ["grid_id"]
    answer = client.put(url, body, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["grid_id"] == new_grid.pk
    assert {m["grid_id"] for m in answer.json()["members"]} == {new_grid.pk}
