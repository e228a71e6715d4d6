"""Each layer's features and properties at the tile holding the test district, decoded with
mapbox-vector-tile, and each layer cut to the requester's scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from people.models import GridAssignment
from tests.factories import client_for
from tests.tiles.conftest import WORLD_TILE, by, decode, make_appointment, make_case, tile_url

pytestmark = pytest.mark.django_db


def get(staff, layer, tile=WORLD_TILE, **query):
    return client_for(staff).get(tile_url(layer, *tile, **query))


def test_areas_layer_has_the_tree_with_codes_names_and_levels(world):
    features = by(decode(get(world["people"]["district"], "areas"))["areas"], "code")
    assert features == {
        "210000000000": {"code": "210000000000", "name": "测试区", "level": "district"},
        "210000001000": {"code": "210000001000", "name": "测试街道", "level": "street"},
        "210000001001": {"code": "210000001001", "name": "一社区", "level": "community"},
        "210000001002": {"code": "210000001002", "name": "二村", "level": "community"},
    }


def test_grids_layer_has_codes_communities_and_figures(world):
    grids = by(decode(get(world["people"]["district"], "grids"))["grids"], "code")
    assert grids == {
        "A": {
            "code": "A",
            "name": "A",
            "community": "210000001001",
            "agents": 1,
            "open_work": 0,
            "overdue": 0,
            "value": 1,
        },
        "B": {
            "code": "B",
            "name": "B",
            "community": "210000001001",
            "agents": 1,
            "open_work": 0,
            "overdue": 0,
            "value": 1,
        },
        "C": {
            "code": "C",
            "name": "C",
            "community": "210000001002",
            "agents": 1,
            "open_work": 0,
            "overdue": 0,
            "value": 1,
        },
    }


def test_grid_figures_count_open_work_and_red_cases_of_the_grids_agents(world, item):
    p, g = world["people"], world["grids"]
    today = timezone.localdate()
    make_appointment(item, at=(250, 500), status="confirmed", agent=p["agent1"], grid=g["A"])
    make_appointment(item, at=(1500, 500), status="awaiting_confirmation", agent=p["agent2"])
    make_appointment(item, at=(1500, 600), status="cancelled", agent=p["agent2"])
    c2 = world["tree"]["c2"].centre
    make_case(item, at=None, responsible=p["agent2"], centre=c2, due_date=today - timedelta(3))
    make_case(item, at=None, responsible=p["agent2"], centre=c2, due_date=today + timedelta(9))

    grids = by(decode(get(p["district"], "grids", figure="open_work"))["grids"], "code")

    # agent1 looks after A and B: their open work counts in both
    assert {c: (f["open_work"], f["value"]) for c, f in grids.items()} == {
        "A": (1, 1),
        "B": (1, 1),
        "C": (3, 3),  # one awaiting appointment, two open cases
    }
    overdue = by(decode(get(p["district"], "grids", figure="overdue"))["grids"], "code")
    assert {c: (f["overdue"], f["value"]) for c, f in overdue.items()} == {
        "A": (0, 0),
        "B": (0, 0),
        "C": (1, 1),
    }


def test_grid_agents_count_only_active_agents_assigned_today(world):
    p, g = world["people"], world["grids"]
    today = timezone.localdate()
    GridAssignment.objects.create(grid=g["A"], staff=p["agent2"], kind="backup", valid_from=today)
    GridAssignment.objects.create(
        grid=g["B"], staff=p["agent2"], kind="primary", valid_from=today + timedelta(days=1)
    )
    p["agent1"].active = False
    p["agent1"].save()
    grids = by(decode(get(p["district"], "grids"))["grids"], "code")
    assert {c: f["agents"] for c, f in grids.items()} == {"A": 1, "B": 0, "C": 1}


def test_appointments_layer_has_open_appointments_with_lights_and_open_cases(world, item):
    p, g = world["people"], world["grids"]
    now, today = timezone.now(), timezone.localdate()
    unrouted = make_appointment(item, at=(100, 100), status="unrouted")
    late = make_appointment(
        item,
        at=(200, 100),
        status="awaiting_confirmation",
        agent=p["agent1"],
        confirm_deadline=now - timedelta(minutes=5),
    )
    waiting = make_appointment(
        item,
        at=(300, 100),
        status="awaiting_confirmation",
        agent=p["agent1"],
        confirm_deadline=now + timedelta(minutes=25),
    )
    confirmed = make_appointment(item, at=(400, 100), status="confirmed", agent=p["agent1"])
    make_appointment(item, at=(500, 100), status="cancelled", agent=p["agent1"])
    c2 = world["tree"]["c2"].centre
    overdue = make_case(
        item, at=(1500, 500), responsible=p["agent2"], centre=c2, due_date=today - timedelta(2)
    )
    consulting = make_case(
        item,
        at=(1600, 500),
        responsible=p["agent2"],
        centre=c2,
        due_date=today + timedelta(9),
        status="consulting",
    )
    make_case(item, at=None, responsible=p["agent2"], centre=c2, due_date=today - timedelta(2))
    make_case(
        item,
        at=(1700, 500),
        responsible=p["agent2"],
        centre=c2,
        due_date=today - timedelta(2),
        status="closed",
    )
    assert g  # grids exist; appointments need not have one

    features = decode(get(p["district"], "appointments"))["appointments"]
    got = {
        (f["kind"], f["tracking_code"]): (f["id"], f["status"], f.get("light")) for f in features
    }
    assert got == {
        ("appointment", unrouted.tracking_code): (unrouted.pk, "unrouted", "red"),
        ("appointment", late.tracking_code): (late.pk, "awaiting_confirmation", "red"),
        ("appointment", waiting.tracking_code): (waiting.pk, "awaiting_confirmation", "yellow"),
        ("appointment", confirmed.tracking_code): (confirmed.pk, "confirmed", "green"),
        ("case", overdue.tracking_code): (overdue.pk, "accepted", "red"),
        # no deadline runs before acceptance: no light
        ("case", consulting.tracking_code): (consulting.pk, "consulting", None),
    }


def test_agents_layer_has_managed_agents_last_positions(world):
    from tests.geo.helpers import point

    p = world["people"]
    now = timezone.now()
    for who, at, when in (
        ("agent1", (250, 500), now),
        ("agent2", (1500, 500), now - timedelta(hours=3)),
    ):
        p[who].last_position = point(*at)
        p[who].last_position_at = when
        p[who].last_position_accuracy_m = 12.4
        p[who].save()

    mine = decode(get(p["manager1"], "agents"))["agents"]
    assert mine == [
        {
            "id": p["agent1"].pk,
            "name": "张一",
            "at": int(now.timestamp()),
            "accuracy_m": 12,
            "fresh": True,
        }
    ]
    theirs = decode(get(p["manager2"], "agents"))["agents"]
    assert [(f["name"], f["fresh"]) for f in theirs] == [("李二", False)]  # three hours old
    everyone = decode(get(p["lead"], "agents"))["agents"]
    assert sorted(f["name"] for f in everyone) == ["张一", "李二"]


def test_agents_layer_calls_a_vague_position_not_fresh_as_routing_does(world):
    from tests.geo.helpers import point

    agent = world["people"]["agent1"]
    agent.last_position, agent.last_position_at = point(250, 500), timezone.now()
    agent.last_position_accuracy_m = settings.PEOPLE["POSITION_MAX_ACCURACY_M"] + 1
    agent.save()
    (feature,) = decode(get(world["people"]["manager1"], "agents"))["agents"]
    assert feature["name"] == "张一" and feature["fresh"] is False


@pytest.mark.parametrize("who", ["agent1", "supervisor", "district", "window"])
def test_agents_layer_is_refused_to_everyone_but_managers_and_administrators(world, who):
    response = get(world["people"][who], "agents")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


# --- scope ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, grids",
    [
        ("agent1", {"A", "B"}),
        ("agent2", {"C"}),
        ("manager1", {"A", "B"}),
        ("manager2", {"C"}),
        ("street", {"A", "B", "C"}),
        ("supervisor", {"A", "B", "C"}),
    ],
)
def test_grid_tiles_hold_only_the_grids_in_scope(world, who, grids):
    features = decode(get(world["people"][who], "grids"))["grids"]
    assert {f["code"] for f in features} == grids


def test_an_agent_sees_the_areas_above_and_of_their_grids_only(world):
    features = decode(get(world["people"]["agent2"], "areas"))["areas"]
    assert {f["code"] for f in features} == {"210000000000", "210000001000", "210000001002"}


def test_window_staff_see_no_grids(world):
    assert get(world["people"]["window"], "grids").status_code == 204


def test_appointment_tiles_hold_only_what_the_requester_sees(world, item):
    p, g = world["people"], world["grids"]
    mine = make_appointment(item, at=(250, 500), status="confirmed", agent=p["agent1"], grid=g["A"])
    make_appointment(item, at=(1500, 500), status="confirmed", agent=p["agent2"], grid=g["C"])
    today = timezone.localdate()
    make_case(
        item,
        at=(1600, 500),
        responsible=p["agent2"],
        centre=world["tree"]["c2"].centre,
        due_date=today - timedelta(2),
    )
    features = decode(get(p["agent1"], "appointments"))["appointments"]
    assert [(f["kind"], f["id"]) for f in features] == [("appointment", mine.pk)]
    features = decode(get(p["manager2"], "appointments"))["appointments"]
    assert sorted(f["kind"] for f in features) == ["appointment", "case"]
