"""Sync sends nothing about records the user never could see: a change reaches a requester only
when the scope hints recorded with it (sync/sqlgen.py) name them as someone who saw the record
before or after it — not a whole station because they work there. A colleague's case, a
colleague's appointment removed, a grid that is not theirs: nothing, not even a tombstone.

Every test commits for real (see test_sync.py)."""

from __future__ import annotations

from datetime import date

import pytest

from appointments import actions as appointment_actions
from appointments.models import Appointment
from geo.models import Grid
from people.models import GridAssignment, Role
from tests.cases.conftest import ALL_PROVIDED, act, open_walk_in
from tests.factories import client_for, make_staff
from tests.sync.test_sync import book, keyed, sync

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def colleague(case_world):
    """agent5: an agent of station C1 like agent1, with no grid and no work of their own."""
    return make_staff("agent5", Role.AGENT, centre=case_world["tree"]["c1"].centre)


def cursors(*clients):
    return [c.get("/api/v1/sync/").json()["cursor"] for c in clients]


def test_a_colleagues_case_reaches_neither_as_change_nor_as_tombstone(case_world, colleague):
    p = case_world["people"]
    agent, manager, other = (
        client_for(p["agent1"]),
        client_for(p["manager1"]),
        client_for(colleague),
    )
    since = cursors(agent, manager, other)
    case = open_walk_in(p["agent1"])
    act(p["agent1"], case, "review", checklist=ALL_PROVIDED)

    assert keyed(sync(other, since[2])) == {}
    mine = keyed(sync(agent, since[0]))
    assert mine[("case", case.pk)] == "upsert"
    assert {e for e, _ in mine} >= {"case", "case_event"}
    managed = keyed(sync(manager, since[1]))
    assert managed[("case", case.pk)] == "upsert"
    assert all(op == "upsert" for (e, _), op in managed.items() if e in ("case", "case_event"))


def test_a_colleagues_appointment_removed_reaches_the_manager_only(case_world, colleague):
    p = case_world["people"]
    agent, manager, other = (
        client_for(p["agent1"]),
        client_for(p["manager1"]),
        client_for(colleague),
    )
    a = book()
    assert a.agent == p["agent1"]
    since = cursors(agent, manager, other)
    appointment_actions.appointment_act(
        actor=p["agent1"].user, appointment_id=a.pk, action="confirm", payload={}
    )
    Appointment.objects.filter(pk=a.pk).delete()

    assert ("appointment", a.pk) not in keyed(sync(other, since[2]))
    assert keyed(sync(other, since[2])) == {}
    assert keyed(sync(agent, since[0]))[("appointment", a.pk)] == "delete"
    assert keyed(sync(manager, since[1]))[("appointment", a.pk)] == "delete"


def test_a_case_handed_on_leaves_a_tombstone_with_its_former_holder_only(case_world, colleague):
    """Who saw the record before the change still hears of it: that it left their scope."""
    p = case_world["people"]
    case = open_walk_in(p["manager1"])
    act(p["manager1"], case, "hand_over", to=p["agent1"].pk)
    agent, other, far = client_for(p["agent1"]), client_for(colleague), client_for(p["agent2"])
    since = cursors(agent, other, far)
    act(p["manager1"], case, "hand_over", to=colleague.pk)
    assert keyed(sync(agent, since[0]))[("case", case.pk)] == "delete"
    assert keyed(sync(other, since[1]))[("case", case.pk)] == "upsert"
    assert ("case", case.pk) not in keyed(sync(far, since[2]))


def test_grids_and_assignments_reach_the_agents_who_look_after_them(case_world, colleague):
    p = case_world["people"]
    agent1, agent2, other = client_for(p["agent1"]), client_for(p["agent2"]), client_for(colleague)
    street = client_for(p["street"])
    since = cursors(agent1, agent2, other, street)
    b, c = Grid.objects.get(code="B"), Grid.objects.get(code="C")
    Grid.objects.filter(pk=b.pk).update(name="B 改名")  # agent1 is B's backup
    Grid.objects.filter(pk=c.pk).update(name="C 改名")  # agent2's
    new = GridAssignment.objects.create(
        grid=c, staff=p["manager2"], kind="backup", valid_from=date(2026, 1, 1)
    )

    assert keyed(sync(other, since[2])) == {}  # no grid of theirs: nothing at all
    assert keyed(sync(agent1, since[0])) == {("grid", b.pk): "upsert"}
    assert keyed(sync(agent2, since[1])) == {
        ("grid", c.pk): "upsert",
        ("assignment", new.pk): "upsert",
    }
    assert keyed(sync(street, since[3])) == {
        ("grid", b.pk): "upsert",
        ("grid", c.pk): "upsert",
        ("assignment", new.pk): "upsert",
    }


def test_a_station_manager_hears_nothing_of_a_street_centre_case_held_by_their_agent(case_world):
    """Managers see the cases of their station (cases.access.visible_cases), not every case one
    of their agents holds: the hints name the case's station, not its agent's."""
    p = case_world["people"]
    manager, agent = client_for(p["manager1"]), client_for(p["agent1"])
    since = cursors(manager, agent)
    case = open_walk_in(p["street"])  # at the street centre
    act(p["street"], case, "hand_over", to=p["agent1"].pk)
    assert keyed(sync(agent, since[1]))[("case", case.pk)] == "upsert"
    assert not [k for k in keyed(sync(manager, since[0])) if k[0] in ("case", "case_event")]
