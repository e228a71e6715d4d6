"""Proposals (geo/proposals.py, geo/api/proposals.py): a boundary edit that reaches outside the
editor's managed area is stored, not applied; those who manage both sides see it, apply it
(the same service, against the version it was made from) or reject it.

The world: C1 (manager1) has grids A and B, C2 (manager2) has grid C; B and C share x = 1000.
The street centre's staff and the district's staff manage both communities.
"""

import pytest
from django.utils import timezone

from audit.models import Change
from geo import proposals
from geo.models import Grid, GridBoundary, GridProposal
from tests.appointments.helpers import book
from tests.factories import client_for
from tests.worlds.appointments import future_window

from .helpers import rect, rect_geojson

MOVED_EDGE = rect_geojson(500, 0, 900, 1000)  # B's east edge, shared with C, moved west


def error(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.fixture
def clients(routed_world):
    return {name: client_for(staff) for name, staff in routed_world["people"].items()}


def grids_now():
    return (
        list(Grid.objects.order_by("pk").values_list("code", "revision")),
        GridBoundary.objects.count(),
    )


def propose(clients, who="manager1", boundary=MOVED_EDGE, etag='"1"'):
    return clients[who].patch(
        "/api/v1/grids/B/",
        {"boundary": boundary, "note": "沿河调整"},
        format="json",
        HTTP_IF_MATCH=etag,
    )


def test_moving_an_edge_shared_with_another_community_is_a_proposal(clients, routed_world):
    before = grids_now()
    response = propose(clients)
    assert response.status_code == 202, response.content
    proposal = response.json()
    assert response["Location"] == f"/api/v1/grid-proposals/{proposal['id']}/"
    assert proposal["status"] == "open" and proposal["grid"] == "B"
    assert proposal["reason"] == "moves_shared_edge" and proposal["neighbours"] == ["C"]
    assert proposal["areas"] == ["210000001001", "210000001002"]
    assert proposal["base_version"] == 1 and proposal["proposed_by"] == "manager1"
    assert proposal["before"]["type"] == proposal["after"]["type"] == "MultiPolygon"
    assert proposal["may_decide"] is False
    assert grids_now() == before  # nothing applied
    # audited like grids
    assert Change.objects.filter(table_name="geo_gridproposal", op="INSERT").exists()


def test_an_edge_inside_ones_own_community_is_applied_directly(clients, routed_world):
    response = clients["manager1"].patch(
        "/api/v1/grids/A/",
        {"boundary": rect_geojson(0, 0, 450, 1000)},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200, response.content
    assert not GridProposal.objects.exists()


def test_ground_beyond_the_managed_area_is_a_proposal(clients, routed_world):
    """4 m into C2 passes the parent tolerance (5 m) but is not the manager's to give."""
    response = propose(clients, boundary=rect_geojson(500, 0, 1004, 1000))
    assert response.status_code == 202, response.content
    assert response.json()["reason"] == "outside_managed_area"


def test_refused_edits_are_not_proposed(clients, routed_world):
    before = grids_now()
    assert error(propose(clients, boundary=rect_geojson(400, 0, 900, 1000)), 400)["code"] == (
        "grid_overlaps"
    )
    assert error(propose(clients, etag='"5"'), 412)["code"] == "stale_version"
    assert error(propose(clients, etag=None), 428)["code"] == "if_match_required"
    assert grids_now() == before and not GridProposal.objects.exists()


def test_district_and_street_staff_edit_the_shared_edge_directly(clients, routed_world):
    for who, etag in (("street", '"1"'), ("district", '"2"')):
        response = propose(clients, who=who, etag=etag)
        assert response.status_code == 200, response.content
    assert not GridProposal.objects.exists()


def test_who_sees_a_proposal(clients, routed_world):
    pk = propose(clients).json()["id"]
    url = f"/api/v1/grid-proposals/{pk}/"
    for who in ("manager1", "street", "lead", "district"):
        assert clients[who].get(url).status_code == 200, who
        assert [p["id"] for p in clients[who].get("/api/v1/grid-proposals/").json()["results"]] == [
            pk
        ], who
    for who in ("manager2", "agent1", "agent2", "supervisor", "window"):
        assert error(clients[who].get(url), 404)["code"] == "unknown_proposal", who
        assert clients[who].get("/api/v1/grid-proposals/").json()["results"] == [], who
    assert clients["street"].get(url).json()["may_decide"] is True
    assert error(clients["district"].get("/api/v1/grid-proposals/999999/"), 404)["code"] == (
        "unknown_proposal"
    )


def test_applying_runs_the_edit_and_reroutes(clients, routed_world):
    a = book(x=950, y=500, window=future_window(), now=timezone.now())  # in B's strip that goes
    assert a.grid.code == "B"
    pk = propose(clients).json()["id"]
    url = f"/api/v1/grid-proposals/{pk}/apply/"
    # the proposer does not manage both sides; manager2 does not see it; agents neither
    assert error(clients["manager1"].post(url, {}, format="json"), 403)["code"] == (
        "permission_denied"
    )
    for who in ("manager2", "agent1", "supervisor"):
        assert error(clients[who].post(url, {}, format="json"), 404)["code"] == "unknown_proposal"
    assert Grid.objects.get(code="B").revision == 1
    response = clients["street"].post(url, {"note": "同意"}, format="json")
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["proposal"]["status"] == "applied"
    assert answer["proposal"]["decided_by"] == "street" and answer["proposal"]["decided_at"]
    assert answer["proposal"]["result_version"] == 2
    assert answer["grid"]["properties"]["revision"] == 2
    assert answer["grid"]["properties"]["version"] == 2
    assert answer["rerouted_count"] == 1
    assert answer["rerouted"][0]["appointment"] == a.tracking_code
    b = Grid.objects.get(code="B")
    assert b.boundary.equals_exact(rect(500, 0, 900, 1000), tolerance=1e-9)
    again = clients["district"].post(url, {}, format="json")
    assert error(again, 409)["code"] == "proposal_decided"


def test_a_stale_proposal_is_refused_and_stays_open(clients, routed_world):
    pk = propose(clients).json()["id"]
    clients["district"].patch(
        "/api/v1/grids/B/", {"name": "乙"}, format="json", HTTP_IF_MATCH='"1"'
    )
    before = grids_now()
    err = error(
        clients["street"].post(f"/api/v1/grid-proposals/{pk}/apply/", {}, format="json"), 409
    )
    assert err["code"] == "proposal_stale"
    assert err["details"] == {"grid": "B", "base_version": 1, "current_version": 2}
    assert grids_now() == before
    assert GridProposal.objects.get(pk=pk).status == "open"


def test_reject_and_withdraw(clients, routed_world):
    first = propose(clients).json()["id"]
    second = propose(clients).json()["id"]
    url = f"/api/v1/grid-proposals/{first}/reject/"
    assert error(clients["district"].post(url, {}, format="json"), 400)["code"] == "invalid_input"
    assert error(clients["manager1"].post(url, {"reason": "x"}, format="json"), 403)["code"] == (
        "permission_denied"
    )
    rejected = clients["district"].post(url, {"reason": "河道未改"}, format="json").json()
    assert rejected["status"] == "rejected" and rejected["decision_note"] == "河道未改"
    assert rejected["decided_by"] == "district"
    withdraw = f"/api/v1/grid-proposals/{second}/withdraw/"
    assert error(clients["street"].post(withdraw), 403)["code"] == "permission_denied"
    assert clients["manager1"].post(withdraw).json()["status"] == "withdrawn"
    listed = clients["manager1"].get("/api/v1/grid-proposals/?status=all").json()["results"]
    assert {p["id"]: p["status"] for p in listed} == {first: "rejected", second: "withdrawn"}
    assert clients["manager1"].get("/api/v1/grid-proposals/").json()["results"] == []
    assert error(clients["manager1"].get("/api/v1/grid-proposals/?status=maybe"), 400)


def test_service_applies_directly_for_an_actor_who_manages_both_sides(routed_world):
    people = routed_world["people"]
    grid = routed_world["grids"]["B"]
    outcome = proposals.grid_update_or_propose(
        grid=grid, actor=people["district"].user, boundary=rect(500, 0, 900, 1000)
    )
    assert outcome.proposal is None and outcome.grid.revision == 2
    outcome = proposals.grid_update_or_propose(
        grid=grid, actor=people["manager1"].user, boundary=rect(500, 0, 800, 1000)
    )
    # B no longer touches C: its east edge is the manager's alone now
    assert outcome.grid.revision == 3
    outcome = proposals.grid_update_or_propose(
        grid=grid, actor=people["manager1"].user, boundary=rect(500, 0, 1000, 1000)
    )
    assert outcome.grid is None and outcome.proposal.base_revision == 3
    assert outcome.proposal.reason == "moves_shared_edge"


def test_the_admin_lists_proposals_read_only(clients, routed_world, admin_client):
    pk = propose(clients).json()["id"]
    assert admin_client.get("/admin/geo/gridproposal/").status_code == 200
    page = admin_client.get(f"/admin/geo/gridproposal/{pk}/change/")
    assert page.status_code == 200 and b"moves_shared_edge" in page.content
    assert admin_client.post(f"/admin/geo/gridproposal/{pk}/delete/").status_code == 403
