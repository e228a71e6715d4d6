"""The routed world (tests/appointments/conftest.py: grids A, B, C, agents, items MZ-001 and the
"other request" QT-000) plus one Open311 client key.

The Open311 endpoints are throttled through the shared cache: every test starts with an empty
one.
"""

import pytest
from django.core.cache import cache

from open311.keys import api_key_create
from tests.worlds.stack import world_fixture


@pytest.fixture(autouse=True)
def _empty_cache(db):
    cache.clear()
    yield
    cache.clear()


@world_fixture
def o311(routed_world):
    key, raw = api_key_create(name="城市随手拍")
    routed_world["key"] = key
    routed_world["raw_key"] = raw
    return routed_world
