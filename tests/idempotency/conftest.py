"""Worlds for idempotency tests: the routed world of appointments (a bookable item on grid A)
and the case world, plus helpers to send keyed requests.

The public intake is throttled per client through the shared cache, which transactional tests
do not empty: every test here lifts the anonymous limits so that only what it checks counts.
"""

import pytest

from tests.geo.helpers import lonlat
from tests.worlds.appointments import future_window

APPOINTMENTS = "/api/v1/appointments/"


def body(**overrides):
    """A booking on grid A (agent1's), as tests/appointments/test_api.py books one."""
    start, end = future_window()
    data = {
        "service_item": "MZ-001",
        "applicant_name": "张三",
        "applicant_phone": "13800001234",
        "location": {"type": "Point", "coordinates": list(lonlat(100, 100))},
        "address": "测试地址",
        "channel": "web",
        "preferred_start": start.isoformat(),
        "preferred_end": end.isoformat(),
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def _generous_throttles(monkeypatch):
    from appointments.api.views import AnonAppointmentThrottle

    monkeypatch.setattr(AnonAppointmentThrottle, "rate", "10000/hour", raising=False)


def post(client, key, data, path=APPOINTMENTS, **extra):
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(path, data, format="json", **extra)


def replayed(response) -> bool:
    return response.get("Idempotent-Replayed") == "true"
