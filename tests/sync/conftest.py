from tests.cases.conftest import case_world  # noqa: F401
from tests.world import world  # noqa: F401
