"""The areas/grids/locate/coverage API: GeoJSON out, the error shape for every bad input."""

import pytest

from core import coords
from geo.models import Grid, GridBoundary
from people.models import Role
from tests.factories import client_for, make_staff

from .helpers import lonlat, rect_geojson


@pytest.fixture
def reader(tree):
    """A supervisor: sees the whole district, changes nothing."""
    return client_for(make_staff("reader", Role.SUPERVISOR, centre=tree["district"].centre))


@pytest.fixture
def editor(tree):
    """District centre staff: may change grids anywhere."""
    return client_for(make_staff("editor", Role.DISTRICT_STAFF, centre=tree["district"].centre))


def error_code(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]["code"]


def snapshot():
    return (Grid.objects.count(), GridBoundary.objects.count())


def test_reads_need_login(api_client, tree):
    for url in [
        "/api/v1/areas/",
        "/api/v1/grids/",
        "/api/v1/locate/?lon=121&lat=40",
        "/api/v1/coverage/?area=210000",
    ]:
        assert error_code(api_client.get(url), 401) == "not_authenticated"


def test_area_list_is_a_feature_collection(reader, tree):
    body = reader.get("/api/v1/areas/?level=community").json()
    assert body["type"] == "FeatureCollection"
    assert body["count"] == 2
    feature = body["features"][0]
    assert feature["type"] == "Feature" and feature["id"] == "210000001001"
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert len(feature["bbox"]) == 4
    assert feature["properties"]["parent"] == "210000001000"


def test_area_detail_and_unknown_area(reader, tree):
    body = reader.get("/api/v1/areas/210000001/").json()
    assert body["properties"]["children"] == ["210000001001", "210000001002"]
    assert error_code(reader.get("/api/v1/areas/123456789012/"), 404) == "unknown_area"
    assert error_code(reader.get("/api/v1/areas/nonsense/"), 404) == "unknown_area"


def test_grid_list_filters(reader, two_grids):
    body = reader.get("/api/v1/grids/?area=210000001001").json()
    assert [f["id"] for f in body["features"]] == ["A", "B"]
    west = "{},{},{},{}".format(*lonlat(10, 10), *lonlat(100, 100))
    assert [f["id"] for f in reader.get(f"/api/v1/grids/?bbox={west}").json()["features"]] == ["A"]
    assert error_code(reader.get("/api/v1/grids/?bbox=1,2,3"), 400) == "invalid_bbox"
    assert reader.get("/api/v1/grids/?area=210000001002").json()["count"] == 0


def test_grid_output_in_gcj02(reader, two_grids):
    wgs = reader.get("/api/v1/grids/A/").json()["geometry"]["coordinates"][0][0][0]
    gcj = reader.get("/api/v1/grids/A/?crs=gcj02").json()["geometry"]["coordinates"][0][0][0]
    assert gcj == pytest.approx(list(coords.wgs84_to_gcj02(*wgs)), abs=1e-9)
    # the bbox is in the same crs as the geometry
    feature = reader.get("/api/v1/grids/A/?crs=gcj02").json()
    ring = feature["geometry"]["coordinates"][0][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert feature["bbox"] == pytest.approx([min(lons), min(lats), max(lons), max(lats)], abs=1e-9)
    assert error_code(reader.get("/api/v1/grids/A/?crs=utm"), 400) == "unknown_crs"


def test_reader_cannot_write(reader, tree):
    body = {"name": "x", "community": "210000001001", "boundary": rect_geojson(0, 0, 10, 10)}
    assert (
        error_code(reader.post("/api/v1/grids/", body, format="json"), 403) == "permission_denied"
    )
    assert Grid.objects.count() == 0


def test_create_update_history(editor, tree):
    body = {"name": "西", "community": "210000001001", "boundary": rect_geojson(0, 0, 500, 1000)}
    response = editor.post("/api/v1/grids/", body, format="json")
    assert response.status_code == 201, response.content
    code = response.json()["id"]
    assert response.json()["properties"]["version"] == 1
    response = editor.patch(
        f"/api/v1/grids/{code}/",
        {"boundary": rect_geojson(0, 0, 400, 1000), "name": "西区"},
        format="json",
        HTTP_IF_MATCH=response["ETag"] if response.has_header("ETag") else '"1"',
    )
    assert response.status_code == 200
    assert response.json()["properties"]["version"] == 2
    assert response.json()["properties"]["name"] == "西区"
    history = editor.get(f"/api/v1/grids/{code}/history/").json()
    assert [f["properties"]["version"] for f in history["features"]] == [1, 2]


def test_create_in_gcj02_lands_where_meant(editor, tree):
    ring = [
        list(coords.wgs84_to_gcj02(*p)) for p in rect_geojson(0, 0, 500, 1000)["coordinates"][0]
    ]
    body = {
        "name": "x",
        "community": "210000001001",
        "crs": "gcj02",
        "boundary": {"type": "Polygon", "coordinates": [ring]},
    }
    assert editor.post("/api/v1/grids/", body, format="json").status_code == 201
    grid = Grid.objects.get()
    assert grid.boundary.extent[0] == pytest.approx(lonlat(0, 0)[0], abs=1e-8)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"name": "x", "community": "210000001001"}, "invalid_input"),
        (
            {"name": "x", "community": "999999999999", "boundary": rect_geojson(0, 0, 10, 10)},
            "unknown_area",
        ),
        (
            {
                "name": "x",
                "community": "210000001001",
                "boundary": {"type": "Point", "coordinates": [121, 40]},
            },
            "wrong_geometry_type",
        ),
        (
            {
                "name": "x",
                "community": "210000001001",
                "boundary": rect_geojson(0, 0, 10, 10),
                "crs": "epsg:3857",
            },
            "unknown_crs",
        ),
        (
            {
                "name": "x",
                "community": "210000001001",
                "boundary": {**rect_geojson(0, 0, 10, 10), "crs": {"type": "name"}},
            },
            "crs_member_not_allowed",
        ),
        (
            {"name": "x", "community": "210000001001", "boundary": rect_geojson(900, 0, 1500, 10)},
            "outside_parent",
        ),
        (
            {
                "name": "x",
                "community": "210000001001",
                "boundary": {"type": "Polygon", "coordinates": []},
            },
            "empty_geometry",
        ),
        (
            {
                "name": "x",
                "community": "210000001001",
                "boundary": {
                    "type": "Polygon",
                    "coordinates": [[[40, 121], [40.1, 121], [40.1, 121.1], [40, 121]]],
                },
            },
            "coordinates_out_of_range",
        ),
    ],
)
def test_bad_grid_input_is_refused_and_changes_nothing(editor, tree, body, code):
    before = snapshot()
    assert (
        error_code(
            editor.post("/api/v1/grids/", body, format="json"),
            400 if code != "unknown_area" else 404,
        )
        == code
    )
    assert snapshot() == before


def test_overlap_answers_with_the_other_grid(editor, two_grids):
    body = {"name": "x", "community": "210000001001", "boundary": rect_geojson(400, 0, 600, 100)}
    response = editor.post("/api/v1/grids/", body, format="json")
    assert error_code(response, 400) == "grid_overlaps"
    assert {o["grid"] for o in response.json()["error"]["details"]["overlaps"]} == {"A", "B"}


def test_payload_too_large(editor, tree, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"name": "x" * 2000, "community": "210000001001", "boundary": rect_geojson(0, 0, 10, 10)}
    assert (
        error_code(editor.post("/api/v1/grids/", body, format="json"), 413) == "payload_too_large"
    )


def test_split_merge_retire_over_http(editor, two_grids):
    parts = {
        "parts": [
            {"code": "A1", "name": "A1", "boundary": rect_geojson(0, 500, 500, 1000)},
            {"code": "A2", "name": "A2", "boundary": rect_geojson(0, 0, 500, 500)},
        ]
    }
    response = editor.post("/api/v1/grids/A/split/", parts, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 201, response.content
    assert editor.get("/api/v1/grids/A/").json()["properties"]["successors"] == ["A1", "A2"]
    again = editor.post("/api/v1/grids/A/split/", parts, format="json", HTTP_IF_MATCH='"2"')
    assert error_code(again, 409) == "grid_retired"
    response = editor.post(
        "/api/v1/grids/merge/",
        {"grids": ["A1", "A2"], "name": "A again", "code": "A3", "versions": {"A1": 1, "A2": 1}},
        format="json",
    )
    assert response.status_code == 201
    response = editor.post(
        "/api/v1/grids/A3/retire/", {"reason": "test"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.json()["properties"]["active"] is False
    assert error_code(editor.get("/api/v1/grids/nope/"), 404) == "unknown_grid"


def test_locate(reader, two_grids):
    lon, lat = lonlat(100, 100)
    body = reader.get(f"/api/v1/locate/?lon={lon}&lat={lat}").json()
    assert body["grid"]["code"] == "A"
    assert [a["level"] for a in body["areas"]] == ["district", "street", "community"]
    assert body["outside_coverage"] is False and body["nearest"] is None
    glon, glat = coords.wgs84_to_gcj02(lon, lat)
    body = reader.get(f"/api/v1/locate/?lon={glon}&lat={glat}&crs=gcj02").json()
    assert body["grid"]["code"] == "A"
    assert body["point"]["coordinates"] == pytest.approx([glon, glat], abs=1e-8)
    lon, lat = lonlat(1100, 500)
    body = reader.get(f"/api/v1/locate/?lon={lon}&lat={lat}").json()
    assert body["grid"] is None and body["outside_coverage"] is True
    assert body["nearest"]["grid"]["code"] == "B"
    assert error_code(reader.get("/api/v1/locate/?lon=121"), 400) == "missing_coordinates"


def test_coverage_api(reader, two_grids):
    body = reader.get("/api/v1/coverage/?area=210000001").json()
    assert body["type"] == "FeatureCollection"
    assert body["figures"]["covered_pct"] == pytest.approx(50, abs=0.2)
    assert body["figures"]["communities_without_grids"] == ["210000001002"]
    assert [f["properties"]["kind"] for f in body["features"]] == ["gap"]
    assert error_code(reader.get("/api/v1/coverage/"), 400) == "missing_area"
    assert error_code(reader.get("/api/v1/coverage/?area=111111"), 404) == "unknown_area"
