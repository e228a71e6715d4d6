"""The work endpoints (appointments, cases, visits, register, station work, sync) against every
role that must not reach them: out of scope answers 404 like missing, in scope without the
right 403, anonymous 401 — and nothing changes in any of these cases."""

from __future__ import annotations

import pytest
from django.apps import apps
from rest_framework.test import APIClient

from appointments import intake as appointment_intake
from tests.cases.conftest import ALL_PROVIDED, act, open_walk_in
from tests.factories import client_for
from tests.geo.helpers import point
from visits.models import Visit

pytestmark = pytest.mark.django_db

COUNTED = [
    "appointments.Appointment",
    "appointments.AppointmentEvent",
    "appointments.ResidentIdRead",
    "cases.Case",
    "cases.CaseEvent",
    "cases.RegisterEntry",
    "cases.Original",
    "cases.Fee",
    "visits.Visit",
]


def snapshot():
    counts = {label: apps.get_model(label).objects.count() for label in COUNTED}
    counts["case states"] = tuple(
        apps.get_model("cases.Case").objects.order_by("pk").values_list("status", "version")
    )
    counts["visit states"] = tuple(Visit.objects.order_by("pk").values_list("status", flat=True))
    return counts


@pytest.fixture
def c2(case_world):
    """二村's work: agent2's confirmed appointment in grid C, an accepted case, a visit."""
    p = case_world["people"]
    appointment = appointment_intake.appointment_create(
        actor=p["agent2"].user,
        intake=appointment_intake.Intake(
            service_item="MZ-002",
            applicant_name="赵六",
            applicant_phone="13700001111",
            location=point(1500, 500),
            address="二村",
            channel="app",
            resident_id="11010519491231002X",
        ),
    )
    case = open_walk_in(p["agent2"], resident_id="11010519491231002X")
    act(p["agent2"], case, "accept", checklist=ALL_PROVIDED)
    visit = Visit.objects.create(
        appointment=appointment, agent=p["agent2"], created_by=p["agent2"].user
    )
    return {"appointment": appointment, "case": case, "visit": visit, **case_world}


def endpoints(c2):
    a, c, v = c2["appointment"].pk, c2["case"].pk, c2["visit"].pk
    code = c2["tree"]["c2"].code
    return [
        ("get", f"/api/v1/appointments/{a}/", None),
        ("get", f"/api/v1/appointments/{a}/resident-id/", None),
        ("post", f"/api/v1/appointments/{a}/actions/cancel/", {"reason": "x"}),
        ("get", f"/api/v1/cases/{c}/", None),
        ("patch", f"/api/v1/cases/{c}/", {"address": "x"}),
        ("post", f"/api/v1/cases/{c}/actions/forward/", {}),
        ("post", f"/api/v1/cases/{c}/actions/fee/", {"name": "工本费", "amount": "10"}),
        ("get", f"/api/v1/cases/{c}/receipt.pdf", None),
        ("get", f"/api/v1/cases/{c}/resident-id/", None),
        ("post", "/api/v1/cases/", {"appointment": a}),
        ("get", f"/api/v1/visits/{v}/", None),
        (
            "post",
            f"/api/v1/visits/{v}/check-in/",
            {"position": {"type": "Point", "coordinates": [122, 41]}},
        ),
        ("post", f"/api/v1/visits/{v}/cancel/", {}),
        ("post", "/api/v1/visits/", {"appointment": a}),
        ("get", f"/api/v1/stations/{code}/work/", None),
    ]


def call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format="json")


@pytest.mark.parametrize("role", ["agent1", "manager1", "window"])
def test_outsiders_get_404_and_change_nothing(c2, role):
    client = client_for(c2["people"][role])
    before = snapshot()
    for method, url, body in endpoints(c2):
        response = call(client, method, url, body)
        if role == "window" and url in ("/api/v1/cases/", "/api/v1/visits/"):
            assert response.status_code in (403, 404), url  # window staff open and plan nothing
            continue
        assert response.status_code == 404, (role, method, url, response.content[:200])
        assert response.json()["error"]["code"].startswith("unknown_"), url
    assert snapshot() == before
    assert client.get("/api/v1/cases/").json()["results"] == [] or role == "manager1"


def test_supervisors_read_but_never_write(c2):
    client = client_for(c2["people"]["supervisor"])
    before = snapshot()
    for method, url, body in endpoints(c2):
        response = call(client, method, url, body)
        if method == "get" and "resident-id" not in url:
            assert response.status_code == 200, (url, response.content[:200])
        else:
            assert response.status_code == 403, (method, url, response.content[:200])
            assert response.json()["error"]["code"] == "permission_denied"
    assert snapshot() == before


def test_anonymous_gets_401_and_changes_nothing(c2):
    client = APIClient()
    before = snapshot()
    lists = ["/api/v1/cases/", "/api/v1/visits/", "/api/v1/me/tasks/", "/api/v1/sync/"]
    for method, url, body in [*endpoints(c2), *(("get", u, None) for u in lists)]:
        assert call(client, method, url, body).status_code == 401, url
    assert snapshot() == before


def test_the_owners_and_their_managers_reach_them(c2):
    for role in ("agent2", "manager2", "street", "district"):
        client = client_for(c2["people"][role])
        assert client.get(f"/api/v1/cases/{c2['case'].pk}/").status_code == 200, role
        assert client.get(f"/api/v1/visits/{c2['visit'].pk}/").status_code == 200, role
