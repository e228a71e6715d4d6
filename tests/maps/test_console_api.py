"""The zone console's reads: GET /api/v1/grids/{code}/staffing/ and
GET /api/v1/centres/{code}/agents/ — scoped like grids and centres, with load, leave, training."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from people.models import GridAssignment, Leave, Role, Training
from tests.factories import client_for, make_staff
from tests.tiles.conftest import make_appointment

pytestmark = pytest.mark.django_db


def test_staffing_lists_a_grids_agents_with_work_leave_and_training(world, item):
    p, g = world["people"], world["grids"]
    now = timezone.now()
    later = make_staff("agent3", Role.AGENT, centre=world["tree"]["c1"].centre, full_name="孙三")
    GridAssignment.objects.create(
        grid=g["A"], staff=later, kind="backup", valid_from=timezone.localdate() + timedelta(days=3)
    )
    Leave.objects.create(
        staff=p["agent1"], start=now - timedelta(hours=1), end=now + timedelta(days=2)
    )
    Training.objects.create(
        staff=p["agent1"], date=date(2026, 3, 1), topic="新事项", trainer="区中心"
    )
    make_appointment(item, at=(250, 500), status="confirmed", agent=p["agent1"], grid=g["A"])

    response = client_for(p["manager1"]).get("/api/v1/grids/A/staffing/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["may_edit"] is True and body["has_primary"] is True
    assert body["centre"]["code"] == world["tree"]["c1"].code
    first, second = body["assignments"]
    assert (first["kind"], first["current"], first["agent"]["name"]) == ("primary", True, "张一")
    assert first["agent"]["open_work"] == 1 and first["agent"]["on_leave_until"]
    assert first["agent"]["last_training"] == {"date": "2026-03-01", "topic": "新事项"}
    assert (second["kind"], second["current"], second["agent"]["name"]) == ("backup", False, "孙三")


def test_a_grid_without_a_primary_says_so(world):
    GridAssignment.objects.filter(grid=world["grids"]["A"]).delete()
    body = client_for(world["people"]["district"]).get("/api/v1/grids/A/staffing/").json()
    assert body["has_primary"] is False and body["assignments"] == []
    station = client_for(world["people"]["district"]).get(
        f"/api/v1/centres/{world['tree']['c1'].code}/agents/"
    )
    assert station.json()["grids_without_primary"] == ["A", "B"]  # B has only a backup


def test_a_stations_agents_with_the_grids_each_covers(world):
    p = world["people"]
    body = (
        client_for(p["manager1"]).get(f"/api/v1/centres/{world['tree']['c1'].code}/agents/").json()
    )
    assert body["may_edit"] is True
    assert [a["name"] for a in body["agents"]] == ["张一"]
    assert [(g["code"], g["kind"]) for g in body["agents"][0]["grids"]] == [
        ("A", "primary"),
        ("B", "backup"),
    ]
    assert body["grids_without_primary"] == ["B"]


def test_out_of_scope_answers_as_missing(world):
    p, c2 = world["people"], world["tree"]["c2"].code
    manager1 = client_for(p["manager1"])
    missing, hidden = (
        manager1.get("/api/v1/grids/NOPE/staffing/"),
        manager1.get("/api/v1/grids/C/staffing/"),
    )
    assert missing.status_code == hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "unknown_grid"
    assert manager1.get(f"/api/v1/centres/{c2}/agents/").status_code == 404
    assert manager1.get("/api/v1/centres/999999/agents/").status_code == 404
    supervisor = client_for(p["supervisor"]).get("/api/v1/grids/A/staffing/").json()
    assert supervisor["may_edit"] is False
