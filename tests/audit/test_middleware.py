"""audit.middleware: every response carries a request ID, and writes made by a request are
recorded with it and with the user, however the user logged in."""

import re

import pytest
from rest_framework.test import APIClient

from appointments.models import Appointment
from geo.models import Grid
from people.models import Role
from tests.appointments.test_api import body as appointment_body
from tests.audit.conftest import changes_of
from tests.factories import client_for, make_staff
from tests.geo.helpers import rect_geojson

pytestmark = pytest.mark.django_db

HEX32 = re.compile(r"[0-9a-f]{32}")


def new_grid(client, **headers):
    data = {"name": "西", "community": "210000001001", "boundary": rect_geojson(0, 0, 500, 1000)}
    return client.post("/api/v1/grids/", data, format="json", headers=headers)


def test_an_api_write_records_the_user_and_the_request_id(world):
    district = world["people"]["district"]
    Grid.objects.filter(community__code="210000001001").update(retired_at="2026-01-02T00:00Z")
    response = new_grid(client_for(district), **{"X-Request-ID": "app-42.retry_1"})
    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == "app-42.retry_1"
    grid = Grid.objects.get(code=response.json()["id"])
    [insert] = changes_of("geo_grid", grid.pk)
    assert insert.actor_id == district.user_id
    assert insert.request_id == "app-42.retry_1"
    assert insert.context == {"method": "POST", "path": "/api/v1/grids/"}
    [version] = [c for c in changes_of("geo_gridboundary") if c.changes["grid_id"] == grid.pk]
    assert (version.actor_id, version.request_id, version.txid) == (
        district.user_id,
        "app-42.retry_1",
        insert.txid,
    )


@pytest.mark.parametrize("given", [None, "", "has space", "x" * 65, "semi;colon", "ü"])
def test_a_missing_or_odd_request_id_is_replaced(world, given):
    headers = {} if given is None else {"X-Request-ID": given}
    response = client_for(world["people"]["agent1"]).get("/api/v1/me/", headers=headers)
    assert response.status_code == 200
    assert HEX32.fullmatch(response["X-Request-ID"])


def test_refusals_carry_the_request_id_too(api_client):
    response = api_client.get("/api/v1/grids/", headers={"X-Request-ID": "abc"})
    assert response.status_code == 401 and response["X-Request-ID"] == "abc"


def test_a_token_request_records_the_token_user(world):
    """DRF authenticates the token inside the view, after the middleware has seen an anonymous
    request: the user is read when the write happens."""
    editor = make_staff(
        "editor", Role.DISTRICT_STAFF, centre=world["tree"]["district"].centre, password="pw-12345"
    )
    login = APIClient().post(
        "/api/v1/auth/login/", {"username": "editor", "password": "pw-12345"}, format="json"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {login.json()['token']}")
    response = client.patch("/api/v1/grids/A/", {"name": "甲"}, format="json", HTTP_IF_MATCH="1")
    assert response.status_code == 200, response.content
    change = changes_of("geo_grid", world["grids"]["A"].pk)[-1]
    assert change.changes == {"name": ["A", "甲"], "revision": [1, 2]}
    assert change.actor_id == editor.user_id
    assert change.request_id == response["X-Request-ID"]
    assert change.context == {"method": "PATCH", "path": "/api/v1/grids/A/"}


def test_an_anonymous_booking_still_works_and_is_audited(routed_world, api_client):
    response = api_client.post("/api/v1/appointments/", appointment_body(), format="json")
    assert response.status_code == 201, response.content
    appointment = Appointment.objects.get()
    assert appointment.agent == routed_world["people"]["agent1"]
    # routed before it is written: one INSERT, already with its agent
    [routed] = changes_of("appointments_appointment", appointment.pk)
    assert routed.op == "INSERT" and routed.actor_id is None
    assert routed.request_id == response["X-Request-ID"]
    assert routed.changes["status"] == "awaiting_confirmation"
    assert routed.changes["agent_id"] == routed_world["people"]["agent1"].pk


def test_a_staff_booking_records_the_staff_member(routed_world):
    manager = routed_world["people"]["manager1"]
    response = client_for(manager).post(
        "/api/v1/appointments/", appointment_body(channel="phone"), format="json"
    )
    assert response.status_code == 201, response.content
    recorded = changes_of("appointments_appointment", response.json()["id"])
    assert recorded and {c.actor_id for c in recorded} == {manager.user_id}
