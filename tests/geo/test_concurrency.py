"""Two editors of one grid at the same moment, on real concurrent connections to PostGIS: the
revision is compared under the grid's row lock, so exactly one saves and the other gets 412."""

import pytest

from geo import services
from geo.models import Grid, GridBoundary
from tests.appointments.test_concurrency import run_together

from .helpers import rect

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_two_editors_one_grid_exactly_one_saves(world):
    grid = world["grids"]["A"]
    outcomes = run_together(
        lambda width: (
            services.grid_update(
                grid=grid, boundary=rect(0, 0, width, 1000), expected_revision=1
            ).revision
        ),
        [(450,), (400,)],
    )
    assert sorted(outcomes) == [("error", "stale_version"), ("ok", 2)], outcomes
    assert Grid.objects.get(pk=grid.pk).revision == 2
    assert GridBoundary.objects.filter(grid=grid).count() == 2


def test_a_split_and_a_rename_at_once(world):
    grid = world["grids"]["B"]

    def edit(kind):
        if kind == "split":
            return services.grid_split(
                grid=grid,
                parts=[
                    services.GridPart(name="1", boundary=rect(500, 0, 1000, 500)),
                    services.GridPart(name="2", boundary=rect(500, 500, 1000, 1000)),
                ],
                expected_revision=1,
            )[0].code
        return services.grid_update(grid=grid, name="乙", expected_revision=1).name

    outcomes = sorted(run_together(edit, [("split",), ("rename",)]))
    # whichever came second finds the first's revision (or the grid retired by the split)
    assert [kind for kind, _ in outcomes] == ["error", "ok"], outcomes
    assert outcomes[0][1] in ("stale_version", "grid_retired")
    assert Grid.objects.get(pk=grid.pk).revision == 2
