"""The tile endpoint: input errors, empty tiles, headers, the cache and its generations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from people.models import GridAssignment
from tests.factories import client_for
from tests.tiles.conftest import WORLD_TILE, by, decode, tile_of, tile_url

pytestmark = pytest.mark.django_db


def tile_queries(context) -> list[str]:
    return [q["sql"] for q in context.captured_queries if "ST_AsMVT(" in q["sql"]]


def test_headers_of_a_tile(world):
    response = client_for(world["people"]["district"]).get(tile_url("grids", *WORLD_TILE))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert response["Cache-Control"] == "private, no-cache"
    assert response["ETag"].startswith('"') and len(response["ETag"]) == 42


def test_an_empty_tile_is_204(world):
    response = client_for(world["people"]["district"]).get(tile_url("grids", 13, 0, 0))
    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.parametrize(
    "z, x, y",
    [
        ("23", "0", "0"),  # beyond the deepest zoom
        ("13", "8192", "0"),  # x past the last column (2^13 − 1)
        ("13", "0", "8192"),
        ("13", "-1", "0"),
        ("abc", "0", "0"),
        ("13", "1e3", "0"),
        ("13", "٣", "0"),  # a digit, but not an ASCII one
    ],
)
def test_bad_tile_numbers_are_400(world, z, x, y):
    response = client_for(world["people"]["district"]).get(f"/api/v1/tiles/grids/{z}/{x}/{y}.pbf")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_tile"


def test_grids_below_their_zoom_are_refused(world):
    response = client_for(world["people"]["district"]).get(tile_url("grids", 9, 427, 193))
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "zoom_out_of_range"
    assert body["details"]["min_zoom"] == 10


def test_areas_are_served_at_low_zoom(world):
    response = client_for(world["people"]["district"]).get(tile_url("areas", *tile_of(0, 0, 6)))
    assert len(decode(response)["areas"]) == 4


def test_unknown_layer_is_404(world):
    response = client_for(world["people"]["district"]).get(tile_url("roads", *WORLD_TILE))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_layer"


def test_unknown_figure_is_400(world):
    response = client_for(world["people"]["district"]).get(
        tile_url("grids", *WORLD_TILE, figure="rating")
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_figure"
    assert error["details"]["figures"] == ["agents", "open_work", "overdue"]


def test_tiles_need_a_login(world):
    response = APIClient().get(tile_url("grids", *WORLD_TILE))
    assert response.status_code == 401


# --- cache ---------------------------------------------------------------------------------


def test_the_second_request_is_served_from_the_cache(world):
    client = client_for(world["people"]["district"])
    url = tile_url("grids", *WORLD_TILE)
    with CaptureQueriesContext(connection) as first:
        one = client.get(url)
    with CaptureQueriesContext(connection) as second:
        two = client.get(url)
    assert len(tile_queries(first)) == 1
    assert tile_queries(second) == []
    assert len(second) < len(first)
    assert two.content == one.content and two["ETag"] == one["ETag"]


def test_if_none_match_is_answered_304_without_reading_the_tile(world):
    client = client_for(world["people"]["district"])
    url = tile_url("grids", *WORLD_TILE)
    etag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert tile_queries(context) == []
    assert not any("gridproxy_cache" in q["sql"] for q in context.captured_queries)


def test_cache_keys_differ_by_scope_and_figure(world):
    p = world["people"]
    url = tile_url("grids", *WORLD_TILE)
    etags = {
        client_for(p["district"]).get(url)["ETag"],
        client_for(p["supervisor"]).get(url)["ETag"],  # same scope: "all"
    }
    assert len(etags) == 1
    etags.add(client_for(p["manager1"]).get(url)["ETag"])
    etags.add(client_for(p["district"]).get(url + "?figure=overdue")["ETag"])
    assert len(etags) == 3


def test_a_manager_never_gets_the_district_wide_tile_from_the_cache(world):
    p = world["people"]
    url = tile_url("grids", *WORLD_TILE)
    assert len(decode(client_for(p["district"]).get(url))["grids"]) == 3
    assert {f["code"] for f in decode(client_for(p["manager2"]).get(url))["grids"]} == {"C"}


# each request commits (no seeded rows needed)
@pytest.mark.django_db(transaction=True)
def test_a_data_change_bumps_the_generation_and_the_next_tile_shows_it(world):
    """Each request commits on its own, as in production (one bump per writing transaction)."""
    p, g = world["people"], world["grids"]
    client = client_for(p["district"])
    url = tile_url("grids", *WORLD_TILE)
    before = client.get(url)
    assert by(decode(before)["grids"], "code")["A"]["agents"] == 1
    assert client.get(url)["ETag"] == before["ETag"]  # cached, unchanged

    GridAssignment.objects.create(
        grid=g["A"], staff=p["agent2"], kind="backup", valid_from=timezone.localdate()
    )

    with CaptureQueriesContext(connection) as context:
        after = client.get(url)
    assert after["ETag"] != before["ETag"]
    assert len(tile_queries(context)) == 1  # a new key: made afresh, not the stale entry
    assert by(decode(after)["grids"], "code")["A"]["agents"] == 2
    # the old ETag no longer matches: the client gets the new tile, not a 304
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 200


# each request commits (no seeded rows needed)
@pytest.mark.django_db(transaction=True)
def test_a_change_to_another_source_leaves_the_layer_cached(world):
    from tests.geo.helpers import point

    p = world["people"]
    client = client_for(p["district"])
    url = tile_url("grids", *WORLD_TILE)
    etag = client.get(url)["ETag"]
    agent = p["agent1"]
    agent.last_position = point(100, 100)
    agent.last_position_at = timezone.now() - timedelta(minutes=1)
    agent.last_position_accuracy_m = 5
    agent.save(update_fields=["last_position", "last_position_at", "last_position_accuracy_m"])
    assert client.get(url)["ETag"] == etag  # positions are not on the grid layer
