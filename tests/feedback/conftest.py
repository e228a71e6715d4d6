"""The people world plus a catalogue item, a case at station C1 (agent1 responsible) and one
opened directly at the street centre (street staff responsible).

The public endpoints are throttled per client through the shared cache: every test starts
with an empty one.
"""

import pytest
from django.core.cache import cache

from catalogue import services as catalogue_services
from people.models import Role
from tests.factories import make_staff
from tests.feedback.helpers import make_case
from tests.worlds.stack import world_fixture


@pytest.fixture(autouse=True)
def _empty_cache(db):
    cache.clear()
    yield
    cache.clear()


@world_fixture
def fb_world(world):
    tree, people = world["tree"], world["people"]
    item = catalogue_services.item_create(
        actor=None,
        code="MZ-001",
        data={
            "name": "高龄津贴申请",
            "category": "老年人服务",
            "handling_level": "street",
            "department": "区民政局",
            "materials": [{"key": "id_card", "name": "居民身份证"}],
            "procedure": ["预审", "报送"],
            "committed_limit_days": 15,
            "proxy_limit_days": 10,
        },
    )
    people["admin"] = make_staff("admin", Role.ADMIN, centre=tree["district"].centre)
    world["cases"] = {
        "c1": make_case(
            code="CASEC1A001", centre=tree["c1"].centre, responsible=people["agent1"], item=item
        ),
        "street": make_case(
            code="CASEST0001", centre=tree["street"].centre, responsible=people["street"], item=item
        ),
    }
    return world
