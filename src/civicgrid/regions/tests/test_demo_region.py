"""The demo region: grids generated for the source article's places, idempotently."""

import pytest

from civicgrid.regions.actions import do_generate_demo_grids
from civicgrid.regions.models import Division, Grid

pytestmark = pytest.mark.django_db


def test_every_community_of_the_county_gets_grids_once():
    created = do_generate_demo_grids("131128000000")
    villages = Division.objects.within("131128000000").filter(level=5)
    assert created == Grid.objects.count() > 0
    assert not villages.filter(grids__isnull=True).exists()
    assert do_generate_demo_grids("131128000000") == 0  # second run adds nothing


def test_grids_carry_their_community_code_and_plausible_names():
    do_generate_demo_grids("130371000000")
    grid = Grid.objects.select_related("division").first()
    assert grid.division_code == grid.division.code
    assert grid.division_code.startswith("130371")
    assert grid.name.endswith("第一网格")
    assert "委员会" not in grid.name
    assert grid.boundary.startswith("东至")


def test_grids_are_only_made_inside_the_requested_area():
    do_generate_demo_grids("131128000000")
    assert not Grid.objects.exclude(division_code__startswith="131128").exists()
