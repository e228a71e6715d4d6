"""The desk's queues: each role sees the queues of its desk, cut from what it may see; a queue of
another desk, or a desk for someone who has none, is refused; filters and sorts are checked;
the figures on top come from the supervision figures. A case acted on with a stale
`expected_version` is refused with 412 and left as it was; a complaint offers its next
actions."""

from __future__ import annotations

import pytest

from cases.models import Case, Status
from feedback import services as feedback_services
from tests.cases.conftest import accepted_case, act
from tests.factories import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_world(case_world):
    p = case_world["people"]
    forwarded = act(p["agent1"], accepted_case(case_world), "forward")
    at_window = act(p["window"], act(p["agent1"], accepted_case(case_world), "forward"), "receive")
    ready = act(p["window"], at_window, "result_ready")
    late = accepted_case(case_world)  # accepted 24 September 2026: red by now
    complaint = feedback_services.complaint_create(
        actor=None,
        staff_id=p["agent1"].pk,
        complainant_name="张三",
        complainant_phone="13800001234",
        text="约好上门却没有来。",
    )
    about_street = feedback_services.complaint_create(
        actor=None,
        staff_id=p["street"].pk,
        complainant_name="李四",
        complainant_phone="13800004321",
        text="窗口态度不好。",
    )
    return {
        **case_world,
        "forwarded": forwarded,
        "ready": ready,
        "late": late,
        "complaint": complaint,
        "about_street": about_street,
    }


def counts(body):
    return {q["key"]: q["count"] for q in body["queues"]}


def ids(client, key, query=""):
    response = client.get(f"/api/v1/desk/queues/{key}/{query}")
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_centre_staff_see_their_queues_with_counts_and_figures(desk_world):
    p = desk_world["people"]
    client = client_for(p["street"])
    body = client.get("/api/v1/desk/").json()
    assert body["desks"] == ["centre"]
    assert counts(body) == {
        "forwarded": 1,
        "at_window": 0,
        "ready": 1,
        "overdue": 3,  # all three accepted on 24 September, due long ago
        "complaints": 1,  # not the one about themselves
    }
    assert body["windows"] == [
        {"code": "MZJ-01", "name": "区民政局 社会救助窗口", "open": 2, "red": 2}
    ]
    figures = body["figures"]
    assert figures["unit"]["code"] == desk_world["tree"]["street"].code
    assert figures["overdue_now"] == 3
    assert set(figures) >= {"on_time_pct", "from", "to", "cases_completed"}
    assert ids(client, "forwarded") == [desk_world["forwarded"].pk]
    assert ids(client, "ready") == [desk_world["ready"].pk]
    assert ids(client, "complaints") == [desk_world["complaint"].pk]
    rows = client.get("/api/v1/desk/queues/forwarded/").json()["results"]
    assert rows[0]["window_name"] == "区民政局 社会救助窗口" and rows[0]["light"] == "red"
    # a complaint about the centre's own staff goes to the district centre
    district = client_for(p["district"])
    assert sorted(ids(district, "complaints")) == sorted(
        [desk_world["complaint"].pk, desk_world["about_street"].pk]
    )


def test_filters_and_sorts(desk_world):
    client = client_for(desk_world["people"]["street"])
    overdue = ids(client, "overdue", "?sort=-opened")
    assert overdue == sorted(overdue, reverse=True)
    assert ids(client, "overdue", "?window=MZJ-01&sort=code") != []
    assert ids(client, "overdue", "?window=RSJ-01") == []
    assert ids(client, "overdue", "?light=green") == []
    code = desk_world["late"].tracking_code
    assert ids(client, "overdue", f"?q={code}") == [desk_world["late"].pk]
    assert ids(client, "complaints", "?state=closed") == []
    for queue, query, name in [
        ("overdue", "?sort=applicant", "sort"),
        ("overdue", "?light=blue", "light"),
        ("overdue", "?centre=12ab", "centre"),
        ("complaints", "?state=gone", "state"),
        ("complaints", "?sort=due", "sort"),
    ]:
        response = client.get(f"/api/v1/desk/queues/{queue}/{query}")
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "invalid_parameter" and error["details"]["parameter"] == name
    station = desk_world["tree"]["c1"].code
    assert len(ids(client, "overdue", f"?centre={station}")) == 3
    assert ids(client, "overdue", f"?centre={desk_world['tree']['c2'].code}") == []


def test_window_staff_see_only_their_window(desk_world):
    p = desk_world["people"]
    window = client_for(p["window"])
    body = window.get("/api/v1/desk/").json()
    assert body["desks"] == ["window"] and body["window"] == "MZJ-01"
    assert counts(body) == {"to_receive": 1, "in_progress": 0, "decided": 1}
    assert body["figures"]["unit"]["code"] == desk_world["tree"]["street"].code
    assert ids(window, "to_receive") == [desk_world["forwarded"].pk]
    assert ids(window, "decided") == [desk_world["ready"].pk]
    other = client_for(p["other_window"])
    assert counts(other.get("/api/v1/desk/").json()) == {
        "to_receive": 0,
        "in_progress": 0,
        "decided": 0,
    }


@pytest.mark.parametrize(
    "who,queue",
    [
        ("window", "forwarded"),
        ("window", "complaints"),
        ("window", "overdue"),
        ("street", "to_receive"),
        ("street", "nothing"),
        ("agent1", "forwarded"),
        ("manager1", "complaints"),
        ("supervisor", "ready"),
    ],
)
def test_a_queue_of_another_desk_answers_like_a_missing_one(desk_world, who, queue):
    response = client_for(desk_world["people"][who]).get(f"/api/v1/desk/queues/{queue}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_queue"


@pytest.mark.parametrize("who", ["agent1", "manager1", "supervisor"])
def test_no_desk_for_agents_managers_and_supervisors(desk_world, who):
    response = client_for(desk_world["people"][who]).get("/api/v1/desk/")
    assert response.status_code == 403


def test_anonymous_is_refused(desk_world, api_client):
    assert api_client.get("/api/v1/desk/").status_code == 401
    assert api_client.get("/api/v1/desk/queues/forwarded/").status_code == 401


def test_an_action_on_a_stale_version_is_refused_with_412(desk_world):
    window = client_for(desk_world["people"]["window"])
    case = desk_world["forwarded"]
    url = f"/api/v1/cases/{case.pk}/actions/receive/"
    response = window.post(url, {"expected_version": case.version - 1}, format="json")
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "stale_version"
    assert Case.objects.get(pk=case.pk).status == Status.FORWARDED
    response = window.post(url, {"expected_version": case.version}, format="json")
    assert response.status_code == 200 and response.json()["status"] == Status.AT_WINDOW
    offered = [a["action"] for a in response.json()["actions"]]
    assert "result_ready" in offered and "refuse" in offered


def test_a_complaint_offers_its_next_actions(desk_world):
    p = desk_world["people"]
    client = client_for(p["street"])
    pk = desk_world["complaint"].pk
    body = client.get(f"/api/v1/complaints/{pk}/").json()
    assert [a["action"] for a in body["actions"]] == ["investigate"]
    client.post(f"/api/v1/complaints/{pk}/actions/investigate/", {}, format="json")
    body = client.post(
        f"/api/v1/complaints/{pk}/actions/reply/", {"reply": "已核实并致歉"}, format="json"
    ).json()
    close = body["actions"][0]
    assert close["action"] == "close" and close["needs"] == ["outcome"]
    assert [c["id"] for c in close["choices"]["outcome"]] == [
        "upheld",
        "partly_upheld",
        "not_upheld",
    ]
    # the person complained about never sees it, desk or not
    about = desk_world["about_street"].pk
    assert client.get(f"/api/v1/complaints/{about}/").status_code == 404


def test_centre_staff_elsewhere_see_none_of_it(desk_world):
    """Centre staff whose centre is another area see nothing of this street's matters or
    complaints: every queue starts from what they may see."""
    from people.models import Role
    from tests.factories import make_staff

    elsewhere = make_staff("elsewhere", Role.CENTRE_STAFF, centre=desk_world["tree"]["c2"].centre)
    client = client_for(elsewhere)
    body = client.get("/api/v1/desk/").json()
    assert set(counts(body).values()) == {0} and body["windows"] == []
    for key in ("forwarded", "ready", "overdue", "complaints"):
        assert ids(client, key) == []
    assert ids(client, "complaints", "?state=all") == []
