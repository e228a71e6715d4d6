"""The field app's browser fixtures: agent1's day and a headless Chromium."""

from __future__ import annotations

import shutil

import pytest
from django.utils import timezone

from appointments import actions as appointment_actions
from tests.cases.conftest import accepted_case, open_walk_in
from tests.geo.helpers import lonlat, point
from tests.mobile_api.test_tasks import book
from visits import services as visit_services

from .test_browser import ARGS, ARTIFACTS, CHROMIUM


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


@pytest.fixture
def browser(monkeypatch):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing: `make setup` installs the dev extra")
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium")
    # lets context.route() see (and abort) the service worker's own requests too
    monkeypatch.setenv("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
