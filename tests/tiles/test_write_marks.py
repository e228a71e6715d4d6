"""What a write of appointments or cases leaves for the tiles (tiles/sql/tiles_work_changed.sql,
tiles_appointment_cells.sql): one bump per source, cell and transaction where the write shows,
stale marks for exactly the grids whose figures it changes, and nothing for a save that changes
nothing a tile shows."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.geo.helpers import lonlat
from tests.tiles.conftest import make_appointment, make_case
from tiles.models import CellBump, FiguresStale, GenerationBump

# each write commits on its own, as in production: what a transaction adds is its own rows
pytestmark = pytest.mark.django_db(transaction=True)


def _txid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        return cursor.fetchone()[0]


def _since(mark: int):
    """(work cells, grid cells, marked grid ids) bumped after CellBump/FiguresStale id `mark`."""
    cells = CellBump.objects.filter(id__gt=mark[0])
    return (
        set(cells.filter(source="work").values_list("x", "y")),
        set(cells.filter(source="grids").values_list("x", "y")),
        set(FiguresStale.objects.filter(id__gt=mark[1]).values_list("grid_id", flat=True)),
    )


def _mark():
    last = CellBump.objects.order_by("-id").values_list("id", flat=True).first() or 0
    stale = FiguresStale.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return last, stale


def _cell_of(x_m, y_m):
    lon, lat = lonlat(x_m, y_m)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tiles_cell_range(ST_MakePoint(%s, %s))", [lon, lat])
        x0, y0, _x1, _y1 = cursor.fetchone()[0]
    return x0, y0


def test_a_booking_bumps_its_cell_and_marks_its_agents_grids_once(world, item):
    p, g = world["people"], world["grids"]
    mark = _mark()
    appointment = make_appointment(
        item, at=(1500, 500), status="confirmed", agent=p["agent2"], grid=g["C"]
    )
    work, grids, marked = _since(mark)
    assert work == {_cell_of(1500, 500)}
    assert marked == {g["C"].pk}
    assert grids  # the cells over grid C

    mark = _mark()
    with transaction.atomic():  # written twice in one transaction: one row per cell and grid
        appointment.status = "awaiting_confirmation"
        appointment.save()
        appointment.status = "confirmed"
        appointment.save()
        txid = _txid()
    rows = list(CellBump.objects.filter(txid=txid).values_list("source", "x", "y"))
    assert len(rows) == len(set(rows))
    assert ("work", *_cell_of(1500, 500)) in rows
    assert list(FiguresStale.objects.filter(txid=txid).values_list("grid_id", flat=True)) == [
        g["C"].pk
    ]


def test_a_save_that_changes_nothing_a_tile_shows_bumps_nothing(world, item):
    p, g = world["people"], world["grids"]
    appointment = make_appointment(
        item, at=(1500, 500), status="confirmed", agent=p["agent2"], grid=g["C"]
    )
    mark = _mark()
    appointment.notes = "回访"
    appointment.routing = {"why": "test"}
    appointment.version += 1
    appointment.save()
    assert _since(mark) == (set(), set(), set())

    # a new confirmation deadline changes the light: the work cell, not the figures
    appointment.confirm_deadline = appointment.created_at
    appointment.save()
    assert _since(mark) == ({_cell_of(1500, 500)}, set(), set())


def test_a_move_bumps_both_cells_and_a_hand_over_marks_both_agents_grids(world, item):
    p, g = world["people"], world["grids"]
    appointment = make_appointment(
        item, at=(1500, 500), status="confirmed", agent=p["agent2"], grid=g["C"]
    )
    mark = _mark()
    with connection.cursor() as cursor:
        lon, lat = lonlat(100, 500)
        cursor.execute(
            "UPDATE appointments_appointment SET location = ST_SetSRID(ST_MakePoint(%s, %s), 4326),"
            " agent_id = %s WHERE id = %s",
            [lon, lat, p["agent1"].pk, appointment.pk],
        )
    work, _grids, marked = _since(mark)
    assert work == {_cell_of(1500, 500), _cell_of(100, 500)}
    assert marked == {g["A"].pk, g["B"].pk, g["C"].pk}  # agent1 has A and B, agent2 C


def test_a_case_write_is_one_statement_with_the_same_rows(world, item):
    p = world["people"]
    mark = _mark()
    case = make_case(
        item,
        at=(100, 500),
        responsible=p["agent1"],
        centre=world["tree"]["c1"].centre,
        due_date=timezone.localdate(),
    )
    work, _grids, marked = _since(mark)
    assert work == {_cell_of(100, 500)}
    assert marked == {world["grids"]["A"].pk, world["grids"]["B"].pk}
    mark = _mark()
    case.due_date = timezone.localdate().replace(year=2030)
    case.save()
    assert _since(mark)[2] == marked


def test_a_write_over_more_than_4096_cells_bumps_the_source_as_a_whole(world):
    with transaction.atomic(), connection.cursor() as cursor:
        txid = _txid()
        cursor.execute(
            "SELECT tiles_work_changed(ARRAY[ST_MakeEnvelope(100, 30, 101, 31, 4326)], '{}')"
        )
    assert GenerationBump.objects.filter(txid=txid, source="work").exists()
    assert not CellBump.objects.filter(txid=txid, source="work").exists()
