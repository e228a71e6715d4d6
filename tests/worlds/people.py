"""A small world: the test district (tests/geo/helpers.py) with grids, stations and people.

C1 (一社区) has grids A and B; C2 (二村) has grid C. agent1 looks after A (primary) and B
(backup) for station C1; agent2 looks after C for station C2.
"""

from datetime import date

from geo import services as geo_services
from people.models import GridAssignment, Role
from tests.factories import make_staff
from tests.geo.helpers import rect
from tests.worlds.stack import world_fixture


@world_fixture
def world(tree):
    """{"tree": areas, "grids": {"A", "B", "C"}, "people": one staff member per role}."""
    grids = {
        "A": geo_services.grid_create(
            community=tree["c1"], code="A", name="A", boundary=rect(0, 0, 500, 1000)
        ),
        "B": geo_services.grid_create(
            community=tree["c1"], code="B", name="B", boundary=rect(500, 0, 1000, 1000)
        ),
        "C": geo_services.grid_create(
            community=tree["c2"], code="C", name="C", boundary=rect(1000, 0, 2000, 1000)
        ),
    }
    c1, c2 = tree["c1"].centre, tree["c2"].centre
    people = {
        "agent1": make_staff("agent1", Role.AGENT, centre=c1, full_name="张一", post="网格员"),
        "agent2": make_staff("agent2", Role.AGENT, centre=c2, full_name="李二", post="村委委员"),
        "manager1": make_staff("manager1", Role.STATION_MANAGER, centre=c1, full_name="王站长"),
        "manager2": make_staff("manager2", Role.STATION_MANAGER, centre=c2, full_name="赵站长"),
        "street": make_staff("street", Role.CENTRE_STAFF, centre=tree["street"].centre),
        "lead": make_staff("lead", Role.CENTRE_LEAD, centre=tree["street"].centre),
        "district": make_staff("district", Role.DISTRICT_STAFF, centre=tree["district"].centre),
        "supervisor": make_staff("supervisor", Role.SUPERVISOR, centre=tree["district"].centre),
        "window": make_staff("window", Role.WINDOW_STAFF, window="民政局窗口"),
    }
    start = date(2026, 1, 1)
    GridAssignment.objects.create(
        grid=grids["A"], staff=people["agent1"], kind="primary", valid_from=start
    )
    GridAssignment.objects.create(
        grid=grids["B"], staff=people["agent1"], kind="backup", valid_from=start
    )
    GridAssignment.objects.create(
        grid=grids["C"], staff=people["agent2"], kind="primary", valid_from=start
    )
    return {"tree": tree, "grids": grids, "people": people}
