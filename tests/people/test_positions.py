"""Positions: offline batches, crs, freshness for routing, retention, who may read them."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.tasks import async_task

from core import coords
from people import selectors
from people.models import PositionReport, Staff
from tests.factories import client_for
from tests.geo.helpers import lonlat


def point(x, y, crs="wgs84"):
    lon, lat = lonlat(x, y)
    if crs != "wgs84":
        lon, lat = coords.from_wgs84(lon, lat, crs)
    return {"type": "Point", "coordinates": [lon, lat]}


def test_offline_batch_moves_the_last_position_to_the_newest(world):
    agent = world["people"]["agent1"]
    now = timezone.now()
    body = {
        "crs": "gcj02",
        "positions": [
            {
                "location": point(100, 100, "gcj02"),
                "accuracy_m": 12,
                "recorded_at": (now - timedelta(minutes=5)).isoformat(),
            },
            {
                "location": point(200, 200, "gcj02"),
                "accuracy_m": 8,
                "recorded_at": (now - timedelta(minutes=1)).isoformat(),
            },
            {
                "location": point(300, 300),
                "crs": "wgs84",
                "accuracy_m": 8,
                "recorded_at": (now - timedelta(minutes=9)).isoformat(),
            },
        ],
    }
    response = client_for(agent).post("/api/v1/me/positions/", body, format="json")
    assert response.status_code == 201, response.content
    agent.refresh_from_db()
    assert agent.last_position.x == pytest.approx(lonlat(200, 200)[0], abs=1e-7)
    assert PositionReport.objects.filter(staff=agent).count() == 3
    # an older batch arriving late does not move the last position back
    late = {
        "positions": [
            {
                "location": point(900, 900),
                "accuracy_m": 5,
                "recorded_at": (now - timedelta(hours=2)).isoformat(),
            }
        ]
    }
    client_for(agent).post("/api/v1/me/positions/", late, format="json")
    agent.refresh_from_db()
    assert agent.last_position.x == pytest.approx(lonlat(200, 200)[0], abs=1e-7)


def test_a_replayed_batch_is_stored_once(world):
    import uuid

    agent = world["people"]["agent1"]
    now = timezone.now()
    body = {
        "positions": [
            {
                "location": point(100 + i, 100),
                "accuracy_m": 10,
                "recorded_at": (now - timedelta(minutes=i)).isoformat(),
                "client_uuid": str(uuid.uuid4()),
            }
            for i in range(3)
        ]
    }
    for _ in range(2):
        response = client_for(agent).post("/api/v1/me/positions/", body, format="json")
        assert response.status_code == 201 and response.json() == {"stored": 3}
    assert PositionReport.objects.filter(staff=agent).count() == 3


def test_bad_positions_change_nothing(world):
    agent = world["people"]["agent1"]
    now = timezone.now().isoformat()
    client = client_for(agent)
    cases = [
        ({"positions": []}, "invalid_input"),
        (
            {
                "positions": [
                    {
                        "location": {"type": "Point", "coordinates": [41, 121]},
                        "accuracy_m": 5,
                        "recorded_at": now,
                    }
                ]
            },
            "coordinates_out_of_range",
        ),
        (
            {"positions": [{"location": point(1, 1), "accuracy_m": -1, "recorded_at": now}]},
            "invalid_input",
        ),
        (
            {
                "crs": "mars",
                "positions": [{"location": point(1, 1), "accuracy_m": 5, "recorded_at": now}],
            },
            "unknown_crs",
        ),
        (
            {
                "positions": [
                    {
                        "location": point(1, 1),
                        "accuracy_m": 5,
                        "recorded_at": (timezone.now() + timedelta(hours=1)).isoformat(),
                    }
                ]
            },
            "recorded_in_future",
        ),
    ]
    for body, code in cases:
        response = client.post("/api/v1/me/positions/", body, format="json")
        assert response.status_code == 400 and response.json()["error"]["code"] == code, body
    assert PositionReport.objects.count() == 0
    assert Staff.objects.get(pk=agent.pk).last_position is None


def test_only_fresh_accurate_positions_route(world, settings):
    """usable_position asks the SQL rule routing uses (people_position_fresh); routing itself:
    tests/appointments/test_routing_distance.py."""
    agent = world["people"]["agent1"]
    now = timezone.now()
    from django.contrib.gis.geos import Point

    agent.last_position = Point(*lonlat(1, 1), srid=4326)
    agent.last_position_at = now - timedelta(minutes=10)
    agent.last_position_accuracy_m = 20
    assert selectors.usable_position(agent, now) is not None
    agent.last_position_at = now - timedelta(minutes=45)
    assert selectors.usable_position(agent, now) is None  # too old (30 min default)
    agent.last_position_at = now
    agent.last_position_accuracy_m = 900
    assert selectors.usable_position(agent, now) is None  # too vague (200 m default)


def test_retention_purge_runs_as_a_django_q_task(world):
    agent = world["people"]["agent1"]
    from django.contrib.gis.geos import Point

    old = timezone.now() - timedelta(days=31)
    PositionReport.objects.create(
        staff=agent, location=Point(*lonlat(1, 1), srid=4326), accuracy_m=5, recorded_at=old
    )
    PositionReport.objects.create(
        staff=agent,
        location=Point(*lonlat(1, 1), srid=4326),
        accuracy_m=5,
        recorded_at=timezone.now(),
    )
    async_task("people.tasks.purge_positions", sync=True)
    assert PositionReport.objects.count() == 1
    async_task("people.tasks.purge_positions", sync=True)  # running twice does nothing twice
    assert PositionReport.objects.count() == 1
    from django_q.models import Schedule

    assert Schedule.objects.filter(func="people.tasks.purge_positions").exists()


def test_who_reads_positions(world):
    agent = world["people"]["agent1"]
    url = f"/api/v1/staff/{agent.pk}/positions/"
    assert client_for(agent).get(url).status_code == 200
    assert client_for(world["people"]["manager1"]).get(url).status_code == 200
    assert client_for(world["people"]["lead"]).get(url).status_code == 200
    for name in ("supervisor", "district", "manager2", "agent2", "window"):
        assert client_for(world["people"][name]).get(url).status_code == 404, name
