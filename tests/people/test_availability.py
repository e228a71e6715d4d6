"""Agent availability for home visits: working days, own hours, leave."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from people import selectors
from people.models import Leave, WorkPeriod

SH = ZoneInfo("Asia/Shanghai")


def at(day, hour, minute=0):
    return datetime(2026, 10, day, hour, minute, tzinfo=SH)


def test_default_hours_on_working_days(world):
    agent = world["people"]["agent1"]
    assert selectors.is_available(agent, at(9, 9), at(9, 10))  # Friday morning
    assert not selectors.is_available(agent, at(9, 12, 15), at(9, 13, 15))  # lunch
    assert not selectors.is_available(agent, at(3, 9), at(3, 17))  # National Day holiday
    assert selectors.is_available(agent, at(10, 9), at(10, 10))  # adjusted working Saturday
    assert not selectors.is_available(agent, at(11, 9), at(11, 10))  # an ordinary Sunday


def test_a_night_booking_for_tomorrow_is_about_tomorrow(world):
    agent = world["people"]["agent1"]
    # booked at 23:00 on Thursday 8 Oct for a visit on Friday 9 Oct, 9–11
    assert selectors.is_available(agent, at(9, 9), at(9, 11))
    assert selectors.next_working_period(agent, at(8, 23)) == (at(9, 8, 30), at(9, 12))


def test_leave_removes_availability(world):
    agent = world["people"]["agent1"]
    Leave.objects.create(staff=agent, start=at(9, 0), end=at(10, 0))
    assert not selectors.is_available(agent, at(9, 9), at(9, 17))
    Leave.objects.all().delete()
    Leave.objects.create(staff=agent, start=at(9, 8), end=at(9, 10))
    assert selectors.working_intervals(agent, at(9, 8), at(9, 12)) == [(at(9, 10), at(9, 12))]


def test_own_schedule_replaces_the_default(world):
    agent = world["people"]["agent1"]
    WorkPeriod.objects.create(staff=agent, weekday=5, start=time(14, 0), end=time(18, 0))
    assert not selectors.is_available(agent, at(9, 9), at(9, 11))  # Friday morning: not their hours
    assert selectors.is_available(agent, at(9, 15), at(9, 16))
    assert not selectors.is_available(agent, at(12, 15), at(12, 16))  # Monday: no hours at all


def test_inactive_agent_is_never_available(world):
    agent = world["people"]["agent1"]
    agent.active = False
    assert not selectors.is_available(agent, at(9, 9), at(9, 11))


def test_availability_api(world):
    from tests.factories import client_for

    client = client_for(world["people"]["manager1"])
    url = f"/api/v1/staff/{world['people']['agent1'].pk}/availability/"
    body = client.get(
        url, {"start": "2026-10-09T09:00:00+08:00", "end": "2026-10-09T11:00:00+08:00"}
    ).json()
    assert body["available"] is True
    response = client.get(
        url, {"start": "2026-10-09T11:00:00+08:00", "end": "2026-10-09T09:00:00+08:00"}
    )
    assert response.json()["error"]["code"] == "invalid_range"
    response = client.get(url, {"start": "yesterday", "end": "2026-10-09T09:00:00+08:00"})
    assert response.json()["error"]["code"] == "invalid_datetime"
