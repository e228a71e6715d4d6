from tests.tiles.conftest import item  # noqa: F401
from tests.world import world  # noqa: F401
