"""GET /api/v1/grids/{code}/panel/: a grid's agents, load and overdue list, scoped like grids."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from people.models import GridAssignment, Role
from tests.factories import client_for, make_staff
from tests.tiles.conftest import make_appointment, make_case

pytestmark = pytest.mark.django_db


def panel(staff, code):
    return client_for(staff).get(f"/api/v1/grids/{code}/panel/")


def test_panel_lists_agents_primary_first_with_their_load_and_overdue_cases(world, item):
    p, g = world["people"], world["grids"]
    today = timezone.localdate()
    backup = make_staff("agent3", Role.AGENT, centre=world["tree"]["c1"].centre, full_name="孙三")
    GridAssignment.objects.create(grid=g["A"], staff=backup, kind="backup", valid_from=today)
    waiting = make_appointment(
        item,
        at=(250, 500),
        status="awaiting_confirmation",
        agent=p["agent1"],
        grid=g["A"],
        confirm_deadline=timezone.now() + timedelta(minutes=20),
    )
    make_appointment(item, at=(260, 500), status="cancelled", agent=p["agent1"], grid=g["A"])
    make_appointment(item, at=(750, 500), status="confirmed", agent=p["agent1"], grid=g["B"])
    late = make_case(
        item,
        at=None,
        responsible=p["agent1"],
        centre=world["tree"]["c1"].centre,
        due_date=today - timedelta(days=4),
    )

    response = panel(p["manager1"], "A")

    assert response.status_code == 200
    body = response.json()
    assert body["grid"] == {
        "code": "A",
        "name": "A",
        "active": True,
        "community": {"code": "210000001001", "name": "一社区"},
    }
    assert [(a["name"], a["kind"], a["open_work"], a["overdue"]) for a in body["agents"]] == [
        ("张一", "primary", 3, 1),  # two appointments (A and B) and the case
        ("孙三", "backup", 0, 0),
    ]
    assert body["agents"][0]["kind_display"] == "主责"
    assert [(a["tracking_code"], a["light"], a["agent"]) for a in body["appointments"]] == [
        (waiting.tracking_code, "yellow", "张一")
    ]
    assert body["appointments"][0]["status_display"] == "待代办员确认"
    assert [(c["tracking_code"], c["agent"]) for c in body["overdue"]] == [
        (late.tracking_code, "张一")
    ]


@pytest.mark.parametrize(
    "who, status",
    [
        ("agent1", 200),
        ("manager1", 200),
        ("street", 200),
        ("supervisor", 200),
        ("agent2", 404),
        ("manager2", 404),
        ("window", 404),
    ],
)
def test_panel_is_scoped_like_grids(world, who, status):
    response = panel(world["people"][who], "A")
    assert response.status_code == status
    if status == 404:
        assert response.json()["error"]["code"] == "unknown_grid"


def test_unknown_grid_looks_like_one_out_of_scope(world):
    response = panel(world["people"]["district"], "ZZ")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_grid"


def test_overdue_cases_the_requester_may_not_see_are_counted_but_not_listed(world, item):
    """An agent sees the grid's other agent's overdue count, not the case itself."""
    p, g = world["people"], world["grids"]
    today = timezone.localdate()
    GridAssignment.objects.create(grid=g["A"], staff=p["agent2"], kind="backup", valid_from=today)
    make_case(
        item,
        at=None,
        responsible=p["agent2"],
        centre=world["tree"]["c2"].centre,
        due_date=today - timedelta(days=2),
    )
    body = panel(p["agent1"], "A").json()
    assert {a["name"]: a["overdue"] for a in body["agents"]} == {"张一": 0, "李二": 1}
    assert body["overdue"] == []
    assert len(panel(p["district"], "A").json()["overdue"]) == 1
