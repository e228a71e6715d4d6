"""Writes to the spatial core: every rule refuses with a code and changes nothing."""

import pytest
from django.db import IntegrityError, connection, transaction

from core.errors import ApplicationError
from geo import services
from geo.geometry import GeometryError
from geo.models import Area, Grid, GridBoundary

from .helpers import rect


def grid_state():
    return (
        list(Grid.objects.order_by("code").values_list("code", "name", "retired_at")),
        GridBoundary.objects.count(),
    )


def test_grid_create_writes_version_one(tree):
    grid = services.grid_create(community=tree["c1"], name="西", boundary=rect(0, 0, 500, 1000))
    assert grid.code == "210000001001-01"
    assert grid.active
    version = grid.boundaries.get()
    assert version.version == 1 and version.valid_to is None
    assert version.geom.equals(grid.boundary)


def test_grid_outside_its_community_is_refused(tree):
    before = grid_state()
    with pytest.raises(GeometryError) as info:
        services.grid_create(community=tree["c1"], name="x", boundary=rect(900, 0, 1200, 1000))
    assert info.value.code == "outside_parent"
    assert info.value.details["parent"] == "210000001001"
    # 200 m stick out; the 5 m tolerance band is forgiven
    assert info.value.details["outside_area_m2"] == pytest.approx(195_000, rel=0.01)
    lon, _lat = info.value.details["location"]
    assert lon > 121.0  # points at the part that sticks out
    assert grid_state() == before


def test_grid_within_parent_tolerance_is_accepted(tree):
    # 3 m beyond the community's edge: inside the 5 m tolerance
    grid = services.grid_create(community=tree["c1"], name="x", boundary=rect(0, 0, 1003, 1000))
    stored = Grid.objects.get(pk=grid.pk)
    assert stored.active and stored.community == tree["c1"]
    assert stored.boundary.equals(rect(0, 0, 1003, 1000))  # kept as drawn, not clipped
    assert stored.boundaries.get().version == 1


def test_overlapping_grids_are_refused(two_grids, tree):
    before = grid_state()
    with pytest.raises(GeometryError) as info:
        services.grid_create(community=tree["c1"], name="x", boundary=rect(400, 0, 600, 100))
    assert info.value.code == "grid_overlaps"
    grids = {o["grid"] for o in info.value.details["overlaps"]}
    assert grids == {"A", "B"}
    assert grid_state() == before


def test_touching_or_tiny_overlap_is_accepted(tree):
    services.grid_create(community=tree["c1"], code="W", name="W", boundary=rect(0, 0, 500, 1000))
    # 0.5 m² overlap is below the 1 m² tolerance
    east = services.grid_create(
        community=tree["c1"], code="E", name="E", boundary=rect(499.9995, 0, 1000, 1000)
    )
    assert east.boundary.equals(rect(499.9995, 0, 1000, 1000))  # kept, overlap and all
    assert grid_state() == ([("E", "E", None), ("W", "W", None)], 2)


def test_grid_needs_a_community(tree):
    with pytest.raises(ApplicationError) as info:
        services.grid_create(community=tree["street"], name="x", boundary=rect(0, 0, 10, 10))
    assert info.value.code == "not_a_community"


def test_grid_codes_are_unique_and_well_formed(two_grids, tree):
    with pytest.raises(ApplicationError) as info:
        services.grid_create(
            community=tree["c2"], code="A", name="x", boundary=rect(1000, 0, 1100, 100)
        )
    assert info.value.code == "grid_code_taken"
    assert info.value.status == 409
    with pytest.raises(ApplicationError) as info:
        services.grid_create(
            community=tree["c2"], code="bad code!", name="x", boundary=rect(1000, 0, 1100, 100)
        )
    assert info.value.code == "invalid_grid_code"


def test_boundary_edit_adds_a_version_and_keeps_the_old(two_grids):
    a, _ = two_grids
    services.grid_update(grid=a, boundary=rect(0, 0, 400, 1000), note="shrink")
    versions = list(a.boundaries.order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].valid_to is not None and versions[1].valid_to is None
    assert versions[0].geom.equals(rect(0, 0, 500, 1000))
    a.refresh_from_db()
    assert a.boundary.equals(rect(0, 0, 400, 1000))


def test_boundary_edit_that_overlaps_is_refused_and_changes_nothing(two_grids):
    a, _ = two_grids
    before = grid_state()
    with pytest.raises(GeometryError):
        services.grid_update(grid=a, boundary=rect(0, 0, 700, 1000))
    assert grid_state() == before


def test_boundary_versions_cannot_be_overwritten_or_deleted(two_grids):
    a, _ = two_grids
    version = a.boundaries.get()
    update = "UPDATE geo_gridboundary SET geom = ST_Multi(ST_Buffer(geom, 0.001)) WHERE id = %s"
    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(update, [version.pk])
    with (
        pytest.raises(IntegrityError, match="never deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM geo_gridboundary WHERE id = %s", [version.pk])


def test_split_retires_the_grid_and_records_lineage(two_grids):
    a, _ = two_grids
    parts = [
        services.GridPart(code="A1", name="A 北", boundary=rect(0, 500, 500, 1000)),
        services.GridPart(code="A2", name="A 南", boundary=rect(0, 0, 500, 500)),
    ]
    created = services.grid_split(grid=a, parts=parts)
    a.refresh_from_db()
    assert not a.active and "A1" in a.retired_reason
    assert {g.code for g in created} == {"A1", "A2"}
    assert all(list(g.predecessors.all()) == [a] for g in created)
    assert set(a.successors.values_list("code", flat=True)) == {"A1", "A2"}


@pytest.mark.parametrize(
    ("parts", "code"),
    [
        ([(0, 500, 500, 1000), (0, 0, 500, 400)], "split_incomplete"),
        ([(0, 500, 500, 1000), (0, 0, 600, 500)], "split_outside_grid"),
        ([(0, 400, 500, 1000), (0, 0, 500, 600)], "grid_overlaps"),
        ([(0, 0, 500, 1000)], "split_needs_parts"),
    ],
)
def test_bad_splits_are_refused_and_change_nothing(two_grids, parts, code):
    a, _ = two_grids
    before = grid_state()
    with pytest.raises(ApplicationError) as info:
        services.grid_split(
            grid=a,
            parts=[services.GridPart(name=f"p{i}", boundary=rect(*p)) for i, p in enumerate(parts)],
        )
    assert info.value.code == code
    assert grid_state() == before


def test_merge_unions_grids_of_one_community(two_grids):
    merged = services.grid_merge(grids=list(two_grids), name="AB", code="AB")
    assert merged.boundary.equals(rect(0, 0, 1000, 1000)) or merged.boundary.area == pytest.approx(
        rect(0, 0, 1000, 1000).area
    )
    assert set(merged.predecessors.values_list("code", flat=True)) == {"A", "B"}
    assert not Grid.objects.get(code="A").active


def test_merge_across_communities_is_refused(two_grids, tree):
    other = services.grid_create(
        community=tree["c2"], code="C", name="C", boundary=rect(1000, 0, 1500, 500)
    )
    with pytest.raises(ApplicationError) as info:
        services.grid_merge(grids=[two_grids[0], other], name="x")
    assert info.value.code == "merge_across_communities"


def test_retired_grid_cannot_change(two_grids):
    a, _ = two_grids
    services.grid_retire(grid=a, reason="test")
    with pytest.raises(ApplicationError) as info:
        services.grid_update(grid=a, name="new")
    assert info.value.code == "grid_retired"
    assert info.value.status == 409


def test_area_rules(tree):
    with pytest.raises(ApplicationError) as info:
        services.area_upsert(
            code="210000001003",
            name="x",
            level="community",
            kind="town",
            parent=tree["street"],
            boundary=rect(0, 0, 10, 10),
        )
    assert info.value.code == "level_kind_mismatch"
    with pytest.raises(ApplicationError) as info:
        services.area_upsert(
            code="210000001003",
            name="x",
            level="community",
            kind="community",
            parent=tree["district"],
            boundary=rect(0, 0, 10, 10),
        )
    assert info.value.code == "parent_level_mismatch"
    with pytest.raises(ApplicationError) as info:
        services.area_upsert(
            code="210000001003",
            name="x",
            level="community",
            kind="community",
            parent=tree["street"],
            boundary=rect(1900, 900, 2100, 1100),
        )
    assert info.value.code == "outside_parent"
    with pytest.raises(ApplicationError) as info:
        services.area_upsert(
            code="2100",
            name="x",
            level="community",
            kind="community",
            parent=tree["street"],
            boundary=rect(0, 0, 10, 10),
        )
    assert info.value.code == "invalid_area_code"
    assert not Area.objects.filter(code="210000001003").exists()


def test_area_code_is_padded_to_twelve_digits(tree):
    assert services.area_get(code="210000001").code == "210000001000"
    assert services.area_get(code="210000").level == "district"
    with pytest.raises(ApplicationError) as info:
        services.area_get(code="999")
    assert info.value.status == 404
