"""Coverage: the share of households visited since a date, per grid and per area, and each
grid worker's workload, for community, township and county staff within their jurisdiction."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from civicgrid.core.audit.models import AuditRecord
from civicgrid.population.actions import do_change_person_status, do_record_visit
from civicgrid.population.choices import PersonStatus
from civicgrid.population.tests import factories as f
from civicgrid.regions.models import Division

pytestmark = pytest.mark.django_db
URL = "/population/grid/coverage/"
TOWNSHIP = "131128100"  # 阜城镇


@pytest.fixture(autouse=True)
def _a_fixed_day():
    with time_machine.travel("2024-03-10 10:00 +0800", tick=False):
        yield


def _ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def register(personas):
    """Grid 1 of community A1: 4 households, 3 visited in the last week (one only long ago).
    Grid 2: 1 household, not visited. County B: 1 household, visited."""
    grid_1 = [f.household(grid_index=0, room=f"10{n}") for n in range(4)]
    for home in grid_1:
        f.person(home, "住户")
    gone = f.person(grid_1[0], "已故")
    do_change_person_status(None, person=gone, status=PersonStatus.DECEASED)
    do_record_visit(None, household=grid_1[0], visited_on=_ago(0), method="door")
    do_record_visit(None, household=grid_1[0], visited_on=_ago(1), method="phone")  # same home
    do_record_visit(None, household=grid_1[1], visited_on=_ago(6), method="door")
    do_record_visit(None, household=grid_1[2], visited_on=_ago(7), method="door")  # before
    f.household(grid_index=1, room="201")
    do_record_visit(None, household=f.household(f.COMMUNITY_B1), visited_on=_ago(0), method="door")
    f.assign(personas.grid_worker_a1, grid_index=0)
    return grid_1


def _report(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.status_code
    return response.context


def test_per_grid_the_share_of_households_visited_in_the_last_7_days(client, personas, register):
    client.force_login(personas.county_a_officer)
    context = _report(client, within=TOWNSHIP)
    report = context["report"]
    assert report.by_grid and report.since == _ago(6)
    rows = {row.label: row for row in report.rows}
    grids = f.grids_of(f.COMMUNITY_A1)
    first, second = rows[grids[0].name], rows[grids[1].name]
    assert (first.households, first.visited, first.percent) == (4, 2, 50.0)
    assert (second.households, second.visited, second.percent) == (1, 0, 0.0)
    assert (report.total.households, report.total.visited) == (5, 2)


def test_an_earlier_start_date_counts_the_earlier_visits(client, personas, register):
    client.force_login(personas.county_a_officer)
    report = _report(client, within=TOWNSHIP, since=_ago(7).isoformat())["report"]
    first = next(r for r in report.rows if r.label == f.grids_of(f.COMMUNITY_A1)[0].name)
    assert (first.households, first.visited) == (4, 3)


def test_a_grid_without_households_shows_no_share_rather_than_zero(client, personas, register):
    (empty_grid,) = f.grids_of("131128100201")  # a village: one grid, nobody registered yet
    client.force_login(personas.county_a_officer)
    rows = {r.label: r for r in _report(client, within=TOWNSHIP)["report"].rows}
    assert rows[empty_grid.name].households == 0 and rows[empty_grid.name].percent is None


def test_above_a_township_the_rows_are_the_child_areas_with_links_down(client, personas, register):
    client.force_login(personas.county_a_officer)
    context = _report(client)
    report = context["report"]
    assert report.within.code == "131128000000" and not report.by_grid
    township = next(r for r in report.rows if r.drill_code == TOWNSHIP)
    assert township.label == Division.objects.get(code="131128100000").name
    assert (township.households, township.visited, township.grids) == (5, 2, 2 + 0)
    assert context["workload"] is None
    assert f"?within={TOWNSHIP}&amp;since=" in context["chart"]["urls"][
        context["chart"]["names"].index(township.label)
    ].replace("&", "&amp;")


def test_the_city_officer_sees_both_counties_and_each_county_only_its_own(
    client, personas, register
):
    client.force_login(personas.city_officer)
    rows = {r.drill_code: r for r in _report(client)["report"].rows}
    assert rows["131128"].households == 5 and rows["131127"].households == 1
    client.force_login(personas.county_b_officer)
    assert _report(client)["report"].total.households == 1


def test_another_countys_area_is_404(client, personas, register):
    client.force_login(personas.county_b_officer)
    assert client.get(URL, {"within": TOWNSHIP}).status_code == 404
    assert client.get(URL, {"within": "13112810"}).status_code == 404  # malformed: the same


def test_workload_per_grid_worker_counts_households_living_persons_and_visits(
    client, personas, register
):
    client.force_login(personas.county_a_officer)
    workload = _report(client, within=f.COMMUNITY_A1)["workload"]
    (row,) = workload
    assert row.worker == personas.grid_worker_a1
    assert (row.households, row.persons, row.visited) == (4, 4, 2)
    assert row.grids == [f.grids_of(f.COMMUNITY_A1)[0].name]


def test_the_page_draws_the_chart_from_local_assets(client, personas, register):
    client.force_login(personas.county_a_officer)
    body = client.get(URL, {"within": TOWNSHIP}).content.decode()
    assert 'id="coverage-chart"' in body and 'id="coverage-data"' in body
    assert "/static/vendor/echarts/echarts.min.js" in body
    assert "/static/population/coverage_chart.js" in body


def test_grid_workers_volunteers_and_residents_may_not_open_it(client, personas, register):
    for persona in ("grid_worker_a1", "volunteer_a", "resident_a"):
        client.force_login(personas.users[persona])
        assert client.get(URL).status_code == 403
    assert not AuditRecord.objects.filter(action="view_unmasked").exists()


@pytest.mark.parametrize("within", [TOWNSHIP, "131128"])
def test_the_coverage_page_takes_a_fixed_number_of_queries(
    client, personas, register, within, django_assert_num_queries
):
    client.force_login(personas.county_a_officer)
    client.get(URL, {"within": within})
    f.assign(personas.cdc_a, grid_index=1)  # a second worker on the list
    for n in range(5):
        f.person(f.household(grid_index=1, room=f"9{n}"), f"住户{n}")
        f.grids_of(f"13112810020{n}")  # more grids and areas
    # session with its user, memberships, areas above, the area, households per bucket, grids
    # (per grid: + assignments, households and persons per assigned grid)
    expected = 9 if within == TOWNSHIP else 7
    with django_assert_num_queries(expected):
        client.get(URL, {"within": within})
