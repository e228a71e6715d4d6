"""Geo tests use `tree` (tests/worlds/geo.py) and, here, two grids cut from C1."""

from geo import services
from tests.worlds.stack import world_fixture

from .helpers import rect


@world_fixture
def two_grids(tree):
    """C1 cut in two: A (west) and B (east), sharing the edge x = 500 m."""
    a = services.grid_create(
        community=tree["c1"], code="A", name="A", boundary=rect(0, 0, 500, 1000)
    )
    b = services.grid_create(
        community=tree["c1"], code="B", name="B", boundary=rect(500, 0, 1000, 1000)
    )
    return a, b
