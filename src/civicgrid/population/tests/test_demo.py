"""The demo register and the province-scale generator: plausible, deterministic, idempotent."""

import csv
import io
import time
from collections import Counter, defaultdict

import pytest

from civicgrid.accounts.demo import do_load_demo_accounts
from civicgrid.core.idcard import birth_date_of, normalize_id_number, sex_of
from civicgrid.population.demo import (
    HEADERS,
    REFERENCE_DATE,
    PeopleGenerator,
    Place,
    do_load_demo_population,
    generator_rows,
    register_places,
    write_register_csv,
)
from civicgrid.population.models import GridAssignment, Household, Person
from civicgrid.regions.actions import do_generate_demo_grids
from civicgrid.regions.models import Grid

PLACES = [Place("131128100001", "东南关居民委员会", 60, grid="东南关第一网格"),
          Place("131128200201", "崔庙村村民委员会", 40)]  # fmt: skip


def rows_by_household(rows):
    households = defaultdict(list)
    for row in rows:
        households[tuple(row[3:8])].append(dict(zip(HEADERS, row, strict=True)))
    return households


def age(number: str) -> int:
    return (REFERENCE_DATE - birth_date_of(number)).days // 365


def test_the_generator_makes_the_same_people_every_time():
    assert list(generator_rows(PLACES)) == list(generator_rows(PLACES))
    assert list(generator_rows(PLACES)) != list(generator_rows(PLACES, seed=7))


def test_generated_households_are_plausible():
    households = rows_by_household(generator_rows(PLACES))
    assert len(households) == 100
    sizes = Counter(len(members) for members in households.values())
    assert sizes[1] > 5 and max(sizes) >= 4
    for members in households.values():
        relationships = [m["与户主关系"] for m in members]
        assert relationships.count("户主") == 1
        head = next(m for m in members if m["与户主关系"] == "户主")
        for member in members:
            number = member["公民身份号码"]
            assert normalize_id_number(number) == number
            assert number.startswith(member["社区/村代码"][:6])
            if member["与户主关系"] == "配偶":
                assert sex_of(number) != sex_of(head["公民身份号码"])
            if member["与户主关系"] == "子女":
                assert age(head["公民身份号码"]) - age(number) >= 18
            if member["与户主关系"] == "父母":
                assert age(number) - age(head["公民身份号码"]) >= 18
            if age(number) < 14:
                assert "儿童" in member["标签"]
            if "独居老人" in member["标签"]:
                assert len(members) == 1 and age(number) >= 65
            if member["联系电话"]:
                assert member["联系电话"].startswith("1990") and len(member["联系电话"]) == 11
    tenants = [m for ms in households.values() for m in ms if m["与户主关系"] == "租户"]
    assert tenants and all(m["人口类型"] != "户籍人口" for m in tenants)
    urban = [k for k in households if k[0] == "131128100001"]
    assert all(
        building.endswith("号楼") and unit.endswith("单元") for _c, _n, building, unit, _r in urban
    )


def test_generated_id_numbers_and_mobiles_never_repeat():
    generator = PeopleGenerator()
    rows = list(generator.rows([Place("131128100001", "东南关居民委员会", 2000)]))
    assert len({r[1] for r in rows}) == len(rows)
    mobiles = [r[2] for r in rows if r[2]]
    assert len(set(mobiles)) == len(mobiles)
    assert min(mobiles) > "19900009999"  # the demo accounts' block is 1990 000 xxxx


@pytest.mark.django_db
def test_the_demo_population_fills_every_demo_grid_and_a_second_run_adds_nothing():
    for area in ("131128100000", "130371005000"):
        do_generate_demo_grids(area)
    do_load_demo_accounts()
    first = do_load_demo_population(households_per_grid=3, workers=1)
    grids = Grid.objects.filter(division_code__startswith="131128100") | Grid.objects.filter(
        division_code__startswith="130371005"
    )
    assert first.households == 3 * grids.count()
    assert not grids.filter(households__isnull=True).exists()
    assert Person.objects.count() == first.persons > first.households
    assert all(h.head_id for h in Household.objects.all())
    assert set(Person.objects.values_list("grid", flat=True)) <= set(
        grids.values_list("id", flat=True)
    )

    started = time.perf_counter()
    second = do_load_demo_population(households_per_grid=3, workers=1)
    assert time.perf_counter() - started < 1
    assert (second.persons, second.households, second.grid_assignments) == (0, 0, 0)
    assert Person.objects.count() == first.persons


@pytest.mark.django_db
def test_the_demo_grid_workers_get_grids_of_their_community():
    do_generate_demo_grids("131128100001")
    do_load_demo_accounts()
    do_load_demo_population(households_per_grid=1, workers=1)
    assigned = {
        a.grid.number: a.user.username
        for a in GridAssignment.objects.select_related("grid", "user")
    }
    assert assigned[1] == "grid_worker_1" and assigned[2] == "grid_worker_2"
    assert {a.grid.division_code for a in GridAssignment.objects.all()} == {"131128100001"}


def test_a_province_register_uses_real_hebei_communities_and_can_carry_damage():
    places = register_places(3000, within="1311")
    assert all(place.code.startswith("1311") and len(place.code) == 12 for place in places)
    out = io.StringIO()
    count = write_register_csv(out, persons=3000, within="1311", damaged=0.2)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == [h for h in HEADERS if h != "网格"]
    assert count == len(rows) - 1 == 3000
    numbers = [r[1] for r in rows[1:]]
    assert any("E+17" in n for n in numbers) and any(len(n) == 15 for n in numbers)
    assert any("+86" in r[2] for r in rows[1:])
