import pytest

from geo import services

from .helpers import build_tree, rect


@pytest.fixture
def tree(db):
    return build_tree()


@pytest.fixture
def two_grids(tree):
    """C1 cut in two: A (west) and B (east), sharing the edge x = 500 m."""
    a = services.grid_create(
        community=tree["c1"], code="A", name="A", boundary=rect(0, 0, 500, 1000)
    )
    b = services.grid_create(
        community=tree["c1"], code="B", name="B", boundary=rect(500, 0, 1000, 1000)
    )
    return a, b
