"""The `actions` list of an appointment's detail: read off the action table for the
requester (state and `who`), with what each needs — the field app offers exactly these."""

import pytest

from tests.appointments.test_api import body
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def offered(client, pk):
    response = client.get(f"/api/v1/appointments/{pk}/")
    assert response.status_code == 200, response.content
    return {o["action"]: o for o in response.json()["actions"]}


def test_the_routed_agent_is_offered_confirm_decline_and_hand_over(routed_world):
    p = routed_world["people"]
    manager = client_for(p["manager1"])
    pk = manager.post("/api/v1/appointments/", body(channel="phone"), format="json").json()["id"]
    agent = client_for(p["agent1"])

    offers = offered(agent, pk)
    assert sorted(offers) == ["cancel", "confirm", "decline", "hand_over"]
    assert offers["decline"]["needs"] == ["reason"]
    assert offers["hand_over"]["needs"] == ["to"]
    # the colleagues of the agent's station, not the agent, not another station's
    assert [c["name"] for c in offers["hand_over"]["choices"]["to"]] == ["孙三"]

    # the manager manages it: reassign and cancel, not the agent's own answers
    assert sorted(offered(manager, pk)) == ["cancel", "reassign"]
    # an agent it is not with sees it? then nothing to do
    other = client_for(p["agent3"])
    if other.get(f"/api/v1/appointments/{pk}/").status_code == 200:
        assert offered(other, pk) == {}


def test_once_confirmed_the_offer_follows_the_state(routed_world):
    p = routed_world["people"]
    manager = client_for(p["manager1"])
    pk = manager.post("/api/v1/appointments/", body(channel="phone"), format="json").json()["id"]
    agent = client_for(p["agent1"])
    assert agent.post(f"/api/v1/appointments/{pk}/actions/confirm/").status_code == 200
    # open_case is taken through POST /api/v1/cases/; confirm and decline are gone
    assert sorted(offered(agent, pk)) == ["cancel", "hand_over", "open_case"]


def test_anonymous_tracking_gets_no_actions(routed_world, api_client):
    response = api_client.post("/api/v1/appointments/", body(), format="json")
    assert "actions" not in response.json()
