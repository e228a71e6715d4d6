"""The appointments API: the contract the app depends on, bad input, what anonymous sees."""

import uuid

import pytest

from appointments.models import Appointment, ResidentIdRead
from tests.appointments.conftest import future_window
from tests.factories import client_for
from tests.geo.helpers import lonlat


def body(**overrides):
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


def test_anonymous_booker_sees_the_agent_only(routed_world, api_client):
    response = api_client.post("/api/v1/appointments/", body(), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"id", "tracking_code", "status", "routing", "one_time_notice"}
    assert set(data["routing"]) == {"rule", "grid", "agent", "outside_coverage"}
    assert data["routing"]["agent"]["name"] == "张一"
    assert data["one_time_notice"]["materials"][0]["name"] == "居民身份证"


def test_staff_see_candidates_and_distances(routed_world):
    client = client_for(routed_world["people"]["manager1"])
    response = client.post("/api/v1/appointments/", body(channel="phone"), format="json")
    routing = response.json()["routing"]
    assert "candidates" in routing and "distance_m" in routing
    assert {c["name"] for c in routing["candidates"]} == {"张一", "孙三"}
    detail = client.get(f"/api/v1/appointments/{response.json()['id']}/").json()
    assert [e["action"] for e in detail["events"]] == ["routed"]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"service_item": "NOPE"}, "unknown_service_item"),
        ({"location": None}, "invalid_input"),
        ({"location": {"type": "Point", "coordinates": ["a", 1]}}, "malformed_geometry"),
        ({"location": {"type": "Point", "coordinates": [41.0, 121.0]}}, "coordinates_out_of_range"),
        ({"crs": "utm"}, "unknown_crs"),
        ({"applicant_phone": "12345"}, "invalid_phone"),
        ({"resident_id": "11010519491231002Y"}, "invalid_resident_id"),
        ({"resident_id": "110105194912310022"}, "invalid_resident_id"),  # wrong check digit
        ({"channel": "app"}, "invalid_channel"),  # only staff take appointments in person
        ({"service_item": "QT-000"}, "description_required"),
        (
            {
                "preferred_start": "2020-01-01T09:00:00+08:00",
                "preferred_end": "2020-01-01T10:00:00+08:00",
            },
            "invalid_window",
        ),
        ({"channel": "carrier pigeon"}, "invalid_input"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(routed_world, api_client, overrides, code):
    response = api_client.post("/api/v1/appointments/", body(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code
    assert Appointment.objects.count() == 0


def test_client_uuid_makes_a_repeat_harmless(routed_world):
    client = client_for(routed_world["people"]["manager1"])
    key = str(uuid.uuid4())
    first = client.post(
        "/api/v1/appointments/", body(client_uuid=key, channel="phone"), format="json"
    )
    again = client.post(
        "/api/v1/appointments/", body(client_uuid=key, channel="phone"), format="json"
    )
    assert first.json()["id"] == again.json()["id"] and Appointment.objects.count() == 1


def test_resident_id_is_encrypted_masked_and_reads_are_logged(routed_world):
    client = client_for(routed_world["people"]["manager1"])
    number = "11010519491231002X"
    created = client.post(
        "/api/v1/appointments/", body(resident_id=number, channel="phone"), format="json"
    ).json()
    stored = Appointment.objects.get()
    assert (
        number not in stored.resident_id_encrypted
        and stored.resident_id_masked == "110105********002X"
    )
    assert created["resident_id"] == "110105********002X"
    url = f"/api/v1/appointments/{created['id']}/resident-id/"
    assert client_for(routed_world["people"]["agent1"]).get(url).json() == {"resident_id": number}
    assert client_for(routed_world["people"]["supervisor"]).get(url).status_code == 403
    assert client_for(routed_world["people"]["agent2"]).get(url).status_code == 404
    assert ResidentIdRead.objects.count() == 1


def test_actions_over_http_and_scope(routed_world, api_client):
    created = api_client.post("/api/v1/appointments/", body(), format="json").json()
    url = f"/api/v1/appointments/{created['id']}/actions/"
    for outsider in ("agent2", "manager2", "window"):
        response = client_for(routed_world["people"][outsider]).post(
            url + "confirm/", {}, format="json"
        )
        assert response.status_code == 404, outsider
        assert (
            client_for(routed_world["people"][outsider])
            .get(f"/api/v1/appointments/{created['id']}/")
            .status_code
            == 404
        )
    assert (
        client_for(routed_world["people"]["supervisor"])
        .post(url + "confirm/", {}, format="json")
        .status_code
        == 403
    )
    agent = client_for(routed_world["people"]["agent1"])
    assert agent.post(url + "confirm/", {}, format="json").json()["status"] == "confirmed"
    again = agent.post(url + "confirm/", {}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"
    assert api_client.get("/api/v1/appointments/").status_code == 401
    mine = [a["id"] for a in agent.get("/api/v1/appointments/").json()["results"]]
    assert mine == [created["id"]]
    assert (
        client_for(routed_world["people"]["agent2"]).get("/api/v1/appointments/").json()["results"]
        == []
    )


def test_unrouted_queue_for_managers(routed_world, api_client):
    from datetime import timedelta

    from django.utils import timezone

    from people.models import Leave

    for name in ("agent1", "agent3"):
        Leave.objects.create(
            staff=routed_world["people"][name],
            start=timezone.now(),
            end=timezone.now() + timedelta(days=30),
        )
    api_client.post("/api/v1/appointments/", body(), format="json")
    queue = (
        client_for(routed_world["people"]["manager1"]).get("/api/v1/appointments/unrouted/").json()
    )
    assert len(queue) == 1 and queue[0]["queue"] == "210000001001"
    assert (
        client_for(routed_world["people"]["manager2"]).get("/api/v1/appointments/unrouted/").json()
        == []
    )


def test_notifications_outbox(routed_world, api_client):
    api_client.post("/api/v1/appointments/", body(), format="json")
    agent = client_for(routed_world["people"]["agent1"])
    unread = agent.get("/api/v1/me/notifications/?unread=true").json()["results"]
    assert [n["kind"] for n in unread] == ["appointment_routed"]
    assert agent.post(f"/api/v1/me/notifications/{unread[0]['id']}/read/").json() == {"marked": 1}
    assert agent.get("/api/v1/me/notifications/?unread=true").json()["results"] == []
    other = client_for(routed_world["people"]["agent2"])
    assert other.post(f"/api/v1/me/notifications/{unread[0]['id']}/read/").status_code == 404


def test_public_intake_is_throttled_per_client(routed_world, api_client, monkeypatch):
    from appointments.api.views import AnonAppointmentThrottle

    monkeypatch.setattr(AnonAppointmentThrottle, "rate", "2/hour", raising=False)
    assert api_client.post("/api/v1/appointments/", body(), format="json").status_code == 201
    assert api_client.post("/api/v1/appointments/", body(), format="json").status_code == 201
    refused = api_client.post("/api/v1/appointments/", body(), format="json")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled" and refused["Retry-After"]
    assert Appointment.objects.count() == 2
    staff = client_for(routed_world["people"]["manager1"])  # staff are not held by it
    assert (
        staff.post("/api/v1/appointments/", body(channel="phone"), format="json").status_code == 201
    )


def test_a_decline_answers_done_though_the_appointment_went_to_someone_else(
    routed_world, api_client
):
    created = api_client.post("/api/v1/appointments/", body(), format="json").json()
    agent = client_for(routed_world["people"]["agent1"])
    url = f"/api/v1/appointments/{created['id']}/actions/decline/"
    response = agent.post(url, {"reason": "在外地培训"}, format="json")
    # routed on to the backup: the agent may no longer read it, yet the decline was taken
    assert response.status_code == 200, response.content
    assert response.json() == {"id": created["id"], "action": "decline", "visible": False}
    assert agent.get(f"/api/v1/appointments/{created['id']}/").status_code == 404
