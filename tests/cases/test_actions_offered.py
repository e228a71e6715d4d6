"""The `actions` list of a case's detail: read off the case action table for the requester,
with the fields each needs and the choices the app must pick from."""

import pytest

from cases.models import Status
from tests.cases.conftest import accepted_case, act, open_walk_in
from tests.factories import client_for

pytestmark = pytest.mark.django_db


def offered(client, pk):
    response = client.get(f"/api/v1/cases/{pk}/")
    assert response.status_code == 200, response.content
    return {o["action"]: o for o in response.json()["actions"]}


def test_a_new_case_offers_pre_review_with_its_materials(case_world):
    agent = case_world["people"]["agent1"]
    case = open_walk_in(agent)
    offers = offered(client_for(agent), case.pk)
    assert sorted(offers) == ["accept", "custody", "decline", "hand_over", "review"]
    assert offers["review"]["needs"] == ["checklist"]
    assert [m["key"] for m in offers["review"]["choices"]["checklist"]] == [
        "id_card",
        "hukou",
        "photo",
    ]
    assert offers["decline"]["needs"] == ["reason"]


def test_the_offer_follows_the_state_and_the_side(case_world):
    p = case_world["people"]
    case = accepted_case(case_world)
    agent = client_for(p["agent1"])
    assert "forward" in offered(agent, case.pk)
    assert "accept" not in offered(agent, case.pk)
    act(p["agent1"], case, "forward")
    # the agent waits for the window; the window's staff take the window steps
    assert "receive" not in offered(agent, case.pk)
    window = offered(client_for(p["window"]), case.pk)
    assert "receive" in window and "forward" not in window
    act(p["window"], case, "receive")
    act(p["window"], case, "result_ready")
    assert "collect" in offered(agent, case.pk)
    act(p["agent1"], case, "collect")
    case.refresh_from_db()
    assert case.status == Status.COLLECTED
    assert "return" in offered(agent, case.pk)


def test_every_offer_is_one_the_table_takes(case_world):
    """Each offered action, taken with what it needs, is not refused for its state or right."""
    from cases import actions

    p = case_world["people"]
    case = open_walk_in(p["agent1"])
    offers = offered(client_for(p["agent1"]), case.pk).values()
    assert offers
    for offer in offers:
        spec = actions.ACTIONS[offer["action"]]
        assert case.status in spec.from_states
        assert spec.who(p["agent1"].user, case)
