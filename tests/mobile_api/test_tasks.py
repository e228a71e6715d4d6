"""The agent's day: most urgent first, distances from where the agent is, a visiting order."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from appointments import intake as appointment_intake
from cases.models import Case
from tests.appointments.conftest import NOW, WINDOW
from tests.cases.conftest import accepted_case, open_walk_in
from tests.factories import client_for
from tests.geo.helpers import point

pytestmark = pytest.mark.django_db


def book(x, y):
    return appointment_intake.appointment_create(
        actor=None,
        intake=appointment_intake.Intake(
            service_item="MZ-002",
            applicant_name="张三",
            applicant_phone="13800001234",
            location=point(x, y),
            address=f"{x},{y}",
            channel="web",
            preferred_start=WINDOW[0],
            preferred_end=WINDOW[1],
        ),
        now=NOW,
    )


def test_tasks_are_ordered_by_urgency_with_distances(case_world):
    p = case_world["people"]
    agent = p["agent1"]
    agent.last_position, agent.last_position_at = point(0, 0), timezone.now()
    agent.last_position_accuracy_m = 10
    agent.save()
    waiting = book(300, 400)  # routed to agent1, awaiting their answer
    late = accepted_case(case_world)  # due 9 Oct 2026: red
    Case.objects.filter(pk=late.pk).update(location=point(30, 40))
    fresh = open_walk_in(agent)  # pre-review
    body = client_for(agent).get("/api/v1/me/tasks/?date=2026-12-01").json()
    keys = [t["key"] for t in body["tasks"]]
    assert keys == [f"appointment_to_confirm:{waiting.pk}", f"case:{late.pk}", f"case:{fresh.pk}"]
    first = body["tasks"][0]
    assert first["distance_m"] == pytest.approx(500, abs=1)
    assert body["tasks"][1]["light"] == "red"
    assert body["origin"]["source"] == "position"
    order = body["suggested_order"]
    assert [s["task"] for s in order["stops"]] == [
        f"case:{late.pk}",
        f"appointment_to_confirm:{waiting.pk}",
    ]
    assert order["total_m"] == pytest.approx(50 + 450, abs=2)
    assert body["date"] == date(2026, 12, 1).isoformat()


def test_only_staff_have_a_day_and_dates_are_checked(case_world, api_client):
    agent = client_for(case_world["people"]["agent1"])
    bad = agent.get("/api/v1/me/tasks/?date=tomorrow")
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_date")
    assert api_client.get("/api/v1/me/tasks/").status_code in (401, 403)
    empty = client_for(case_world["people"]["agent2"]).get("/api/v1/me/tasks/").json()
    assert empty["tasks"] == [] and empty["suggested_order"]["stops"] == []


def test_a_station_managers_view_of_open_work(case_world):
    p = case_world["people"]
    book(300, 400)  # awaiting agent1's answer
    accepted_case(case_world)  # red
    open_walk_in(p["agent1"])
    c1 = case_world["tree"]["c1"].code
    body = client_for(p["manager1"]).get(f"/api/v1/stations/{c1}/work/").json()
    agent1 = next(a for a in body["agents"] if a["id"] == p["agent1"].pk)
    assert (agent1["awaiting"], agent1["cases"], agent1["red"]) == (1, 2, 1)
    assert [o["agent"] for o in body["overdue"]] == ["张一"]
    assert body["unrouted"] == 0
    for who, status in [("street", 200), ("supervisor", 200), ("agent1", 403), ("manager2", 404)]:
        response = client_for(p[who]).get(f"/api/v1/stations/{c1}/work/")
        assert response.status_code == status, who
    assert client_for(p["manager1"]).get("/api/v1/stations/999999999999/work/").status_code == 404


def test_visits_of_the_day_and_in_progress_are_tasks(case_world):
    """Scheduled for the day (in Shanghai time) or in progress: a task titled by its subject's
    address; another day's, a finished one and another agent's are not."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from visits.models import Visit

    p = case_world["people"]
    agent = p["agent1"]
    waiting = book(300, 400)
    case = open_walk_in(agent)
    Case.objects.filter(pk=case.pk).update(address="三村 5 号")
    sh = ZoneInfo("Asia/Shanghai")
    # 00:30 on 1 Dec in Shanghai is still 30 Nov in UTC: the day is Shanghai's
    early = datetime(2026, 12, 1, 0, 30, tzinfo=sh)

    def visit(**fields):
        return Visit.objects.create(created_by=agent.user, **{"agent": agent, **fields})

    today_visit = visit(appointment=waiting, scheduled_for=early, destination=point(30, 40))
    running = visit(
        case=case, status=Visit.Status.IN_PROGRESS, scheduled_for=early - timedelta(days=3)
    )
    visit(appointment=waiting, scheduled_for=early + timedelta(days=1))
    visit(case=case, status=Visit.Status.DONE, scheduled_for=early)
    visit(appointment=waiting, agent=p["agent2"], scheduled_for=early)
    body = client_for(agent).get("/api/v1/me/tasks/?date=2026-12-01").json()
    visits = {t["key"]: t for t in body["tasks"] if t["kind"] == "visit"}
    assert set(visits) == {f"visit:{today_visit.pk}", f"visit:{running.pk}"}
    planned = visits[f"visit:{today_visit.pk}"]
    assert planned["title"] == waiting.address == planned["address"]
    assert planned["tracking_code"] == waiting.tracking_code
    assert planned["data"] == {"appointment": waiting.pk, "case": None}
    assert planned["location"] is not None and planned["when"] is not None
    on_site = visits[f"visit:{running.pk}"]
    assert on_site["title"] == "三村 5 号" and on_site["tracking_code"] == case.tracking_code
    assert on_site["data"] == {"appointment": None, "case": case.pk}
    assert on_site["status"] == Visit.Status.IN_PROGRESS
