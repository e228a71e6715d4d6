"""GET /api/v1/audit/resident-id-reads/: who read whose full ID number — administrators and
district staff only (404 for everyone else, like an unknown URL), filtered by person, reader and
time, paged; answers carrying a full ID number or the log say Cache-Control: no-store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from appointments import actions as appointment_actions
from appointments import intake as appointment_intake
from appointments.models import ResidentIdRead
from people.models import Role
from residents import identity
from tests.factories import client_for, make_staff
from tests.geo.helpers import point
from tests.worlds.appointments import NOW, WINDOW

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/resident-id-reads/"
ZHANG = "11010519491231002X"
LI = "110105195001010012"


def appointment_of(resident_id: str, name: str):
    intake = appointment_intake.Intake(
        service_item="MZ-002",
        applicant_name=name,
        applicant_phone="13800001234",
        location=point(100, 100),
        address="一社区 1 号楼",
        channel="web",
        preferred_start=WINDOW[0],
        preferred_end=WINDOW[1],
        resident_id=resident_id,
    )
    a = appointment_intake.appointment_create(actor=None, intake=intake, now=NOW)
    return appointment_actions.appointment_act(
        actor=a.agent.user, appointment_id=a.pk, action="confirm", payload={}
    )


@pytest.fixture
def reads(case_world):
    """agent1 reads 张's number, then manager1 reads 张's and 李's."""
    p = case_world["people"]
    p["admin"] = make_staff("admin", Role.ADMIN, centre=case_world["tree"]["district"].centre)
    zhang, li = appointment_of(ZHANG, "张三"), appointment_of(LI, "李四")
    for reader, appointment in ((p["agent1"], zhang), (p["manager1"], zhang), (p["manager1"], li)):
        response = client_for(reader).get(f"/api/v1/appointments/{appointment.pk}/resident-id/")
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
    return {**p, "zhang": zhang, "li": li}


def error_code(response, status):
    assert response.status_code == status, response.content
    return response.json()["error"]["code"]


@pytest.mark.parametrize("role", ["admin", "district"])
def test_administrators_and_district_staff_read_the_log_newest_first(reads, role):
    response = client_for(reads[role]).get(URL)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = response.json()["results"]
    assert [(r["reader_username"], r["tracking_code"]) for r in rows] == [
        ("manager1", reads["li"].tracking_code),
        ("manager1", reads["zhang"].tracking_code),
        ("agent1", reads["zhang"].tracking_code),
    ]
    first = rows[-1]
    assert first["reader"] == reads["agent1"].user_id
    assert (first["appointment"], first["case"]) == (reads["zhang"].pk, None)
    assert first["resident_id_masked"] == identity.mask(ZHANG) and first["purpose"] == "api"
    assert ZHANG not in response.content.decode()


def test_filters_by_person_reader_and_time(reads):
    client = client_for(reads["district"])

    def readers(query):
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return [r["reader_username"] for r in response.json()["results"]]

    assert readers({"person": ZHANG}) == ["manager1", "agent1"]
    assert readers({"person": ZHANG.lower()}) == ["manager1", "agent1"]  # a lower-case x
    assert readers({"person": identity.lookup_hash(LI)}) == ["manager1"]
    assert readers({"reader": "agent1"}) == ["agent1"]
    assert readers({"person": LI, "reader": "agent1"}) == []
    assert readers({"reader": "nobody"}) == []
    today = timezone.localdate().isoformat()
    assert len(readers({"from": today, "to": today})) == 3
    ResidentIdRead.objects.filter(reader=reads["agent1"].user).update(
        at=timezone.now() - timedelta(days=3)
    )
    assert readers({"from": today}) == ["manager1", "manager1"]
    assert readers({"to": (timezone.now() - timedelta(days=1)).isoformat()}) == ["agent1"]


def test_the_log_is_paged(reads):
    client = client_for(reads["admin"])
    page = client.get(URL, {"page_size": 2}).json()
    assert len(page["results"]) == 2 and page["next"]
    rest = client.get(page["next"]).json()
    assert [r["reader_username"] for r in rest["results"]] == ["agent1"] and not rest["next"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"person": "123"}, "invalid_person"),
        ({"person": "11010519491231002Y"}, "invalid_person"),
        ({"reader": "a b"}, "invalid_reader"),
        ({"reader": "x" * 151}, "invalid_reader"),
        ({"from": "2026-13-01"}, "invalid_datetime"),
        ({"to": "yesterday"}, "invalid_datetime"),
        ({"from": "2026-10-02", "to": "2026-10-01"}, "invalid_range"),
    ],
)
def test_bad_filters_answer_400_with_their_code(reads, query, code):
    assert error_code(client_for(reads["district"]).get(URL, query), 400) == code


@pytest.mark.parametrize(
    "role", ["agent1", "agent2", "manager1", "street", "lead", "supervisor", "window"]
)
def test_every_other_role_finds_nothing_there(reads, role):
    response = client_for(reads[role]).get(URL, {"person": ZHANG})
    assert error_code(response, 404) == "not_found"
    assert client_for(reads[role]).get(URL, {"person": "bad"}).status_code == 404


def test_anonymous_callers_are_refused(reads, api_client):
    assert api_client.get(URL).status_code in (401, 403)


def test_the_full_number_of_a_case_is_not_stored_either(reads):
    response = client_for(reads["agent1"]).post(
        "/api/v1/cases/", {"appointment": reads["zhang"].pk}, format="json"
    )
    assert response.status_code == 201, response.content
    read = client_for(reads["manager1"]).get(f"/api/v1/cases/{response.json()['id']}/resident-id/")
    assert read.json() == {"resident_id": ZHANG} and read["Cache-Control"] == "no-store"
    rows = client_for(reads["admin"]).get(URL, {"person": ZHANG}).json()["results"]
    assert (rows[0]["case"], rows[0]["tracking_code"]) == (
        response.json()["id"],
        reads["zhang"].tracking_code,
    )


def test_the_admin_lists_the_log_read_only(reads, client):
    root = get_user_model().objects.create_superuser("root", password="pw-12345")
    client.force_login(root)
    read = ResidentIdRead.objects.order_by("id").first()
    listing = client.get("/admin/appointments/residentidread/")
    assert listing.status_code == 200 and b"agent1" in listing.content
    assert client.get(f"/admin/appointments/residentidread/{read.pk}/change/").status_code == 200
    assert client.get("/admin/appointments/residentidread/add/").status_code == 403
    assert client.get(f"/admin/appointments/residentidread/{read.pk}/delete/").status_code == 403
