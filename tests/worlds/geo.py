"""The test district's tree of areas (tests/geo/helpers.py)."""

from tests.geo.helpers import build_tree
from tests.worlds.stack import world_fixture


@world_fixture
def tree():
    """District 2 km × 1 km; one street the same; communities C1 (west half) and C2 (east)."""
    return build_tree()
