"""Geometry input rules: each way a GeoJSON geometry can be wrong has its own stable code."""

import json

import pytest
from django.utils import translation

from core import coords
from geo.geometry import (
    GeometryError,
    bbox_from_query,
    geometry_in_crs,
    parse_crs,
    parse_geometry,
    point_from_query,
)

from .helpers import lonlat, rect_geojson

SQUARE = rect_geojson(0, 0, 100, 100)


def refused(value, code, **kwargs):
    with pytest.raises(GeometryError) as info:
        parse_geometry(value, **kwargs)
    assert info.value.code == code, info.value.message
    assert info.value.message
    return info.value


def test_valid_polygon_becomes_multipolygon_in_wgs84():
    geom = parse_geometry(SQUARE)
    assert geom.geom_type == "MultiPolygon"
    assert geom.srid == 4326
    assert geom.valid


def test_self_intersection_is_refused_with_its_location():
    a, b, c, d = lonlat(0, 0), lonlat(100, 100), lonlat(100, 0), lonlat(0, 100)
    bowtie = {"type": "Polygon", "coordinates": [[list(a), list(b), list(c), list(d), list(a)]]}
    error = refused(bowtie, "invalid_geometry")
    assert "Self-intersection" in error.details["reason"]
    lon, lat = error.details["location"]
    assert lon == pytest.approx(lonlat(50, 50)[0], abs=1e-6)
    assert lat == pytest.approx(lonlat(50, 50)[1], abs=1e-6)


def test_wrong_type_is_refused():
    error = refused(
        {"type": "LineString", "coordinates": [[121, 40], [121.1, 40]]}, "wrong_geometry_type"
    )
    assert error.details["got"] == "LineString"
    refused({"type": "Point", "coordinates": [121, 40]}, "wrong_geometry_type")


@pytest.mark.parametrize(
    "value",
    [
        {"type": "Polygon", "coordinates": []},
        {"type": "MultiPolygon", "coordinates": []},
        {"type": "Polygon"},
    ],
)
def test_empty_geometry_is_refused(value):
    refused(value, "empty_geometry")


@pytest.mark.parametrize(
    "value",
    [
        "POLYGON((0 0, 1 0, 1 1, 0 0))",
        {"coordinates": [[[0, 0]]]},
        {"type": "Polygon", "coordinates": [[[121, 40], [121.1, 40], [121.1, 40.1]]]},
        {"type": "Polygon", "coordinates": [[[121, 40], [121.1, 40], [121.1, 40.1], [121, 40.1]]]},
        {
            "type": "Polygon",
            "coordinates": [[["121", 40], [121.1, 40], [121.1, 40.1], ["121", 40]]],
        },
        {"type": "Polygon", "coordinates": [[[121, 40], [121.1], [121.1, 40.1], [121, 40]]]},
    ],
)
def test_malformed_geometry_is_refused(value):
    refused(value, "malformed_geometry")


def test_out_of_range_with_swapped_hint():
    swapped = {"type": "Point", "coordinates": [41.19, 122.06]}
    error = refused(swapped, "coordinates_out_of_range", allowed=("Point",))
    assert error.details["hint"] == "swapped"
    assert "颠倒" in error.message  # Chinese by default
    with translation.override("en"):
        error = refused(swapped, "coordinates_out_of_range", allowed=("Point",))
    assert "swapped" in error.message


def test_out_of_range_without_hint():
    error = refused(
        {"type": "Point", "coordinates": [200, 95]}, "coordinates_out_of_range", allowed=("Point",)
    )
    assert "hint" not in error.details


def test_crs_member_is_refused_and_never_reaches_gdal():
    value = {**SQUARE, "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}
    refused(value, "crs_member_not_allowed")


def test_too_many_vertices_is_refused(settings):
    settings.GEO = {**settings.GEO, "MAX_VERTICES": 10}
    ring = [list(lonlat(i, (i % 2) * 5)) for i in range(12)]
    ring = [*ring, list(lonlat(11, 50)), list(lonlat(0, 50)), ring[0]]
    error = refused({"type": "Polygon", "coordinates": [ring]}, "too_many_vertices")
    assert error.details["limit"] == 10


def test_unknown_crs_is_refused():
    with pytest.raises(GeometryError) as info:
        parse_crs("epsg:3857")
    assert info.value.code == "unknown_crs"
    assert parse_crs(None) == "wgs84"
    assert parse_crs("GCJ02") == "gcj02"


def test_gcj02_polygon_is_converted_to_wgs84():
    wgs = lonlat(0, 0)
    gcj = coords.wgs84_to_gcj02(*wgs)
    value = {"type": "Point", "coordinates": list(gcj)}
    geom = parse_geometry(value, allowed=("Point",), crs="gcj02")
    assert geom.x == pytest.approx(wgs[0], abs=1e-8)
    assert geom.y == pytest.approx(wgs[1], abs=1e-8)


def test_point_from_query_errors():
    with pytest.raises(GeometryError) as info:
        point_from_query({"lon": "121"})
    assert info.value.code == "missing_coordinates"
    with pytest.raises(GeometryError) as info:
        point_from_query({"lon": "abc", "lat": "40"})
    assert info.value.code == "malformed_geometry"
    with pytest.raises(GeometryError) as info:
        point_from_query({"lon": "nan", "lat": "40"})
    assert info.value.code == "malformed_geometry"
    with pytest.raises(GeometryError) as info:
        point_from_query({"lon": "41", "lat": "122"})
    assert info.value.details["hint"] == "swapped"
    with pytest.raises(GeometryError) as info:
        point_from_query({"lon": "121", "lat": "40", "crs": "mercator"})
    assert info.value.code == "unknown_crs"


def test_bbox_errors():
    assert bbox_from_query(None) is None
    for raw in ["1,2,3", "a,b,c,d", "122,41,121,42", "121,95,122,96"]:
        with pytest.raises(GeometryError):
            bbox_from_query(raw)


def test_output_in_gcj02_round_trips():
    geom = parse_geometry(SQUARE)
    out = geometry_in_crs(geom, "gcj02")
    back = parse_geometry(
        {"type": "MultiPolygon", "coordinates": json.loads(out.json)["coordinates"]},
        crs="gcj02",
    )
    assert back.equals_exact(geom, tolerance=1e-8)
