"""Leave reasons (病假…) are sensitive personal information (PIPL art. 28): the person, their
managers and administrators read them; colleagues and supervisors see when someone is away,
never why. Training records stay readable by colleagues."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from people.models import Leave, Role, Training
from tests.factories import client_for, make_staff

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def sick(world):
    p = world["people"]
    agent = p["agent1"]
    start = timezone.now().astimezone(SH).replace(hour=8, minute=0, second=0, microsecond=0)
    Leave.objects.create(
        staff=agent, start=start, end=start.replace(hour=18), reason="病假", created_by=agent.user
    )
    Training.objects.create(
        staff=agent, date=date(2026, 3, 1), topic="政策培训", trainer="王老师", centre=agent.centre
    )
    colleague = make_staff("colleague", Role.AGENT, centre=agent.centre, full_name="周同事")
    admin = make_staff("admin", Role.ADMIN, centre=world["tree"]["district"].centre)
    return {**p, "colleague": colleague, "admin": admin}


def _leave(reader, agent):
    return client_for(reader).get(f"/api/v1/staff/{agent.pk}/leave/")


@pytest.mark.parametrize("reader", ["agent1", "manager1", "street", "lead", "district", "admin"])
def test_the_person_their_managers_and_administrators_read_the_reason(sick, reader):
    response = _leave(sick[reader], sick["agent1"])
    assert response.status_code == 200
    assert [row["reason"] for row in response.json()] == ["病假"]
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("reader", ["colleague", "supervisor"])
def test_colleagues_see_when_someone_is_away_but_not_why(sick, reader):
    response = _leave(sick[reader], sick["agent1"])
    assert response.status_code == 200
    (row,) = response.json()
    assert row["reason"] is None
    assert datetime.fromisoformat(row["start"]).astimezone(SH).hour == 8
    assert "病假" not in response.content.decode()


def test_colleagues_still_read_training_records(sick):
    response = client_for(sick["colleague"]).get(f"/api/v1/staff/{sick['agent1'].pk}/trainings/")
    assert response.status_code == 200
    assert [t["topic"] for t in response.json()] == ["政策培训"]


def test_recording_leave_answers_with_the_reason_not_to_be_stored(sick):
    response = client_for(sick["agent1"]).post(
        f"/api/v1/staff/{sick['agent1'].pk}/leave/",
        {
            "start": "2027-01-04T08:00:00+08:00",
            "end": "2027-01-05T08:00:00+08:00",
            "reason": "事假",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["reason"] == "事假"
    assert response["Cache-Control"] == "no-store"


def test_movement_tracks_are_not_stored_either(sick):
    response = client_for(sick["manager1"]).get(f"/api/v1/staff/{sick['agent1'].pk}/positions/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
