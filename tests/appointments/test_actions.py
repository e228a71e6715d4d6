"""The agent's answers and the managers' actions: the table, its refusals, the timeout chain."""

from datetime import datetime, timedelta

import pytest

from appointments import actions as appointment_actions
from appointments import sweeps as appointment_sweeps
from appointments.models import AppointmentEvent, Status
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from notifications.models import Notification
from tests.appointments.conftest import NOW
from tests.appointments.helpers import book


def act(user, appointment, action, now=NOW, **payload):
    return appointment_actions.appointment_act(
        actor=user, appointment_id=appointment.pk, action=action, payload=payload, now=now
    )


def test_confirm_by_the_routed_agent(routed_world):
    a = book()
    a = act(routed_world["people"]["agent1"].user, a, "confirm")
    assert a.status == Status.CONFIRMED and a.confirm_deadline is None


def test_decline_needs_a_reason_and_goes_to_the_next_candidate(routed_world):
    a = book()
    agent1 = routed_world["people"]["agent1"].user
    with pytest.raises(ApplicationError, match="需要填写 reason") as info:
        act(agent1, a, "decline")
    assert info.value.code == "missing_reason"
    a = act(agent1, a, "decline", reason="在外培训")
    assert a.agent.user.username == "agent3" and a.status == Status.AWAITING
    a = act(routed_world["people"]["agent3"].user, a, "decline", reason="忙")
    assert a.status == Status.UNROUTED and a.routing["rule"] == "station_queue"
    assert sorted(a.routing["excluded"]) == sorted(
        [routed_world["people"][n].pk for n in ("agent1", "agent3")]
    )


def test_a_re_route_records_its_decision_event_and_notification(routed_world):
    """What routing records besides the appointment (one statement for bookings, re-routes and
    backlogs): the decision as the appointment explains it, the event after the decline that
    caused it, by the declining agent, and the next agent's notification."""
    a = book()
    agent1, agent3 = (routed_world["people"][n] for n in ("agent1", "agent3"))
    a = act(agent1.user, a, "decline", reason="在外培训")
    decision = a.decisions.order_by("-pk").first()
    assert (decision.reason, decision.rule, decision.grid_code) == ("declined", "grid_member", "A")
    assert decision.agent == agent3 and decision.candidates == a.routing["candidates"]
    assert decision.distance_m == a.routing["distance_m"] and not decision.outside_coverage
    events = list(a.events.order_by("at", "pk").values_list("action", "actor", "from_status"))
    assert events[-2:] == [
        ("decline", agent1.user.pk, Status.AWAITING),
        ("routed", agent1.user.pk, Status.AWAITING),
    ]
    routed = a.events.get(action="routed", actor=agent1.user)
    assert routed.to_status == Status.AWAITING and "孙三" in routed.note
    assert routed.data == {
        "reason": "declined",
        "rule": "grid_member",
        "agent": agent3.pk,
        "grid": "A",
    }
    notice = Notification.objects.get(recipient=agent3.user, kind="appointment_routed")
    assert notice.title.endswith(a.tracking_code) and "测试地址" in notice.body
    assert notice.data["appointment"] == a.pk
    assert datetime.fromisoformat(notice.data["confirm_by"]) == a.confirm_deadline


def test_timeout_chain_and_it_runs_once(routed_world):
    a = book()
    late = a.confirm_deadline + timedelta(minutes=1)
    assert appointment_sweeps.expire_confirmations(now=late) == 1
    assert appointment_sweeps.expire_confirmations(now=late) == 0  # a second run does nothing twice
    a.refresh_from_db()
    assert a.agent.user.username == "agent3"
    assert AppointmentEvent.objects.filter(appointment=a, action="timeout").count() == 1
    later = a.confirm_deadline + timedelta(minutes=1)
    appointment_sweeps.expire_confirmations(now=later)
    a.refresh_from_db()
    assert a.status == Status.UNROUTED
    assert Notification.objects.filter(
        recipient=routed_world["people"]["manager1"].user, kind="appointment_unrouted"
    ).exists()


@pytest.mark.parametrize(
    ("who", "action", "payload", "code"),
    [
        ("agent3", "confirm", {}, "permission_denied"),  # not the routed agent
        ("agent2", "decline", {"reason": "x"}, "permission_denied"),
        ("agent1", "fly", {}, "unknown_action"),
        ("agent1", "reassign", {"to": 1}, "permission_denied"),  # managers only
        ("manager1", "reassign", {}, "missing_to"),
        ("manager1", "reassign", {"to": 999999}, "unknown_agent"),
    ],
)
def test_refusals_change_nothing(routed_world, who, action, payload, code):
    a = book()
    before = (a.status, a.agent_id, AppointmentEvent.objects.count())
    # refusals with their own classes (403, 404, 409); the rest are plain 400s
    expected = {
        "permission_denied": PermissionDenied,
        "illegal_transition": Conflict,
        "unknown_action": NotFound,
    }
    with pytest.raises(expected.get(code, ApplicationError)) as info:
        act(routed_world["people"][who].user, a, action, **payload)
    assert info.value.code == code
    a.refresh_from_db()
    assert (a.status, a.agent_id, AppointmentEvent.objects.count()) == before


def test_every_action_refused_from_a_state_it_does_not_start_from(routed_world):
    a = book()
    agent1 = routed_world["people"]["agent1"].user
    act(agent1, a, "cancel", reason="resident withdrew")
    for action in ("confirm", "decline", "hand_over", "reassign", "cancel"):
        with pytest.raises(Conflict) as info:
            act(routed_world["people"]["manager1"].user, a, action, reason="x", to=1)
        assert info.value.code == "illegal_transition", action
    confirmed = book()
    act(agent1, confirmed, "confirm")
    with pytest.raises(Conflict) as info:
        act(agent1, confirmed, "decline", reason="x")
    assert info.value.code == "illegal_transition"


def test_hand_over_and_reassign(routed_world):
    a = book()
    agent1, agent3 = routed_world["people"]["agent1"], routed_world["people"]["agent3"]
    act(agent1.user, a, "confirm")
    a = act(agent1.user, a, "hand_over", to=agent3.pk, note="住得更近")
    assert a.agent == agent3 and a.status == Status.AWAITING
    a = act(routed_world["people"]["manager1"].user, a, "reassign", to=agent1.pk)
    assert a.agent == agent1
    assert [e.action for e in a.events.all()][-2:] == ["hand_over", "reassign"]


def test_station_agents_take_from_the_queue(routed_world):
    from people.models import Leave

    for name in ("agent1", "agent3"):
        Leave.objects.create(
            staff=routed_world["people"][name], start=NOW, end=NOW + timedelta(days=3)
        )
    a = book()
    assert a.status == Status.UNROUTED
    with pytest.raises(PermissionDenied) as info:
        act(routed_world["people"]["agent2"].user, a, "confirm")  # another station's agent
    assert info.value.code == "permission_denied"
    a = act(routed_world["people"]["agent3"].user, a, "confirm")
    assert a.status == Status.CONFIRMED and a.agent.user.username == "agent3"
