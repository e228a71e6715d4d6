"""synth_grids makes valid, non-overlapping grids that lookups find (small N here)."""

import pytest
from django.core.management import CommandError, call_command

from geo import selectors
from geo.models import Area, Grid


@pytest.mark.django_db
def test_synth_grids_small():
    call_command("synth_grids", "--grids", "250")
    assert Grid.objects.filter(code__startswith="S").count() == 250
    assert Area.objects.filter(level="community", code__startswith="999999").count() == 4
    grid = Grid.objects.get(code="S0000123")
    assert selectors.grid_for_point(grid.boundary.point_on_surface).code == "S0000123"
    coverage = selectors.coverage_for_area(grid.community)
    assert coverage.overlaps == []
    assert grid.boundaries.get().version == 1
    with pytest.raises(CommandError, match="exists already"):
        call_command("synth_grids", "--grids", "10")
