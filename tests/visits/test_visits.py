"""Home visits: planned for a confirmed appointment or a case, check-in distance measured on
the spheroid and flagged beyond the radius, check-out with what was done, replay by
client_uuid, and who may do what."""

from __future__ import annotations

import uuid

import pytest

from appointments import actions as appointment_actions
from appointments import intake as appointment_intake
from tests.appointments.conftest import NOW, WINDOW
from tests.cases.conftest import open_walk_in
from tests.factories import client_for
from tests.geo.helpers import lonlat, point
from visits.models import Visit

pytestmark = pytest.mark.django_db


def confirmed(world, x=100, y=100):
    a = appointment_intake.appointment_create(
        actor=None,
        intake=appointment_intake.Intake(
            service_item="MZ-002",
            applicant_name="张三",
            applicant_phone="13800001234",
            location=point(x, y),
            address="一社区 1 号楼",
            channel="web",
            preferred_start=WINDOW[0],
            preferred_end=WINDOW[1],
        ),
        now=NOW,
    )
    return appointment_actions.appointment_act(
        actor=a.agent.user, appointment_id=a.pk, action="confirm", payload={}
    )


def gj(x, y):
    return {"type": "Point", "coordinates": list(lonlat(x, y))}


def test_a_visit_from_plan_to_check_out(case_world):
    agent = client_for(case_world["people"]["agent1"])
    a = confirmed(case_world)
    key = str(uuid.uuid4())
    body = {"appointment": a.pk, "scheduled_for": "2026-12-01T09:30:00+08:00", "client_uuid": key}
    first = agent.post("/api/v1/visits/", body, format="json")
    assert first.status_code == 201, first.json()
    again = agent.post("/api/v1/visits/", body, format="json")  # an offline phone's replay
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Visit.objects.count() == 1
    url = f"/api/v1/visits/{first.json()['id']}/"
    inside = agent.post(
        url + "check-in/", {"position": gj(130, 100), "accuracy_m": 8}, format="json"
    )
    assert inside.status_code == 200
    visit = inside.json()
    assert visit["status"] == "in_progress" and not visit["check_in_flagged"]
    assert visit["check_in_distance_m"] == pytest.approx(30, abs=0.5)
    twice = agent.post(url + "check-in/", {"position": gj(130, 100)}, format="json")
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "illegal_transition")
    record = {
        "forms_filled": ["申请表"],
        "papers_collected": ["户口簿复印件"],
        "notes": "老人行动不便",
    }
    out = agent.post(
        url + "check-out/", {"position": gj(100, 100), "record": record}, format="json"
    )
    assert out.status_code == 200
    assert out.json()["status"] == "done" and out.json()["record"]["papers_collected"] == [
        "户口簿复印件"
    ]


def test_a_check_in_beyond_the_radius_is_flagged(case_world, settings):
    settings.VISITS = {"CHECKIN_RADIUS_M": 200}
    agent = client_for(case_world["people"]["agent1"])
    visit = agent.post(
        "/api/v1/visits/", {"appointment": confirmed(case_world).pk}, format="json"
    ).json()
    far = agent.post(
        f"/api/v1/visits/{visit['id']}/check-in/",
        {"position": gj(100, 400), "crs": "wgs84"},
        format="json",
    ).json()
    assert far["check_in_flagged"] and far["check_in_distance_m"] == pytest.approx(300, abs=1)


def test_gcj02_positions_are_converted_before_measuring(case_world):
    from core import coords

    agent = client_for(case_world["people"]["agent1"])
    visit = agent.post(
        "/api/v1/visits/", {"appointment": confirmed(case_world).pk}, format="json"
    ).json()
    lon, lat = coords.wgs84_to_gcj02(*lonlat(100, 100))
    response = agent.post(
        f"/api/v1/visits/{visit['id']}/check-in/",
        {"position": {"type": "Point", "coordinates": [lon, lat]}, "crs": "gcj02"},
        format="json",
    ).json()
    assert response["check_in_distance_m"] < 1  # the same spot, ~500 m apart if taken raw


@pytest.mark.parametrize(
    ("body", "code", "status"),
    [
        ({}, "visit_subject_required", 400),
        ({"appointment": 999999}, "unknown_appointment", 404),
        ({"case": 999999}, "unknown_case", 404),
    ],
)
def test_bad_plans_are_refused(case_world, body, code, status):
    response = client_for(case_world["people"]["agent1"]).post(
        "/api/v1/visits/", body, format="json"
    )
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert not Visit.objects.exists()


def test_bad_check_ins_change_nothing(case_world):
    agent = client_for(case_world["people"]["agent1"])
    visit = agent.post(
        "/api/v1/visits/", {"appointment": confirmed(case_world).pk}, format="json"
    ).json()
    url = f"/api/v1/visits/{visit['id']}/check-in/"
    for body, code in [
        ({}, "invalid_input"),
        ({"position": {"type": "Point", "coordinates": [500, 1]}}, "coordinates_out_of_range"),
        ({"position": gj(1, 1), "crs": "epsg:3857"}, "unknown_crs"),
        ({"position": gj(1, 1), "accuracy_m": -5}, "invalid_accuracy"),
    ]:
        response = agent.post(url, body, format="json")
        assert (response.status_code, response.json()["error"]["code"]) == (400, code), body
    assert Visit.objects.get().status == "scheduled"
    out = agent.post(
        f"/api/v1/visits/{visit['id']}/check-out/", {"position": gj(1, 1)}, format="json"
    )
    assert out.json()["error"]["code"] == "illegal_transition"


def test_who_may_plan_see_and_check_in(case_world):
    p = case_world["people"]
    a = confirmed(case_world)
    refused = client_for(p["agent2"]).post("/api/v1/visits/", {"appointment": a.pk}, format="json")
    assert refused.status_code == 404  # another station's appointment is not visible
    planned = client_for(p["manager1"]).post(
        "/api/v1/visits/", {"appointment": a.pk}, format="json"
    )
    assert planned.status_code == 201 and planned.json()["agent"] == p["agent1"].pk
    url = f"/api/v1/visits/{planned.json()['id']}/"
    assert client_for(p["agent2"]).get(url).status_code == 404
    assert client_for(p["supervisor"]).get(url).status_code == 200
    manager = client_for(p["manager1"]).post(
        url + "check-in/", {"position": gj(100, 100)}, format="json"
    )
    assert (manager.status_code, manager.json()["error"]["code"]) == (403, "permission_denied")
    assert client_for(p["supervisor"]).post(url + "cancel/").status_code == 403
    assert client_for(p["manager1"]).post(url + "cancel/").json()["status"] == "cancelled"


def test_a_visit_for_a_walk_in_case(case_world):
    p = case_world["people"]
    case = open_walk_in(p["agent1"], location=point(50, 50))
    visit = client_for(p["agent1"]).post("/api/v1/visits/", {"case": case.pk}, format="json")
    assert visit.status_code == 201
    assert visit.json()["case"] == case.pk and visit.json()["destination"] is not None


@pytest.mark.parametrize("when", ["1603-11-26T16:54:27Z", "2031-01-01T09:00:00+08:00"])
def test_a_visit_is_planned_within_a_sensible_time(case_world, when):
    agent = client_for(case_world["people"]["agent1"])
    body = {"appointment": confirmed(case_world).pk, "scheduled_for": when}
    response = agent.post("/api/v1/visits/", body, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (
        400,
        "invalid_scheduled_for",
    )
    assert not Visit.objects.exists()
