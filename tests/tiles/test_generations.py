"""Generations: one bump per writing transaction, source and zoom-16 cell; counted over a tile's
cells and over the whole source; compaction keeps them."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from tests.geo.helpers import lonlat
from tests.tiles.conftest import WORLD_TILE, tile_of
from tiles.cells import cell_range
from tiles.generations import generations, generations_compact
from tiles.models import CellBump, GenerationBump

SOURCES = ["areas", "grids", "staff", "positions", "work", "gaps"]
WORLD_CELLS = cell_range(*WORLD_TILE, 1 / 64)


def cells_of(x0, y0, x1, y1):
    """The cells tiles_cell_range gives a lon/lat box."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tiles_cell_range(ST_MakeEnvelope(%s, %s, %s, %s, 4326))", [x0, y0, x1, y1]
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_cells_are_numbered_like_slippy_map_tiles_of_zoom_16():
    _z, x, y = tile_of(0, 0, 16)
    lon, lat = lonlat(0, 0)
    assert cells_of(lon, lat, lon, lat) == [x, y, x, y]
    assert cell_range(16, x, y, 0.0)[:2] == (x, y)
    # a tile of zoom 13 covers 8 × 8 cells, and one more on each side for its buffer
    assert cell_range(13, 1, 1, 1 / 64) == (7, 7, 16, 16)


@pytest.mark.django_db
def test_a_transaction_bumps_each_source_and_cell_once(world):
    txid = CellBump.objects.order_by("-id").values_list("txid", flat=True).first()
    # the whole world was made in the test's one transaction: areas, grids, grids' figures
    mine = CellBump.objects.filter(txid=txid)
    assert set(mine.values_list("source", flat=True)) >= {"areas", "grids"}
    rows = list(mine.values_list("source", "x", "y"))
    assert len(rows) == len(set(rows))
    # nothing of the world is big enough to bump a source as a whole
    assert not GenerationBump.objects.filter(txid=txid).exists()


# one bump per commit is what it checks (no seeded rows needed)
@pytest.mark.django_db(transaction=True)
def test_generations_change_with_each_commit_and_survive_compaction(world):
    before = generations(SOURCES, WORLD_CELLS)
    assert set(before) == set(SOURCES)
    with transaction.atomic():
        world["grids"]["A"].name = "甲"
        world["grids"]["A"].save()
        world["grids"]["B"].name = "乙"
        world["grids"]["B"].save()
    after = generations(SOURCES, WORLD_CELLS)
    assert after["grids"] != before["grids"]
    assert int(after["grids"].split(".")[0]) > int(before["grids"].split(".")[0])
    assert {s: after[s] for s in SOURCES if s != "grids"} == {
        s: before[s] for s in SOURCES if s != "grids"
    }
    # far away, nothing changed
    assert generations(["grids"], (0, 0, 10, 10)) == generations(["grids"])

    assert generations_compact() > 0
    assert not CellBump.objects.exists()
    assert generations(SOURCES, WORLD_CELLS) == after
    with connection.cursor() as cursor:
        cursor.execute("UPDATE geo_grid SET name = name WHERE code = 'C'")
    assert generations(SOURCES, WORLD_CELLS)["grids"] != after["grids"]


@pytest.mark.django_db(transaction=True)
def test_a_truncate_bumps_the_whole_source(world):
    before = generations(["gaps"])
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tiles_gap")
    assert generations(["gaps"]) != before


# two connections commit in turn (no seeded rows needed)
@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_commits_late_still_changes_the_generation(world):
    """Out-of-order commits: a bump with a smaller id that commits after a larger one was read
    must still change the generation (why it counts instead of taking the newest id)."""
    import threading

    from django.db import connections

    started, release = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("UPDATE geo_grid SET name = name WHERE code = 'A'")
                started.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert started.wait(10)
    with connection.cursor() as cursor:  # a later writer (another community) commits first
        cursor.execute("UPDATE geo_grid SET name = name WHERE code = 'C'")
    seen = generations(["grids"], WORLD_CELLS)["grids"]
    release.set()
    thread.join(10)
    assert generations(["grids"], WORLD_CELLS)["grids"] != seen
