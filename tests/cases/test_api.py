"""The cases API: opening from an appointment or as a walk-in, scoped reads, If-Match edits,
actions over HTTP (JSON and multipart), the receipt, the register, public tracking, and each
role refused where it must be."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from appointments import actions as appointment_actions
from appointments import intake as appointment_intake
from appointments.models import ResidentIdRead
from appointments.models import Status as AppointmentStatus
from cases.models import Case, CaseEvent, RegisterEntry, Status
from tests.appointments.conftest import NOW, WINDOW
from tests.cases.conftest import ALL_PROVIDED, accepted_case, act, open_walk_in
from tests.factories import client_for
from tests.geo.helpers import lonlat, point

pytestmark = pytest.mark.django_db

RESIDENT_ID = "11010519491231002X"


def walk_in_body(**extra):
    return {
        "service_item": "MZ-002",
        "applicant_name": "王五",
        "applicant_phone": "13912345678",
        "address": "一社区 3 号楼",
        "location": {"type": "Point", "coordinates": list(lonlat(100, 100))},
        **extra,
    }


def confirmed_appointment(world):
    intake = appointment_intake.Intake(
        service_item="MZ-002",
        applicant_name="张三",
        applicant_phone="13800001234",
        location=point(100, 100),
        address="一社区 1 号楼",
        channel="web",
        preferred_start=WINDOW[0],
        preferred_end=WINDOW[1],
        resident_id=RESIDENT_ID,
    )
    a = appointment_intake.appointment_create(actor=None, intake=intake, now=NOW)
    assert a.agent == world["people"]["agent1"]
    return appointment_actions.appointment_act(
        actor=a.agent.user, appointment_id=a.pk, action="confirm", payload={}
    )


def test_a_case_opened_from_an_appointment_inherits_its_code_and_owner(case_world):
    p = case_world["people"]
    a = confirmed_appointment(case_world)
    agent = client_for(p["agent1"])
    response = agent.post("/api/v1/cases/", {"appointment": a.pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["tracking_code"] == a.tracking_code
    assert body["origin"] == "appointment" and body["appointment"] == a.pk
    assert body["responsible"]["id"] == p["agent1"].pk
    assert body["resident_id"] == "110105********002X"
    assert response["ETag"] == '"1"'
    a.refresh_from_db()
    assert a.status == AppointmentStatus.IN_CASE
    again = agent.post("/api/v1/cases/", {"appointment": a.pk}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "case_exists")
    other = client_for(p["agent2"]).post("/api/v1/cases/", {"appointment": a.pk}, format="json")
    assert (other.status_code, other.json()["error"]["code"]) == (404, "unknown_appointment")


def test_an_unconfirmed_appointment_cannot_become_a_case(case_world):
    intake = appointment_intake.Intake(
        service_item="MZ-002",
        applicant_name="张三",
        applicant_phone="13800001234",
        location=point(100, 100),
        address="x",
        channel="web",
        preferred_start=WINDOW[0],
        preferred_end=WINDOW[1],
    )
    a = appointment_intake.appointment_create(actor=None, intake=intake, now=NOW)
    response = client_for(case_world["people"]["agent1"]).post(
        "/api/v1/cases/", {"appointment": a.pk}, format="json"
    )
    assert (response.status_code, response.json()["error"]["code"]) == (
        409,
        "appointment_not_confirmed",
    )
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"service_item": "NOPE-1"}, "unknown_service_item"),
        ({"applicant_phone": "12345"}, "invalid_phone"),
        ({"applicant_name": " "}, "name_required"),
        ({"resident_id": "110105194912310021"}, "invalid_resident_id"),
        ({"location": {"type": "Point", "coordinates": [200, 41]}}, "coordinates_out_of_range"),
        ({"location": {"type": "Point", "coordinates": [122, 41]}, "crs": "utm"}, "unknown_crs"),
        ({"checklist": {"id_card": "provided"}}, "incomplete_checklist"),
    ],
)
def test_bad_walk_ins_are_refused_and_nothing_is_stored(case_world, change, code):
    response = client_for(case_world["people"]["agent1"]).post(
        "/api/v1/cases/", walk_in_body(**change), format="json"
    )
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == code
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_who_may_open_cases(case_world):
    p = case_world["people"]
    for who in ("supervisor", "window"):
        response = client_for(p[who]).post("/api/v1/cases/", walk_in_body(), format="json")
        assert (response.status_code, response.json()["error"]["code"]) == (
            403,
            "permission_denied",
        ), who
    assert (
        client_for(p["manager1"]).post("/api/v1/cases/", walk_in_body(), format="json").status_code
        == 201
    )
    assert not Case.objects.filter(responsible=p["supervisor"]).exists()


def test_reads_are_scoped_and_out_of_scope_looks_missing(case_world):
    p = case_world["people"]
    case = accepted_case(case_world)
    sees = {
        "agent1": True,
        "manager1": True,
        "street": True,
        "lead": True,
        "district": True,
        "supervisor": True,
        "agent2": False,
        "manager2": False,
        "window": False,  # not forwarded to the window yet
        "other_window": False,
    }
    for who, visible in sees.items():
        client = client_for(p[who])
        ids = [c["id"] for c in client.get("/api/v1/cases/").json()["results"]]
        assert (case.pk in ids) is visible, who
        detail = client.get(f"/api/v1/cases/{case.pk}/")
        assert detail.status_code == (200 if visible else 404), who
        if not visible:
            assert detail.json()["error"]["code"] == "unknown_case"
            action = client.post(f"/api/v1/cases/{case.pk}/actions/forward/", {}, format="json")
            assert action.status_code == 404, who
    act(p["agent1"], case, "forward")
    window = client_for(p["window"])
    assert window.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert client_for(p["other_window"]).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    # supervisors read but never act
    refused = client_for(p["supervisor"]).post(
        f"/api/v1/cases/{case.pk}/actions/receive/", {}, format="json"
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
    # window staff record window steps but not the agent's
    assert window.post(f"/api/v1/cases/{case.pk}/actions/receive/").status_code == 200
    assert window.post(f"/api/v1/cases/{case.pk}/actions/collect/").status_code == 409
    window.post(f"/api/v1/cases/{case.pk}/actions/result_ready/")
    refused = window.post(f"/api/v1/cases/{case.pk}/actions/collect/")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")


def test_list_filters_and_lights(case_world):
    p = case_world["people"]
    accepted_case(case_world)  # due 9 Oct 2026: red by today's real date
    open_walk_in(p["agent1"])  # consulting: no light
    client = client_for(p["manager1"])
    rows = client.get("/api/v1/cases/").json()["results"]
    assert sorted((r["status"], r["light"]) for r in rows) == [
        ("accepted", "red"),
        ("consulting", None),
    ]
    assert [r["status"] for r in client.get("/api/v1/cases/?light=red").json()["results"]] == [
        "accepted"
    ]
    assert [
        r["light"] for r in client.get("/api/v1/cases/?status=consulting").json()["results"]
    ] == [None]


def test_editing_needs_the_current_version(case_world):
    p = case_world["people"]
    case = open_walk_in(p["agent1"])
    client = client_for(p["agent1"])
    url = f"/api/v1/cases/{case.pk}/"
    missing = client.patch(url, {"address": "二号楼"}, format="json")
    assert (missing.status_code, missing.json()["error"]["code"]) == (428, "if_match_required")
    ok = client.patch(url, {"address": "二号楼"}, format="json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200 and ok.json()["address"] == "二号楼"
    assert ok["ETag"] == '"2"'
    stale = client.patch(url, {"address": "三号楼"}, format="json", HTTP_IF_MATCH='"1"')
    assert (stale.status_code, stale.json()["error"]["code"]) == (412, "stale_version")
    bad = client.patch(url, {"applicant_phone": "1"}, format="json", HTTP_IF_MATCH='"2"')
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_phone")
    case.refresh_from_db()
    assert (case.address, case.version) == ("二号楼", 2)
    outsider = client_for(p["agent2"]).patch(
        url, {"address": "x"}, format="json", HTTP_IF_MATCH='"2"'
    )
    assert outsider.status_code == 404


def test_actions_need_no_if_match_so_an_offline_queue_replays(case_world):
    """A phone queued review then accept offline, both read at version 1: both apply."""
    p = case_world["people"]
    case = open_walk_in(p["agent1"])
    client = client_for(p["agent1"])
    url = f"/api/v1/cases/{case.pk}/actions/"
    review = client.post(
        url + "review/", {"checklist": ALL_PROVIDED}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert review.status_code == 200
    accept = client.post(url + "accept/", {}, format="json", HTTP_IF_MATCH='"1"')
    assert accept.status_code == 200 and accept.json()["status"] == "accepted"
    unknown = client.post(url + "fly/", {}, format="json")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "unknown_action")
    illegal = client.post(url + "accept/", {}, format="json")
    assert (illegal.status_code, illegal.json()["error"]["code"]) == (409, "illegal_transition")


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_return_confirmed_by_a_signature_photo(case_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = case_world["people"]
    case = accepted_case(case_world)
    Case.objects.filter(pk=case.pk).update(status=Status.COLLECTED)
    client = client_for(p["agent1"])
    url = f"/api/v1/cases/{case.pk}/actions/return/"
    fake = io.BytesIO(b"%PDF-1.4 not an image")
    fake.name = "sig.png"
    refused = client.post(url, {"signature": fake}, format="multipart")
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "unsupported_file_type")
    photo = io.BytesIO(_png())
    photo.name = "sig.jpg"  # the name lies; the content decides
    response = client.post(url, {"signature": photo}, format="multipart")
    assert response.status_code == 200, response.json()
    event = response.json()["events"][-1]
    assert event["data"]["confirmed_by"] == "signature"
    assert (tmp_path / event["data"]["signature"]).read_bytes().startswith(b"\x89PNG")


def test_the_receipt_pdf_and_the_register(case_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p = case_world["people"]
    case = accepted_case(case_world)
    pending = open_walk_in(p["agent1"])
    agent = client_for(p["agent1"])
    pdf = agent.get(f"/api/v1/cases/{case.pk}/receipt.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    none = agent.get(f"/api/v1/cases/{pending.pk}/receipt.pdf")
    assert (none.status_code, none.json()["error"]["code"]) == (404, "no_register_entry")
    assert client_for(p["agent2"]).get(f"/api/v1/cases/{case.pk}/receipt.pdf").status_code == 404
    street_code = case_world["tree"]["street"].code
    copies = client_for(p["street"]).get(f"/api/v1/register/?copies_for={street_code}").json()
    assert [c["case"] for c in copies] == [case.tracking_code]
    assert copies[0]["number"] == "2026-00001"
    assert client_for(p["manager2"]).get("/api/v1/register/").json() == []


def test_full_resident_id_reads_are_logged(case_world):
    p = case_world["people"]
    a = confirmed_appointment(case_world)
    case = (
        client_for(p["agent1"]).post("/api/v1/cases/", {"appointment": a.pk}, format="json").json()
    )
    url = f"/api/v1/cases/{case['id']}/resident-id/"
    assert client_for(p["supervisor"]).get(url).status_code == 403
    assert client_for(p["agent2"]).get(url).status_code == 404
    response = client_for(p["manager1"]).get(url)
    assert response.json() == {"resident_id": RESIDENT_ID}
    log = ResidentIdRead.objects.get()
    assert (log.case_id, log.reader_id, log.appointment_id) == (
        case["id"],
        p["manager1"].user_id,
        None,
    )


def test_public_tracking_masks_and_needs_the_phone(case_world, api_client):
    p = case_world["people"]
    case = accepted_case(case_world)
    act(p["agent1"], case, "forward")
    url = f"/api/v1/track/{case.tracking_code}/"
    ok = api_client.get(url + "?phone=5678")
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == "forwarded" and body["applicant"] == "王*"
    assert body["due_date"] == "2026-10-09" and body["light"] == "red"
    assert [t["action"] for t in body["timeline"]] == ["open", "accept", "forward"]
    assert "13912345678" not in ok.content.decode()
    for wrong in ("?phone=1234", "", "?phone=5"):
        refused = api_client.get(url + wrong)
        assert (refused.status_code, refused.json()["error"]["code"]) == (
            404,
            "unknown_tracking_code",
        ), wrong
    assert api_client.get("/api/v1/track/NOSUCHCODE/?phone=5678").status_code == 404


def test_an_appointment_is_tracked_before_it_becomes_a_case(case_world, api_client):
    a = confirmed_appointment(case_world)
    body = api_client.get(f"/api/v1/track/{a.tracking_code}/?phone=1234").json()
    assert (body["kind"], body["status"], body["agent"]) == ("appointment", "confirmed", "张一")


def test_open_cases_count_towards_the_agents_cap(case_world, settings):
    from appointments.selectors import open_work

    agent = case_world["people"]["agent1"]
    accepted_case(case_world)
    open_walk_in(agent)
    closed = accepted_case(case_world)
    Case.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    assert open_work([agent.pk]) == {agent.pk: 2}
    assert RegisterEntry.objects.count() == 2


def test_an_offline_phone_replays_a_case_and_names_its_appointment_by_client_uuid(case_world):
    import uuid

    p = case_world["people"]
    agent = client_for(p["agent1"])
    booking = {
        "service_item": "MZ-002",
        "applicant_name": "张三",
        "applicant_phone": "13800001234",
        "location": {"type": "Point", "coordinates": list(lonlat(100, 100))},
        "address": "一社区 1 号楼",
        "channel": "app",  # taken in person: first inquiry, confirmed at once
        "client_uuid": str(uuid.uuid4()),
    }
    assert agent.post("/api/v1/appointments/", booking, format="json").status_code == 201
    body = {"appointment_client_uuid": booking["client_uuid"], "client_uuid": str(uuid.uuid4())}
    first = agent.post("/api/v1/cases/", body, format="json")
    assert first.status_code == 201, first.json()
    again = agent.post("/api/v1/cases/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1
    taken = client_for(p["manager1"]).post(
        "/api/v1/cases/", {**walk_in_body(), "client_uuid": body["client_uuid"]}, format="json"
    )
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "client_uuid_taken")
    unknown = agent.post(
        "/api/v1/cases/", {"appointment_client_uuid": str(uuid.uuid4())}, format="json"
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "unknown_appointment")


def test_full_width_digits_from_a_chinese_keyboard_are_digits(case_world, api_client):
    case = accepted_case(case_world)
    url = f"/api/v1/track/{case.tracking_code}/"
    assert api_client.get(url + "?phone=５６７８").status_code == 200
    odd = api_client.get(url + "?phone=%F1%BC%A9%B5%27%C2%81w%3B")
    assert (odd.status_code, odd.json()["error"]["code"]) == (404, "unknown_tracking_code")
    Case.objects.filter(pk=case.pk).update(status=Status.COLLECTED)
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in case.return_code)
    act(case_world["people"]["agent1"], case, "return", return_code=full_width)
    case.refresh_from_db()
    assert case.status == Status.RETURNED
