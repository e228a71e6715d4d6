"""Kept grid figures and invalidation per tile range: a write that changes a grid's figure shows
on the next fetch of that grid's tiles, whether or not the refresh has run; a change in one
community leaves the other community's cached tiles valid; tiles go out gzip-compressed."""

from __future__ import annotations

import gzip
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import client_for
from tests.tiles.conftest import (
    WORLD_TILE,
    by,
    decode,
    make_appointment,
    make_case,
    tile_of,
    tile_url,
)
from tests.tiles.test_api import tile_queries
from tiles.cells import cell_range
from tiles.figures import figures_refresh
from tiles.models import FiguresStale, GridFigures

pytestmark = pytest.mark.django_db

C1_TILE = tile_of(100, 500, 16)  # in grid A, community 一社区
C2_TILE = tile_of(1900, 500, 16)  # in grid C, community 二村


def figures(client, figure="open_work"):
    response = client.get(tile_url("grids", *WORLD_TILE, figure=figure))
    return {code: f["value"] for code, f in by(decode(response)["grids"], "code").items()}


# each request and write commits on its own, as in production
@pytest.mark.django_db(transaction=True)
def test_a_write_shows_on_the_next_fetch_before_and_after_the_refresh(world, item):
    p, g = world["people"], world["grids"]
    client = client_for(p["district"])
    assert figures_refresh() == 3
    assert not FiguresStale.objects.exists()
    assert figures(client) == {"A": 0, "B": 0, "C": 0}

    make_appointment(item, at=(1500, 500), status="confirmed", agent=p["agent2"], grid=g["C"])
    # marked, not yet refreshed: the tile computes C live
    assert set(FiguresStale.objects.values_list("grid_id", flat=True)) == {g["C"].pk}
    assert figures(client) == {"A": 0, "B": 0, "C": 1}

    assert figures_refresh() == 1
    assert not FiguresStale.objects.exists()
    assert GridFigures.objects.get(grid_id=g["C"].pk).open_work == 1
    assert figures(client) == {"A": 0, "B": 0, "C": 1}

    today = timezone.localdate()
    case = make_case(
        item, at=None, responsible=p["agent1"], centre=world["tree"]["c1"].centre, due_date=today
    )
    assert figures(client, "overdue") == {"A": 0, "B": 0, "C": 0}
    case.due_date = today - timedelta(days=1)
    case.save()
    assert figures(client, "overdue") == {"A": 1, "B": 1, "C": 0}
    figures_refresh()
    assert figures(client, "overdue") == {"A": 1, "B": 1, "C": 0}

    p["agent2"].active = False
    p["agent2"].save()
    assert figures(client, "agents") == {"A": 1, "B": 1, "C": 0}


def test_kept_figures_of_another_day_or_marked_stale_are_not_used(world):
    g = world["grids"]
    figures_refresh()
    yesterday = timezone.localdate() - timedelta(days=1)
    GridFigures.objects.filter(grid_id=g["A"].pk).update(day=yesterday, agents=7)
    GridFigures.objects.filter(grid_id=g["B"].pk).update(agents=8)
    FiguresStale.objects.create(grid_id=g["B"].pk, txid=1)
    GridFigures.objects.filter(grid_id=g["C"].pk).update(agents=9)  # kept: used as it is
    client = client_for(world["people"]["district"])
    assert figures(client, "agents") == {"A": 1, "B": 1, "C": 9}


def test_the_refresh_recomputes_grids_of_another_day(world):
    figures_refresh()
    GridFigures.objects.update(day=timezone.localdate() - timedelta(days=1), agents=5)
    assert figures_refresh() == 3
    assert set(GridFigures.objects.values_list("agents", flat=True)) == {1}


# each request and write commits on its own, as in production
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("layer", ["grids", "appointments"])
def test_a_change_in_one_community_leaves_the_others_tiles_cached(world, item, layer):
    c1_cells, c2_cells = (cell_range(*t, 1 / 64) for t in (C1_TILE, C2_TILE))
    assert c1_cells[2] < c2_cells[0], "the two tiles must not share a cell"
    p, g = world["people"], world["grids"]
    client = client_for(p["district"])
    c1, c2 = (client.get(tile_url(layer, *t)) for t in (C1_TILE, C2_TILE))

    # agent2's booking in grid C (二村): C's figures and the work where it is change
    make_appointment(item, at=(1900, 500), status="confirmed", agent=p["agent2"], grid=g["C"])

    with CaptureQueriesContext(connection) as context:
        again = client.get(tile_url(layer, *C1_TILE))
    assert again["ETag"] == c1["ETag"]
    assert tile_queries(context) == []  # served from the cache
    changed = client.get(tile_url(layer, *C2_TILE))
    assert changed["ETag"] != c2["ETag"]
    if layer == "grids":
        assert by(decode(changed)["grids"], "code")["C"]["open_work"] == 1


def test_tiles_are_gzip_compressed_when_the_client_accepts_it(world):
    client = client_for(world["people"]["district"])
    url = tile_url("grids", *WORLD_TILE)
    plain = client.get(url)
    assert "Content-Encoding" not in plain
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] == plain["ETag"]
    refused = client.get(url, HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert "Content-Encoding" not in refused
