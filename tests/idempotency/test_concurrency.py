"""N identical keyed requests at once, over real connections: one acts, the rest replay its
answer or are told to retry (409 + Retry-After), and a retry after that replays too."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from appointments.models import Appointment
from cases.models import CaseEvent, RegisterEntry
from idempotency.models import IdempotencyRecord, State
from notifications.models import Notification
from tests.appointments.test_concurrency import run_together
from tests.cases.conftest import ALL_PROVIDED, open_walk_in
from tests.factories import client_for
from tests.idempotency.conftest import APPOINTMENTS, body, post, replayed

# serialized_rollback: the flush after a transactional test would also drop what migrations
# seeded (calendar, default working hours, schedules); this restores it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

N = 6


def burst(clients, key, data, path=APPOINTMENTS):
    """The same keyed request from each client at once → the one that acted, and the rest."""
    outcomes = run_together(
        lambda client: post(client, key, data, path=path), [(c,) for c in clients]
    )
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    responses = [response for _, response in outcomes]
    acted = [r for r in responses if r.status_code < 300 and not replayed(r)]
    assert len(acted) == 1, [(r.status_code, r.content[:80]) for r in responses]
    first = acted[0]
    for response in responses:
        if response is first:
            continue
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "request_in_progress"
            assert int(response["Retry-After"]) >= 1
        else:
            assert replayed(response), response.content
            assert (response.status_code, response.json()) == (first.status_code, first.json())
    # whoever was told to wait gets the first answer on its retry
    for client, response in zip(clients, responses, strict=True):
        if response.status_code == 409:
            retry = post(client, key, data, path=path)
            assert replayed(retry) and retry.json() == first.json()
    assert IdempotencyRecord.objects.get().state == State.DONE
    return first


def _one_notification_set(appointment):
    kinds = list(Notification.objects.values_list("kind", flat=True))
    assert kinds, "booking notifies someone"
    assert len(kinds) == len(set(kinds)), kinds  # nothing sent twice
    assert Notification.objects.exclude(data__appointment=appointment.pk).count() == 0


def test_a_burst_of_identical_anonymous_bookings_books_once(routed_world):
    first = burst([APIClient() for _ in range(N)], "burst-1", body())
    assert first.status_code == 201
    appointment = Appointment.objects.get()
    assert appointment.pk == first.json()["id"]
    _one_notification_set(appointment)


def test_a_burst_of_identical_staff_bookings_books_once(routed_world):
    manager = routed_world["people"]["manager1"]
    first = burst([client_for(manager) for _ in range(N)], "burst-2", body(channel="phone"))
    assert first.status_code == 201
    _one_notification_set(Appointment.objects.get())


def test_a_burst_of_one_case_action_acts_once(case_world):
    agent = case_world["people"]["agent1"]
    case = open_walk_in(agent)
    url = f"/api/v1/cases/{case.pk}/actions/accept/"
    first = burst(
        [client_for(agent) for _ in range(N)], "accept-1", {"checklist": ALL_PROVIDED}, path=url
    )
    assert first.status_code == 200 and first.json()["status"] == "accepted"
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1
    assert RegisterEntry.objects.filter(case=case).count() == 1
