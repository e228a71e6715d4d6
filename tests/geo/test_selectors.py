"""Point lookups and coverage figures on constructed geometry, on PostGIS."""

import pytest
from django.utils import timezone

from geo import selectors, services

from .helpers import point, rect


def test_point_inside_a_grid(two_grids):
    assert selectors.grid_for_point(point(100, 100)).code == "A"
    assert selectors.grid_for_point(point(900, 100)).code == "B"


def test_shared_edge_goes_to_the_smallest_code(two_grids):
    # x = 500 m is the edge A and B share; both cover the point, A wins (smaller code)
    on_edge = point(500, 300)
    from geo.models import Grid

    covering = Grid.objects.filter(boundary__covers=on_edge, retired_at__isnull=True)
    assert covering.count() == 2
    assert selectors.grid_for_point(on_edge).code == "A"


def test_shared_edge_rule_is_by_code_not_by_creation_order(tree):
    services.grid_create(community=tree["c1"], code="Z", name="Z", boundary=rect(0, 0, 500, 1000))
    services.grid_create(
        community=tree["c1"], code="M", name="M", boundary=rect(500, 0, 1000, 1000)
    )
    assert selectors.grid_for_point(point(500, 300)).code == "M"


def test_point_in_no_grid_and_nearest_within_distance(two_grids):
    outside = point(1100, 500)  # in C2, which has no grids; 100 m east of B
    assert selectors.grid_for_point(outside) is None
    nearest = selectors.nearest_grid(outside, max_distance_m=500)
    assert nearest.grid.code == "B"
    assert nearest.distance_m == pytest.approx(100, abs=1)
    assert selectors.nearest_grid(outside, max_distance_m=50) is None


def test_grid_at_covering_nearest_or_none(two_grids):
    """grid_at (geo/sql/grid_at.sql) is the one home of both rules; routing_rank calls it too."""
    covered = selectors.grid_at(point(500, 300), max_distance_m=500)  # on A|B's shared edge
    assert (covered.grid.code, covered.outside, covered.distance_m) == ("A", False, 0)
    near = selectors.grid_at(point(1100, 500), max_distance_m=500)
    assert near.grid.code == "B" and near.outside
    assert near.distance_m == pytest.approx(100, abs=1)
    assert selectors.grid_at(point(1100, 500), max_distance_m=50) is None
    # no limit: the covering grid only
    assert selectors.grid_at(point(1100, 500), max_distance_m=None) is None
    assert selectors.grid_at(point(100, 100), max_distance_m=None).grid.code == "A"


def test_nearest_grid_ties_in_distance_go_to_the_smallest_code(tree):
    services.grid_create(community=tree["c1"], code="Q", name="Q", boundary=rect(0, 0, 400, 1000))
    services.grid_create(
        community=tree["c1"], code="P", name="P", boundary=rect(600, 0, 1000, 1000)
    )
    between = selectors.grid_at(point(500, 500), max_distance_m=500)  # 100 m from both
    assert between.outside and between.grid.code == "P"


def test_retired_grids_are_not_found(two_grids):
    a, _ = two_grids
    services.grid_retire(grid=a, reason="test")
    assert selectors.grid_for_point(point(100, 100)) is None
    assert selectors.nearest_grid(point(100, 100)).grid.code == "B"


def test_lookup_at_a_past_moment_uses_the_boundary_version_then(two_grids):
    a, _ = two_grids
    before = timezone.now()
    services.grid_update(grid=a, boundary=rect(0, 0, 300, 1000))
    assert selectors.grid_for_point(point(400, 100)) is None
    assert selectors.grid_for_point(point(400, 100), at=before).code == "A"


def test_area_chain(tree):
    chain = selectors.area_chain_for_point(point(1500, 500))
    assert [a.code for a in chain] == ["210000000000", "210000001000", "210000001002"]
    assert selectors.area_chain_for_point(point(5000, 5000)) == []


def test_locate_flags_outside_coverage(two_grids):
    inside = selectors.locate(point(100, 100))
    assert inside.grid.code == "A" and not inside.outside_coverage and inside.nearest is None
    outside = selectors.locate(point(1100, 500))
    assert outside.outside_coverage and outside.nearest.grid.code == "B"


def test_coverage_figures_of_a_constructed_example(two_grids, tree):
    # District 2 km²: C1 fully covered by A and B; C2 (1 km²) has one grid of 0.25 km².
    services.grid_create(
        community=tree["c2"], code="C", name="C", boundary=rect(1000, 0, 1500, 500)
    )
    coverage = selectors.coverage_for_area(tree["district"])
    assert coverage.area_m2 == pytest.approx(2_000_000, rel=0.005)
    assert coverage.uncovered_m2 == pytest.approx(750_000, rel=0.005)
    assert coverage.covered_pct == pytest.approx(62.5, abs=0.2)
    assert coverage.grids == 3
    assert coverage.communities == 2
    assert coverage.communities_without_grids == []
    assert [g["community"] for g in coverage.gaps] == ["210000001002"]
    assert coverage.overlaps == []

    c1 = selectors.coverage_for_area(tree["c1"])
    assert c1.uncovered_m2 == 0 and c1.covered_pct == pytest.approx(100)


def test_coverage_finds_communities_without_grids_and_overlaps(tree, settings):
    settings.GEO = {**settings.GEO, "OVERLAP_TOLERANCE_M2": 10_000}  # let a 5,000 m² overlap in
    services.grid_create(community=tree["c1"], code="A", name="A", boundary=rect(0, 0, 510, 1000))
    services.grid_create(
        community=tree["c1"], code="B", name="B", boundary=rect(505, 0, 1000, 1000)
    )
    coverage = selectors.coverage_for_area(tree["street"])
    assert coverage.communities_without_grids == ["210000001002"]
    assert len(coverage.overlaps) == 1
    assert coverage.overlaps[0]["grids"] == ["A", "B"]
    assert coverage.overlaps[0]["area_m2"] == pytest.approx(5_000, rel=0.01)
