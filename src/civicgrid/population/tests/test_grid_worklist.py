"""The worklist: households not visited in N days and key persons due, most overdue first."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from civicgrid.population.actions import do_record_visit
from civicgrid.population.choices import PersonTag, Relationship
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db
URL = "/population/grid/worklist/"


@pytest.fixture(autouse=True)
def _a_fixed_day():
    with time_machine.travel("2024-03-10 10:00 +0800", tick=False):
        yield


def _ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def _visit(home, days_ago, reached=()):
    do_record_visit(None, household=home, visited_on=_ago(days_ago), method="door", reached=reached)


@pytest.fixture
def homes(personas):
    f.assign(personas.grid_worker_a1, grid_index=0)
    rooms = {name: f.household(grid_index=0, room=name) for name in ("R0", "R20", "R8", "R2")}
    _visit(rooms["R20"], 20)
    _visit(rooms["R20"], 30)  # an older visit must not count as the last one
    _visit(rooms["R8"], 8)
    _visit(rooms["R2"], 2)
    _visit(f.household(grid_index=1, room="B-R40"), 40)  # another grid: never on my list
    return rooms


def _rooms_in_order(body: str, rooms) -> list[str]:
    found = [(body.index(f">1号楼  {r}<"), r) for r in rooms if f">1号楼  {r}<" in body]
    return [r for _, r in sorted(found)]


def test_households_not_visited_in_7_days_come_never_visited_first_then_oldest(
    client, personas, homes
):
    client.force_login(personas.grid_worker_a1)
    body = client.get(URL).content.decode()
    assert _rooms_in_order(body, ["R0", "R20", "R8", "R2", "B-R40"]) == ["R0", "R20", "R8"]
    assert "超期未走访 3 户" in body
    assert "从未走访" in body and "20 天未走访" in body


def test_the_interval_can_be_chosen(client, personas, homes):
    client.force_login(personas.grid_worker_a1)
    body = client.get(URL, {"days": 14}).content.decode()
    assert _rooms_in_order(body, ["R0", "R20", "R8", "R2"]) == ["R0", "R20"]
    body = client.get(URL, {"days": 3}).content.decode()
    assert _rooms_in_order(body, ["R0", "R20", "R8", "R2"]) == ["R0", "R20", "R8"]


def test_a_visit_exactly_n_days_ago_is_overdue_and_one_day_later_is_not(client, personas):
    f.assign(personas.grid_worker_a1, grid_index=0)
    _visit(f.household(grid_index=0, room="R7"), 7)
    _visit(f.household(grid_index=0, room="R6"), 6)
    client.force_login(personas.grid_worker_a1)
    body = client.get(URL).content.decode()
    assert _rooms_in_order(body, ["R7", "R6"]) == ["R7"]


def test_an_interval_not_offered_falls_back_to_7_days(client, personas, homes):
    client.force_login(personas.grid_worker_a1)
    body = client.get(URL, {"days": "999"}).content.decode()
    assert "超期未走访 3 户" in body


def test_key_persons_not_reached_recently_are_due_most_overdue_first(client, personas, homes):
    never = f.person(homes["R2"], "从未联系", tags=[PersonTag.KEY_PERSON])
    long_ago = f.person(homes["R8"], "五天前", tags=[PersonTag.KEY_PERSON])
    today = f.person(homes["R0"], "今天联系", tags=[PersonTag.KEY_PERSON])
    f.person(homes["R0"], "不是重点", relationship=Relationship.HEAD)
    _visit(homes["R8"], 5, reached=[long_ago])
    _visit(homes["R0"], 0, reached=[today])
    client.force_login(personas.grid_worker_a1)
    body = client.get(URL).content.decode()
    assert body.index(never.name) < body.index(long_ago.name)
    assert "今天联系" not in body and "不是重点" not in body
    assert "重点人员待随访 2 人" in body
    # With a 7-day interval the one reached five days ago is not due yet.
    body = client.get(URL, {"key_days": 7}).content.decode()
    assert "从未联系" in body and "五天前" not in body


def test_a_key_person_in_another_grid_is_not_on_my_worklist(client, personas, homes):
    f.person(f.household(grid_index=1, room="B-1"), "别的网格", tags=[PersonTag.KEY_PERSON])
    client.force_login(personas.grid_worker_a1)
    assert "别的网格" not in client.get(URL).content.decode()


def test_the_worklist_takes_a_fixed_number_of_queries(
    client, personas, homes, django_assert_num_queries
):
    client.force_login(personas.grid_worker_a1)
    client.get(URL)
    for n in range(10):
        home = f.household(grid_index=0, room=f"X{n}")
        f.survey_answer(f.person(home, f"重点{n}", tags=[PersonTag.KEY_PERSON, PersonTag.CHILD]))
    # session with its user, memberships, assignments, count, households, key persons, their
    # tags, survey answers to follow up (+ their questions), declarations waiting, and one for
    # each other module's section (the community brain's open alerts)
    with django_assert_num_queries(11):
        assert client.get(URL).status_code == 200


API = "/api/v1/population/worklist"


def test_the_api_gives_the_worklist_in_the_pages_order_and_scope(client, personas, homes):
    f.person(homes["R0"], "从未联系", tags=[PersonTag.KEY_PERSON, PersonTag.CHILD])
    reached = f.person(homes["R2"], "五天前", tags=[PersonTag.KEY_PERSON])
    _visit(homes["R2"], 5, reached=[reached])  # the household's last visit stays 2 days ago
    f.person(f.household(grid_index=1, room="B-2"), "别的网格", tags=[PersonTag.KEY_PERSON])
    client.force_login(personas.grid_worker_a1)
    answer = client.get(f"{API}/households").json()
    assert answer["count"] == 3
    assert [h["address"].rsplit(" ", 1)[-1] for h in answer["items"]] == ["R0", "R20", "R8"]
    assert [(h["last_visit_on"], h["days_since_visit"]) for h in answer["items"]] == [
        (None, None), ("2024-02-19", 20), ("2024-03-02", 8),
    ]  # fmt: skip
    assert client.get(f"{API}/households", {"days": 14}).json()["count"] == 2
    page = client.get(f"{API}/households", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 3 and len(page["items"]) == 1
    persons = client.get(f"{API}/key-persons").json()["items"]
    assert [(p["name"], p["days_since_reached"], p["tags"]) for p in persons] == [
        ("从未联系", None, ["child", "key_person"]), ("五天前", 5, ["key_person"]),
    ]  # fmt: skip
    assert [p["name"] for p in client.get(f"{API}/key-persons", {"days": 7}).json()["items"]] == [
        "从未联系"
    ]


@pytest.mark.parametrize("days", ["0", "366", "seven"])
def test_the_api_refuses_an_interval_out_of_range(client, personas, homes, days):
    client.force_login(personas.grid_worker_a1)
    assert client.get(f"{API}/households", {"days": days}).status_code == 422
    assert client.get(f"{API}/key-persons", {"days": days}).status_code == 422
