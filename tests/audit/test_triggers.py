"""The triggers (audit/migrations/0002): what each kind of write records, and that the trail
cannot be changed."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from audit.context import AUDITED_TABLES, audit_context
from audit.models import Change
from geo import services as geo_services
from geo.models import Grid
from people.models import GridAssignment
from tests.audit.conftest import changes_of
from tests.geo.helpers import rect

pytestmark = pytest.mark.django_db


def test_every_audited_table_has_the_trigger_and_no_other():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger "
            "WHERE tgfoid = 'audit_record'::regproc AND NOT tgisinternal"
        )
        tables = {table for (table,) in cursor.fetchall()}
    assert tables == set(AUDITED_TABLES)


def test_insert_records_the_new_row_geometry_as_geojson(world):
    grid = world["grids"]["A"]
    [insert] = changes_of("geo_grid", grid.pk)
    assert insert.op == "INSERT"
    assert insert.changes["code"] == "A" and insert.changes["id"] == grid.pk
    assert insert.changes["boundary"]["type"] == "MultiPolygon"
    assert len(insert.changes["boundary"]["coordinates"][0][0]) == 5
    [boundary] = changes_of("geo_gridboundary")[:1]
    assert boundary.changes["geom"]["type"] == "MultiPolygon"
    assert insert.at is not None and insert.txid > 0


def test_write_without_context_has_no_actor(world):
    assignment = GridAssignment.objects.create(
        grid=world["grids"]["C"],
        staff=world["people"]["agent1"],
        kind="backup",
        valid_from=date(2026, 2, 1),
    )
    [change] = changes_of("people_gridassignment", assignment.pk)
    assert (change.actor_id, change.request_id, change.context) == (None, "", {})
    assert change.changes["kind"] == "backup" and change.changes["valid_from"] == "2026-02-01"


def test_update_records_only_the_changed_columns(world):
    grid = world["grids"]["A"]
    Grid.objects.filter(pk=grid.pk).update(name="甲")
    geo_services.grid_update(grid=grid, boundary=rect(0, 0, 400, 1000))
    rename, reshape = changes_of("geo_grid", grid.pk)[1:]
    assert rename.op == "UPDATE" and rename.changes == {"name": ["A", "甲"]}
    assert set(reshape.changes) == {"boundary", "revision"}
    old, new = reshape.changes["boundary"]
    assert old != new and new["type"] == "MultiPolygon"
    closed = changes_of("geo_gridboundary")[-2]
    assert closed.op == "UPDATE" and set(closed.changes) == {"valid_to"}


def test_a_statement_changing_many_rows_records_the_same_changes(routed_world):
    """Over 16 rows the trigger compares column by column (audit 0004): the same changes as row
    by row, nothing for rows left as they were, geometry as GeoJSON, skipped columns left out."""
    from tests.appointments.helpers import book

    appointments = [book(resident_id="11010519491231002X") for _ in range(17)]
    first, other = appointments[0].pk, appointments[5].pk
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE appointments_appointment SET resident_id_encrypted = 'x', "
            "routing = '{}'::jsonb, notes = CASE WHEN id = %s THEN 'moved' ELSE notes END, "
            "location = CASE WHEN id = %s THEN ST_Translate(location, 0.001, 0) "
            "ELSE location END",
            [first, first],
        )
    unmoved = changes_of("appointments_appointment", other)
    assert len(unmoved) == 1  # the INSERT: encrypted id and routing are not in the trail
    moved = changes_of("appointments_appointment", first)[-1]
    assert moved.op == "UPDATE" and set(moved.changes) == {"notes", "location"}
    assert moved.changes["notes"] == ["", "moved"]
    old, new = moved.changes["location"]
    assert old == changes_of("appointments_appointment", first)[0].changes["location"]
    assert new["type"] == "Point" and new != old
    assert new["crs"] == {"type": "name", "properties": {"name": "EPSG:4326"}}


def test_an_update_that_changes_nothing_records_nothing(world):
    grid = Grid.objects.get(code="A")
    before = Change.objects.count()
    grid.save()  # every column written back unchanged
    Grid.objects.filter(pk=grid.pk).update(name="A")
    assert Change.objects.count() == before


def test_delete_records_the_old_row(world):
    assignment = GridAssignment.objects.get(grid=world["grids"]["C"])
    pk = assignment.pk
    assignment.delete()
    change = changes_of("people_gridassignment", pk)[-1]
    assert change.op == "DELETE"
    assert change.changes["id"] == pk and change.changes["kind"] == "primary"


def test_encrypted_resident_ids_stay_out_of_the_trail(routed_world):
    from tests.appointments.helpers import book

    appointment = book(resident_id="11010519491231002X")
    assert appointment.resident_id_encrypted
    [insert, *updates] = changes_of("appointments_appointment", appointment.pk)
    assert "resident_id_encrypted" not in insert.changes
    assert insert.changes["resident_id_masked"] == "110105********002X"
    assert all("resident_id_encrypted" not in u.changes for u in updates)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_change SET actor_id = 1 WHERE id = %s",
        "DELETE FROM audit_change WHERE id = %s",
    ],
)
def test_the_trail_cannot_be_changed(world, sql):
    change = Change.objects.first()
    with (
        pytest.raises(IntegrityError, match="never"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [change.pk])
    assert Change.objects.get(pk=change.pk).actor_id == change.actor_id


def test_the_context_lands_in_its_columns(world):
    grid = world["grids"]["B"]
    with audit_context(user=world["people"]["district"].user_id, command="rename", request_id="r1"):
        Grid.objects.filter(pk=grid.pk).update(name="乙")
    change = changes_of("geo_grid", grid.pk)[-1]
    assert change.actor_id == world["people"]["district"].user_id
    assert change.request_id == "r1"
    assert change.context == {"command": "rename"}
