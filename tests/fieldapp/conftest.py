"""The field app's browser fixtures: agent1's day (the browser itself: tests/browser.py)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from appointments import actions as appointment_actions
from tests.cases.conftest import accepted_case, open_walk_in
from tests.geo.helpers import lonlat, point
from tests.mobile_api.test_tasks import book
from visits import services as visit_services


@pytest.fixture
def day(case_world):
    """agent1's day: a routed appointment to answer, a confirmed one with a visit planned for
    today, an overdue case and a fresh walk-in."""
    agent = case_world["people"]["agent1"]
    agent.last_position, agent.last_position_at = point(0, 0), timezone.now()
    agent.last_position_accuracy_m = 10
    agent.save()
    to_confirm = book(300, 400)
    assert to_confirm.agent == agent, [
        (c["outcome"], c["open_work"]) for c in to_confirm.routing["candidates"]
    ]
    visiting = book(120, 80)
    appointment_actions.appointment_act(
        actor=agent.user, appointment_id=visiting.pk, action="confirm", payload={}
    )
    visit, _ = visit_services.visit_schedule(
        actor=agent.user, appointment_id=visiting.pk, scheduled_for=timezone.now()
    )
    walk_in = open_walk_in(agent)
    late = accepted_case(case_world)  # accepted 24 September 2026: overdue (red) by now
    return {
        "agent": agent,
        "manager": case_world["people"]["manager1"].user,
        "to_confirm": to_confirm,
        "visit": visit,
        "case": walk_in,
        "late": late,
        "home": lonlat(120, 80),
    }
