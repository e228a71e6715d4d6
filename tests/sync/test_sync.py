"""Catch-up sync: changes in scope since a cursor, tombstones for removals and records that
left the scope, nothing lost when transactions commit out of order, paging, retention.

Every test commits for real: a reader sees only transactions that have finished, so changes
made inside a test's own rolled-back transaction would never be visible to it."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from appointments import actions as appointment_actions
from appointments import intake as appointment_intake
from geo.models import Grid
from people.models import GridAssignment, Role
from sync import log
from sync.models import Change
from tests.appointments.conftest import NOW, WINDOW
from tests.factories import client_for, make_staff
from tests.geo.helpers import point

# committed rows: sync cursors are transaction ids; serialized_rollback: bookings route on the
# seeded working hours and calendar
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def book(x=100, y=100):
    return appointment_intake.appointment_create(
        actor=None,
        intake=appointment_intake.Intake(
            service_item="MZ-002",
            applicant_name="张三",
            applicant_phone="13800001234",
            location=point(x, y),
            address="一社区",
            channel="web",
            preferred_start=WINDOW[0],
            preferred_end=WINDOW[1],
        ),
        now=NOW,
    )


def sync(client, cursor):
    response = client.get(f"/api/v1/sync/?since={cursor}")
    assert response.status_code == 200, response.json()
    return response.json()


def keyed(body):
    return {(c["entity"], c["id"]): c["op"] for c in body["changes"]}


def test_changes_made_while_offline_arrive_once_including_a_removal(case_world):
    p = case_world["people"]
    agent = client_for(p["agent1"])
    cursor = agent.get("/api/v1/sync/").json()["cursor"]
    # offline: an appointment is routed to agent1, who confirms it; a case is opened
    a = book()
    appointment_actions.appointment_act(
        actor=p["agent1"].user, appointment_id=a.pk, action="confirm", payload={}
    )
    body = sync(agent, cursor)
    changes = keyed(body)
    assert changes[("appointment", a.pk)] == "upsert"
    upsert = next(c for c in body["changes"] if c["entity"] == "appointment")
    assert (
        upsert["data"]["status"] == "confirmed"
        and upsert["data"]["tracking_code"] == a.tracking_code
    )
    assert any(e == "notification" for e, _ in changes)
    assert not body["more"]
    again = sync(agent, body["cursor"])
    assert again["changes"] == []  # nothing twice
    # the manager hands it to a colleague, and agent1's backup assignment on B ends
    agent3 = make_staff("agent3", Role.AGENT, centre=case_world["tree"]["c1"].centre)
    appointment_actions.appointment_act(
        actor=p["manager1"].user, appointment_id=a.pk, action="reassign", payload={"to": agent3.pk}
    )
    backup = GridAssignment.objects.get(staff=p["agent1"], kind="backup")
    backup_id = backup.pk
    backup.delete()
    gone = keyed(sync(agent, again["cursor"]))
    assert gone[("appointment", a.pk)] == "delete"  # left agent1's scope
    assert gone[("assignment", backup_id)] == "delete"  # removed
    # another station's agent hears nothing of it, not even a tombstone
    other = client_for(p["agent2"])
    assert sync(other, cursor)["changes"] == []


def test_paging_and_bad_cursors(case_world, settings):
    settings.SYNC = {**settings.SYNC, "PAGE_SIZE": 2}
    manager = client_for(case_world["people"]["manager1"])
    cursor = manager.get("/api/v1/sync/").json()["cursor"]
    for x in (100, 150, 200):
        book(x, 100)
    seen, pages = set(), 0
    while True:
        body = sync(manager, cursor)
        pages += 1
        seen |= {k for k, op in keyed(body).items() if k[0] == "appointment"}
        cursor = body["cursor"]
        if not body["more"]:
            break
    assert len(seen) == 3 and pages >= 2  # two changes a page
    for bad in ("abc", "v2-1-1", "v1-x-1"):
        response = manager.get(f"/api/v1/sync/?since={bad}")
        assert (response.status_code, response.json()["error"]["code"]) == (400, "invalid_cursor")


def test_a_cursor_older_than_the_retention_must_resync(case_world):
    manager = client_for(case_world["people"]["manager1"])
    old = manager.get("/api/v1/sync/").json()["cursor"]
    book()
    Change.objects.update(at=timezone.now() - timedelta(days=31))
    assert log.purge() > 0
    response = manager.get(f"/api/v1/sync/?since={old}")
    assert (response.status_code, response.json()["error"]["code"]) == (410, "resync_required")
    fresh = manager.get("/api/v1/sync/").json()["cursor"]
    assert sync(manager, fresh)["changes"] == []


def test_transactions_committing_out_of_order_are_not_lost(case_world):
    """T1 writes first and commits last; T2 writes and commits in between. A reader between the
    two commits must not move its cursor past T1's change."""
    # grids of two communities: edits in one community queue on its gap mark (tiles), which
    # would serialise the two transactions this test needs to interleave
    manager = client_for(case_world["people"]["street"])
    cursor = manager.get("/api/v1/sync/").json()["cursor"]
    grid_a, grid_b = Grid.objects.get(code="A"), Grid.objects.get(code="C")
    written, release = threading.Event(), threading.Event()

    def t1():
        try:
            with transaction.atomic():
                Grid.objects.filter(pk=grid_a.pk).update(name="A 改名")
                written.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=t1)
    thread.start()
    assert written.wait(30)
    Grid.objects.filter(pk=grid_b.pk).update(name="C 改名")  # T2: commits at once
    between = sync(manager, cursor)
    assert ("grid", grid_b.pk) not in keyed(between)  # held back behind the open T1
    release.set()
    thread.join(30)
    after = sync(manager, between["cursor"])
    got = keyed(between) | keyed(after)
    assert got[("grid", grid_a.pk)] == "upsert" and got[("grid", grid_b.pk)] == "upsert"
    names = {
        c["id"]: c["data"]["properties"]["name"] for c in after["changes"] if c["entity"] == "grid"
    }
    assert names == {grid_a.pk: "A 改名", grid_b.pk: "C 改名"}
