"""Split (by parts or along a line), merge and retire over HTTP: what they move and carry over,
and how each bad request is refused with nothing saved (geo/api/edits.py)."""

import pytest
from django.utils import timezone

from appointments.models import Appointment, Status
from core import coords
from geo.models import Grid, GridBoundary
from people.models import GridAssignment
from tests.appointments.helpers import book
from tests.factories import client_for
from tests.worlds.appointments import future_window

from .helpers import lonlat, rect_geojson


def line(*points, crs=coords.WGS84):
    positions = [lonlat(x, y) for x, y in points]
    if crs != coords.WGS84:
        positions = [coords.from_wgs84(lon, lat, crs) for lon, lat in positions]
    return {"type": "LineString", "coordinates": [list(p) for p in positions]}


def error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


def snapshot():
    return (
        list(Grid.objects.order_by("pk").values_list("code", "revision", "retired_at")),
        GridBoundary.objects.count(),
        list(GridAssignment.objects.order_by("pk").values_list("pk", "valid_to")),
        list(Appointment.objects.order_by("pk").values_list("pk", "agent_id", "grid_id")),
    )


@pytest.fixture
def district(routed_world):
    return client_for(routed_world["people"]["district"])


@pytest.fixture
def manager1(routed_world):
    return client_for(routed_world["people"]["manager1"])


def booked(x=100, y=100):
    return book(x=x, y=y, window=future_window(), now=timezone.now())


def test_split_along_a_line_with_names_and_staffing(district, routed_world):
    a = booked(100, 800)  # north of the cut: grid A's agent1 today
    assert a.agent.user.username == "agent1"
    agent1, agent3 = routed_world["people"]["agent1"], routed_world["people"]["agent3"]
    body = {
        "line": line((-10, 600), (510, 600)),
        "parts": [
            {"name": "南", "code": "AS", "assignments": [{"staff": agent3.pk, "kind": "primary"}]},
            {
                "name": "北",
                "code": "AN",
                "assignments": [
                    {"staff": agent1.pk, "kind": "primary"},
                    {"staff": agent3.pk, "kind": "backup"},
                ],
            },
        ],
    }
    response = district.post("/api/v1/grids/A/split/", body, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["type"] == "FeatureCollection"
    # the larger piece (south, 600 m) first, named by parts[0]
    assert [f["id"] for f in answer["features"]] == ["AN", "AS"]
    assert Grid.objects.get(code="AS").boundary.area > Grid.objects.get(code="AN").boundary.area
    assert set(Grid.objects.get(code="A").successors.values_list("code", flat=True)) == {"AN", "AS"}
    # A's three assignments (agent1 primary, agent3 backup in the world, agent1 backup is on B)
    assert answer["assignments_ended"] == 2
    assert not GridAssignment.objects.filter(grid__code="A", valid_to__isnull=True).exists()
    assert sorted((c["grid"], c["kind"]) for c in answer["assignments"]) == [
        ("AN", "backup"),
        ("AN", "primary"),
        ("AS", "primary"),
    ]
    # the open appointment moved with its grid, in the same transaction
    assert answer["rerouted_count"] == 1
    moved = answer["rerouted"][0]
    assert moved["appointment"] == a.tracking_code and moved["reason"] == "grid_retired"
    assert moved["from_agent"]["id"] == agent1.pk
    assert moved["to_grid"] == "AN" and moved["to_agent"]["id"] == agent1.pk
    a.refresh_from_db()
    assert a.grid.code == "AN" and a.status == Status.AWAITING


def test_split_along_a_line_without_names_numbers_the_pieces(district, routed_world):
    body = {"line": line((250, -10), (250, 1010))}
    response = district.post("/api/v1/grids/A/split/", body, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 201, response.content
    names = sorted(f["properties"]["name"] for f in response.json()["features"])
    assert names == ["A 1", "A 2"]


def test_preview_cuts_without_writing(district, routed_world):
    before = snapshot()
    response = district.post(
        "/api/v1/grids/A/split/preview/?crs=gcj02",
        {"line": line((-10, 600), (510, 600), crs="gcj02"), "crs": "gcj02"},
        format="json",
    )
    assert response.status_code == 200, response.content
    features = response.json()["features"]
    assert [f["properties"]["index"] for f in features] == [0, 1]
    assert features[0]["properties"]["area_m2"] == pytest.approx(300_000, rel=0.01)
    assert features[1]["properties"]["area_m2"] == pytest.approx(200_000, rel=0.01)
    # in the crs asked for: gcj02 lies east of wgs84 here
    assert features[0]["geometry"]["coordinates"][0][0][0][0] > lonlat(0, 0)[0]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "split_needs_parts_or_line"),
        (
            {
                "line": line((-10, 600), (510, 600)),
                "parts": [{"name": "x", "boundary": rect_geojson(0, 0, 500, 600)}, {"name": "y"}],
            },
            400,
            "split_needs_parts_or_line",
        ),
        ({"parts": [{"name": "x"}, {"name": "y"}]}, 400, "split_needs_parts_or_line"),
        (
            {"line": line((-10, 600), (510, 600)), "parts": [{"name": "only one"}]},
            400,
            "split_parts_mismatch",
        ),
        ({"line": {"type": "Point", "coordinates": [121, 40]}}, 400, "wrong_geometry_type"),
        ({"line": {"type": "LineString", "coordinates": [[121, 40]]}}, 400, "malformed_geometry"),
    ],
)
def test_bad_splits_are_refused_and_change_nothing(district, routed_world, body, status, code):
    before = snapshot()
    response = district.post("/api/v1/grids/A/split/", body, format="json", HTTP_IF_MATCH='"1"')
    assert error(response, status)["code"] == code
    assert snapshot() == before


def test_a_line_that_does_not_cut_says_where(district, routed_world):
    before = snapshot()
    # stops in the middle of the grid: where it ends is where the problem is
    body = {"line": line((-10, 600), (250, 600), crs="gcj02"), "crs": "gcj02"}
    err = error(
        district.post("/api/v1/grids/A/split/", body, format="json", HTTP_IF_MATCH='"1"'), 400
    )
    assert err["code"] == "line_does_not_split"
    assert err["details"]["grid"] == "A" and err["details"]["pieces"] == 1
    # location and line come back in the request's crs
    assert err["details"]["location"] == pytest.approx(body["line"]["coordinates"][-1], abs=1e-6)
    assert err["details"]["line"]["coordinates"][0] == pytest.approx(
        body["line"]["coordinates"][0], abs=1e-6
    )
    # a line that misses the grid: its nearest point to it
    body = {"line": line((600, 100), (600, 900))}
    err = error(
        district.post("/api/v1/grids/A/split/", body, format="json", HTTP_IF_MATCH='"1"'), 400
    )
    assert err["code"] == "line_does_not_split" and err["details"]["pieces"] == 1
    assert snapshot() == before


def test_overlap_is_answered_with_the_overlapping_polygon_in_the_request_crs(
    district, routed_world
):
    before = snapshot()
    ring = [
        list(coords.wgs84_to_gcj02(*p)) for p in rect_geojson(0, 0, 600, 1000)["coordinates"][0]
    ]
    body = {"boundary": {"type": "Polygon", "coordinates": [ring]}, "crs": "gcj02"}
    err = error(district.patch("/api/v1/grids/A/", body, format="json", HTTP_IF_MATCH='"1"'), 400)
    assert err["code"] == "grid_overlaps"
    overlap = err["details"]["overlaps"][0]
    assert overlap["grid"] == "B" and overlap["overlap_area_m2"] == pytest.approx(100_000, rel=0.01)
    polygon = overlap["overlap"]
    assert polygon["type"] == "MultiPolygon"
    lons = [p[0] for p in polygon["coordinates"][0][0]]
    # from x = 500 to x = 600, in gcj02 as sent
    assert min(lons) == pytest.approx(coords.wgs84_to_gcj02(*lonlat(500, 0))[0], abs=1e-5)
    assert max(lons) == pytest.approx(coords.wgs84_to_gcj02(*lonlat(600, 0))[0], abs=1e-5)
    assert overlap["location"][0] == pytest.approx(
        coords.wgs84_to_gcj02(*lonlat(550, 500))[0], abs=2e-4
    )
    assert snapshot() == before


def test_a_boundary_save_reroutes_what_it_moves(district, routed_world):
    a = booked(450, 500)  # in A, near B
    assert a.grid.code == "A"
    response = district.patch(
        "/api/v1/grids/A/",
        {"boundary": rect_geojson(0, 0, 400, 1000)},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    assert response["ETag"] == '"2"'
    assert answer["rerouted_count"] == 1 and answer["assignments_ended"] == 0
    assert answer["rerouted"][0]["reason"] == "grid_changed"
    # the point is now in no grid: the nearest (B, agent1 backup) takes it, outside coverage
    assert answer["rerouted"][0]["to_grid"] in ("A", "B")
    a.refresh_from_db()
    assert a.routing["reason"] == "grid_changed"


def test_retire_ends_assignments_and_reroutes(district, routed_world):
    a = booked(100, 100)
    response = district.post(
        "/api/v1/grids/A/retire/", {"reason": "合并到B"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["properties"]["active"] is False and response["ETag"] == '"2"'
    assert answer["assignments_ended"] == 2
    assert [r["appointment"] for r in answer["rerouted"]] == [a.tracking_code]
    assert answer["rerouted"][0]["to_grid"] != "A"


def test_merge_carries_staffing_over(district, routed_world):
    agent2 = routed_world["people"]["agent1"]
    body = {
        "grids": ["A", "B"],
        "name": "AB",
        "code": "AB",
        "versions": {"A": 1, "B": 1},
        "assignments": [{"staff": agent2.pk, "kind": "primary"}],
    }
    response = district.post("/api/v1/grids/merge/", body, format="json")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["id"] == "AB" and answer["assignments_ended"] == 3
    assert [(c["grid"], c["staff"], c["kind"]) for c in answer["assignments"]] == [
        ("AB", agent2.pk, "primary")
    ]
    today = timezone.localdate()
    assert GridAssignment.objects.filter(grid__code="A", valid_to=today).count() == 2


@pytest.mark.parametrize(
    ("staffing", "status", "code", "where"),
    [
        # two primaries on one new grid
        (
            [[{"staff": "agent1", "kind": "primary"}, {"staff": "agent3", "kind": "primary"}], []],
            409,
            "grid_has_primary",
            {"part": 0, "item": 1},
        ),
        ([[], [{"staff": "manager1", "kind": "primary"}]], 400, "not_an_agent", {"part": 1}),
        ([[], [{"staff": "agent2", "kind": "backup"}]], 404, "unknown_staff", {"part": 1}),
        ([[{"staff": "agent1", "kind": "boss"}], []], 400, "invalid_kind", {"part": 0}),
        (
            [[{"staff": "agent1", "kind": "primary", "valid_to": "2020-01-01"}], []],
            400,
            "invalid_dates",
            {"part": 0},
        ),
    ],
)
def test_carry_over_is_all_or_nothing_with_the_geometry(
    manager1, routed_world, staffing, status, code, where
):
    """agent2 belongs to the other community's station: not the manager's to assign (404)."""
    a = booked(100, 100)
    people = routed_world["people"]
    parts = []
    for i, items in enumerate(staffing):
        parts.append(
            {
                "name": f"p{i}",
                "boundary": rect_geojson(0, 0, 500, 500)
                if i == 0
                else rect_geojson(0, 500, 500, 1000),
                "assignments": [{**item, "staff": people[item["staff"]].pk} for item in items],
            }
        )
    before = snapshot()
    err = error(
        manager1.post(
            "/api/v1/grids/A/split/", {"parts": parts}, format="json", HTTP_IF_MATCH='"1"'
        ),
        status,
    )
    assert err["code"] == code
    assert {k: err["details"][k] for k in where} == where
    assert snapshot() == before
    a.refresh_from_db()
    assert a.grid.code == "A"


def test_merge_carry_over_refused_keeps_the_grids(district, routed_world):
    before = snapshot()
    body = {
        "grids": ["A", "B"],
        "name": "AB",
        "versions": {"A": 1, "B": 1},
        "assignments": [
            {"staff": routed_world["people"]["agent1"].pk, "kind": "primary"},
            {"staff": routed_world["people"]["agent3"].pk, "kind": "primary"},
        ],
    }
    err = error(district.post("/api/v1/grids/merge/", body, format="json"), 409)
    assert err["code"] == "grid_has_primary" and err["details"]["item"] == 1
    assert snapshot() == before
