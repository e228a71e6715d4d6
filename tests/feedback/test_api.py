"""The suggestion box and complaints over HTTP: public intake and its throttle, the public
board, the complainant's look-up, and each role against each endpoint it must not reach."""

import pytest
from rest_framework.test import APIClient

from feedback.api.views import AnonFeedbackThrottle, AnonTrackThrottle
from feedback.models import Complaint, ComplaintEvent, Suggestion
from notifications.models import Notification
from tests.factories import client_for
from tests.feedback.helpers import PHONE, complaint_about, suggestion_at

SUGGESTIONS = "/api/v1/suggestions/"
COMPLAINTS = "/api/v1/complaints/"


def error_code(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]["code"]


def suggestion_body(world, **overrides):
    return {"station": world["tree"]["c1"].code, "text": "希望周六上午也能受理。", **overrides}


def complaint_body(world, **overrides):
    return {
        "staff": world["people"]["agent1"].pk,
        "complainant_name": "陈投诉",
        "complainant_phone": PHONE,
        "text": "约好上门却没有来。",
        **overrides,
    }


# --- suggestions: public intake ------------------------------------------------------------


def test_anyone_leaves_a_suggestion(fb_world, api_client):
    response = api_client.post(
        SUGGESTIONS, suggestion_body(fb_world, name="刘阿姨", phone=PHONE), format="json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"id", "status", "created_at"} and data["status"] == "new"
    suggestion = Suggestion.objects.get(pk=data["id"])
    assert (suggestion.name, suggestion.phone) == ("刘阿姨", PHONE)


def test_an_anonymous_suggestion_needs_only_station_and_text(fb_world, api_client):
    response = api_client.post(SUGGESTIONS, suggestion_body(fb_world), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"phone": "1234"}, "invalid_phone"),
        ({"text": ""}, "text_required"),
        ({"text": "长" * 2001}, "text_too_long"),
        ({"station": "210000001099"}, "unknown_station"),
        ({"station": "210000000000"}, "unknown_station"),
        ({"station": None}, "invalid_input"),
    ],
)
def test_bad_suggestions_over_http(fb_world, api_client, overrides, code):
    response = api_client.post(SUGGESTIONS, suggestion_body(fb_world, **overrides), format="json")
    assert error_code(response, 400) == code
    assert not Suggestion.objects.exists()


def test_public_intake_is_throttled_per_client(fb_world, api_client, monkeypatch):
    monkeypatch.setattr(AnonFeedbackThrottle, "rate", "2/hour", raising=False)
    assert api_client.post(SUGGESTIONS, suggestion_body(fb_world), format="json").status_code == 201
    # suggestions and complaints share the client's allowance
    assert api_client.post(COMPLAINTS, complaint_body(fb_world), format="json").status_code == 201
    refused = api_client.post(SUGGESTIONS, suggestion_body(fb_world), format="json")
    assert error_code(refused, 429) == "throttled" and refused["Retry-After"]
    refused = api_client.post(COMPLAINTS, complaint_body(fb_world), format="json")
    assert error_code(refused, 429) == "throttled"
    assert Suggestion.objects.count() == 1 and Complaint.objects.count() == 1
    # another client has its own allowance
    other = APIClient(REMOTE_ADDR="10.1.2.3")
    assert other.post(SUGGESTIONS, suggestion_body(fb_world), format="json").status_code == 201
    # staff entering what residents say on the phone are not held by it
    staff = client_for(fb_world["people"]["manager1"])
    assert staff.post(COMPLAINTS, complaint_body(fb_world), format="json").status_code == 201


def test_the_rate_comes_from_settings():
    from rest_framework.settings import api_settings

    assert api_settings.DEFAULT_THROTTLE_RATES["feedback_anon"] == "10/hour"
    assert AnonFeedbackThrottle().rate == "10/hour"


# --- suggestions: staff reads ---------------------------------------------------------------


def test_suggestions_are_for_staff(fb_world, api_client):
    assert error_code(api_client.get(SUGGESTIONS), 401) == "not_authenticated"


def test_staff_list_their_boxes_with_filters(fb_world):
    tree = fb_world["tree"]
    answered = suggestion_at(tree["c1"], name="刘阿姨", phone=PHONE)
    waiting = suggestion_at(tree["c1"])
    suggestion_at(tree["c2"])
    manager = client_for(fb_world["people"]["manager1"])
    assert (
        manager.post(
            f"{SUGGESTIONS}{answered.pk}/reply/", {"reply": "好"}, format="json"
        ).status_code
        == 200
    )
    rows = manager.get(SUGGESTIONS).json()
    assert [r["id"] for r in rows] == [waiting.pk, answered.pk]
    assert rows[1]["name"] == "刘阿姨" and rows[1]["phone"] == PHONE  # staff see who wrote
    assert rows[1]["replied_by"] == "manager1" and rows[1]["station"] == tree["c1"].code
    new = manager.get(SUGGESTIONS, {"status": "new"}).json()
    assert [r["id"] for r in new] == [waiting.pk]
    assert error_code(manager.get(SUGGESTIONS, {"status": "open"}), 400) == "invalid_status"
    street = client_for(fb_world["people"]["street"])
    assert len(street.get(SUGGESTIONS).json()) == 3
    assert len(street.get(SUGGESTIONS, {"station": tree["c2"].code}).json()) == 1


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("manager1", 200, None),
        ("street", 200, None),
        ("lead", 200, None),
        ("district", 200, None),
        ("admin", 200, None),
        ("agent1", 403, "permission_denied"),
        ("supervisor", 403, "permission_denied"),
        ("manager2", 404, "unknown_suggestion"),
        ("agent2", 404, "unknown_suggestion"),
        ("window", 404, "unknown_suggestion"),
    ],
)
def test_who_replies_to_a_suggestion(fb_world, who, status, code):
    suggestion = suggestion_at(fb_world["tree"]["c1"])
    response = client_for(fb_world["people"][who]).post(
        f"{SUGGESTIONS}{suggestion.pk}/reply/", {"reply": "好的", "public": True}, format="json"
    )
    if code is None:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "replied"
    else:
        assert error_code(response, status) == code
        assert Suggestion.objects.get(pk=suggestion.pk).status == "new"


def test_replies_over_http_go_wrong_clearly(fb_world, api_client):
    suggestion = suggestion_at(fb_world["tree"]["c1"])
    url = f"{SUGGESTIONS}{suggestion.pk}/reply/"
    response = api_client.post(url, {"reply": "好"}, format="json")
    assert error_code(response, 401) == "not_authenticated"
    manager = client_for(fb_world["people"]["manager1"])
    assert error_code(manager.post(url, {}, format="json"), 400) == "reply_required"
    assert error_code(
        manager.post(f"{SUGGESTIONS}999999/reply/", {"reply": "好"}, format="json"), 404
    ) == ("unknown_suggestion")
    assert manager.post(url, {"reply": "好"}, format="json").status_code == 200
    assert error_code(manager.post(url, {"reply": "再答"}, format="json"), 409) == (
        "already_replied"
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager1", 200), ("agent1", 403), ("supervisor", 403), ("manager2", 404), ("window", 404)],
)
def test_who_hides_a_suggestion(fb_world, who, status):
    suggestion = suggestion_at(fb_world["tree"]["c1"])
    response = client_for(fb_world["people"][who]).post(
        f"{SUGGESTIONS}{suggestion.pk}/visibility/", {"public": False}, format="json"
    )
    assert response.status_code == status, response.content
    assert Suggestion.objects.get(pk=suggestion.pk).public is (status != 200)


# --- the public board -------------------------------------------------------------------------


def test_the_board_hides_who_wrote(fb_world, api_client):
    tree = fb_world["tree"]
    manager = client_for(fb_world["people"]["manager1"])
    shown = suggestion_at(tree["c1"], name="刘阿姨", phone=PHONE, text="窗口排队太久。")
    hidden = suggestion_at(tree["c1"], text="我是3号楼的王某某。")
    suggestion_at(tree["c1"], text="还没回复的意见。")
    manager.post(f"{SUGGESTIONS}{shown.pk}/reply/", {"reply": "已增设窗口。"}, format="json")
    manager.post(
        f"{SUGGESTIONS}{hidden.pk}/reply/", {"reply": "已联系", "public": False}, format="json"
    )
    response = api_client.get(f"/api/v1/board/{tree['c1'].code}/suggestions/")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 1
    assert set(rows[0]) == {"text", "reply", "created_at", "replied_at"}
    assert (rows[0]["text"], rows[0]["reply"]) == ("窗口排队太久。", "已增设窗口。")
    body = response.content.decode()
    assert "刘阿姨" not in body and PHONE not in body and "王某某" not in body
    # hidden later: gone from the board
    manager.post(f"{SUGGESTIONS}{shown.pk}/visibility/", {"public": False}, format="json")
    assert api_client.get(f"/api/v1/board/{tree['c1'].code}/suggestions/").json() == []


def test_the_board_of_an_unknown_station(fb_world, api_client):
    response = api_client.get("/api/v1/board/210000001099/suggestions/")
    assert error_code(response, 404) == "unknown_station"


# --- complaints: public intake ----------------------------------------------------------------


def test_anyone_complains_about_a_staff_member(fb_world, api_client):
    response = api_client.post(COMPLAINTS, complaint_body(fb_world), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) == {"id", "tracking_code", "status"} and data["status"] == "received"
    complaint = Complaint.objects.get(pk=data["id"])
    assert complaint.tracking_code == data["tracking_code"]
    assert complaint.centre == fb_world["tree"]["street"].centre
    body = response.content.decode()
    agent = fb_world["people"]["agent1"]
    assert agent.full_name not in body and agent.phone not in body
    told = set(
        Notification.objects.filter(kind="complaint_received").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"street", "lead"}


def test_anyone_complains_about_a_case(fb_world, api_client):
    body = complaint_body(fb_world, staff=None, case=fb_world["cases"]["c1"].tracking_code)
    response = api_client.post(COMPLAINTS, body, format="json")
    assert response.status_code == 201, response.content
    assert Complaint.objects.get().case == fb_world["cases"]["c1"]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"staff": 999_999}, "unknown_staff"),
        ({"staff": None, "case": "NOSUCHCASE"}, "unknown_case"),
        ({"staff": None}, "subject_required"),
        ({"complainant_phone": "139"}, "invalid_phone"),
        ({"complainant_name": ""}, "complainant_name_required"),
        ({"text": " "}, "text_required"),
        ({"staff": "agent1"}, "invalid_input"),
    ],
)
def test_bad_complaints_over_http(fb_world, api_client, overrides, code):
    response = api_client.post(COMPLAINTS, complaint_body(fb_world, **overrides), format="json")
    assert error_code(response, 400) == code
    assert not Complaint.objects.exists()


# --- complaints: staff reads and actions ------------------------------------------------------

READERS = ["street", "lead", "district", "supervisor", "admin"]
NOT_READERS = ["agent1", "manager1", "agent2", "manager2", "window"]


@pytest.mark.parametrize("who", READERS)
def test_who_reads_a_complaint(fb_world, who):
    complaint = complaint_about(staff=fb_world["people"]["agent1"])
    client = client_for(fb_world["people"][who])
    assert [r["id"] for r in client.get(COMPLAINTS).json()] == [complaint.pk]
    detail = client.get(f"{COMPLAINTS}{complaint.pk}/")
    assert detail.status_code == 200
    data = detail.json()
    assert data["staff"] == {"id": fb_world["people"]["agent1"].pk, "full_name": "张一"}
    assert data["complainant_phone"] == PHONE and data["centre"] == fb_world["tree"]["street"].code
    assert [e["action"] for e in data["events"]] == ["receive"]


@pytest.mark.parametrize("who", NOT_READERS)
def test_the_person_complained_about_and_their_station_never_see_it(fb_world, who):
    complaint = complaint_about(staff=fb_world["people"]["agent1"])
    client = client_for(fb_world["people"][who])
    assert client.get(COMPLAINTS).json() == []
    missing = client.get(f"{COMPLAINTS}999999/")
    hidden = client.get(f"{COMPLAINTS}{complaint.pk}/")
    assert error_code(hidden, 404) == error_code(missing, 404) == "unknown_complaint"
    assert hidden.json()["error"]["message"] == missing.json()["error"]["message"]


def test_complaints_are_for_staff(fb_world, api_client):
    complaint = complaint_about(staff=fb_world["people"]["agent1"])
    assert error_code(api_client.get(COMPLAINTS), 401) == "not_authenticated"
    assert error_code(api_client.get(f"{COMPLAINTS}{complaint.pk}/"), 401) == "not_authenticated"
    response = api_client.post(f"{COMPLAINTS}{complaint.pk}/actions/investigate/", {})
    assert error_code(response, 401) == "not_authenticated"


def test_complaints_filter_by_status(fb_world):
    first = complaint_about(staff=fb_world["people"]["agent1"])
    complaint_about(staff=fb_world["people"]["agent2"])
    street = client_for(fb_world["people"]["street"])
    street.post(f"{COMPLAINTS}{first.pk}/actions/investigate/", {}, format="json")
    rows = street.get(COMPLAINTS, {"status": "investigating"}).json()
    assert [r["id"] for r in rows] == [first.pk]
    assert error_code(street.get(COMPLAINTS, {"status": "done"}), 400) == "invalid_status"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("street", 200, None),
        ("lead", 200, None),
        ("district", 200, None),
        ("admin", 200, None),
        ("supervisor", 403, "permission_denied"),
        ("agent1", 404, "unknown_complaint"),
        ("manager1", 404, "unknown_complaint"),
        ("agent2", 404, "unknown_complaint"),
        ("manager2", 404, "unknown_complaint"),
        ("window", 404, "unknown_complaint"),
    ],
)
def test_who_acts_on_a_complaint(fb_world, who, status, code):
    complaint = complaint_about(staff=fb_world["people"]["agent1"])
    response = client_for(fb_world["people"][who]).post(
        f"{COMPLAINTS}{complaint.pk}/actions/investigate/", {}, format="json"
    )
    if code is None:
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "investigating"
    else:
        assert error_code(response, status) == code
        assert Complaint.objects.get(pk=complaint.pk).status == "received"
        assert ComplaintEvent.objects.filter(complaint=complaint).count() == 1


def test_a_complaint_from_receipt_to_outcome_as_the_complainant_follows_it(fb_world, api_client):
    created = api_client.post(COMPLAINTS, complaint_body(fb_world), format="json").json()
    code, pk = created["tracking_code"], created["id"]
    track = f"{COMPLAINTS}track/{code}/"
    first = api_client.get(track, {"phone": "5678"})
    assert first.status_code == 200
    assert first.json()["status"] == "received"
    assert first.json()["reply"] is None and first.json()["outcome"] is None

    lead = client_for(fb_world["people"]["lead"])
    assert lead.post(f"{COMPLAINTS}{pk}/actions/investigate/", {}, format="json").status_code == 200
    response = lead.post(f"{COMPLAINTS}{pk}/actions/reply/", {}, format="json")
    assert error_code(response, 400) == "reply_required"
    response = lead.post(
        f"{COMPLAINTS}{pk}/actions/reply/", {"reply": "已约谈代办员。"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "replied"
    replied = api_client.get(track, {"phone": "5678"}).json()
    assert replied["status"] == "replied" and replied["reply"] == "已约谈代办员。"
    assert replied["outcome"] is None
    text = Notification.objects.get(kind="complaint_replied")
    assert text.phone == PHONE and text.recipient is None and text.body == "已约谈代办员。"

    response = lead.post(f"{COMPLAINTS}{pk}/actions/close/", {}, format="json")
    assert error_code(response, 400) == "outcome_required"
    response = lead.post(
        f"{COMPLAINTS}{pk}/actions/close/", {"outcome": "upheld", "note": "属实"}, format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "closed" and data["outcome"] == "upheld"
    assert [(e["action"], e["actor"]) for e in data["events"]] == [
        ("receive", None),
        ("investigate", "lead"),
        ("reply", "lead"),
        ("close", "lead"),
    ]
    closed = api_client.get(track, {"phone": "5678"}).json()
    assert closed["status"] == "closed" and closed["outcome"] == "upheld"
    assert set(closed) == {
        "tracking_code",
        "status",
        "created_at",
        "reply",
        "replied_at",
        "outcome",
        "closed_at",
    }
    again = lead.post(f"{COMPLAINTS}{pk}/actions/close/", {"outcome": "upheld"}, format="json")
    assert error_code(again, 409) == "illegal_transition"
    unknown = lead.post(f"{COMPLAINTS}{pk}/actions/reopen/", {}, format="json")
    assert error_code(unknown, 404) == "unknown_action"


def test_tracking_with_a_wrong_phone_looks_like_an_unknown_code(fb_world, api_client):
    complaint = complaint_about(staff=fb_world["people"]["agent1"])
    wrong = api_client.get(f"{COMPLAINTS}track/{complaint.tracking_code}/", {"phone": "0000"})
    missing = api_client.get(f"{COMPLAINTS}track/NOSUCHCODE/", {"phone": "5678"})
    bare = api_client.get(f"{COMPLAINTS}track/{complaint.tracking_code}/")
    assert error_code(wrong, 404) == error_code(missing, 404) == error_code(bare, 404)
    assert wrong.json() == missing.json() == bare.json()


def test_tracking_is_throttled_apart_from_intake(fb_world, api_client, monkeypatch):
    monkeypatch.setattr(AnonTrackThrottle, "rate", "2/hour", raising=False)
    monkeypatch.setattr(AnonFeedbackThrottle, "rate", "2/hour", raising=False)
    complaint = complaint_about(staff=fb_world["people"]["agent1"])
    url = f"{COMPLAINTS}track/{complaint.tracking_code}/"
    assert api_client.get(url, {"phone": "0000"}).status_code == 404
    assert api_client.get(url, {"phone": "0001"}).status_code == 404
    assert error_code(api_client.get(url, {"phone": "5678"}), 429) == "throttled"
    # guessing did not use up the client's allowance for filing
    assert api_client.post(SUGGESTIONS, suggestion_body(fb_world), format="json").status_code == 201


def test_lists_cost_the_same_for_one_row_or_many(fb_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people, tree = fb_world["people"], fb_world["tree"]
    district = client_for(people["district"])

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert district.get(url).status_code == 200
        return len(ctx.captured_queries)

    complaint_about(staff=people["agent1"])
    suggestion_at(tree["c1"])
    queries(COMPLAINTS)  # the requester's scope is computed once, on the first request
    one = (queries(COMPLAINTS), queries(SUGGESTIONS))
    for who in ("agent2", "street", "window"):
        complaint_about(staff=people[who])
    complaint_about(case=fb_world["cases"]["c1"])
    for area in ("c1", "c2", "street"):
        suggestion_at(tree[area])
    assert (queries(COMPLAINTS), queries(SUGGESTIONS)) == one


def test_a_station_filter_needs_a_division_code(fb_world):
    street = client_for(fb_world["people"]["street"])
    assert error_code(street.get(SUGGESTIONS, {"station": "c1"}), 400) == "invalid_area_code"
