"""core.offline: the replay rule of every client_uuid path. The same request again gets the
first record; another body is `client_uuid_reused` (422) and someone else's UUID
`client_uuid_taken` (409), and neither says anything about the record; an anonymous caller
gets a booking back only by sending the very booking again, and then only its public view."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from appointments.models import Appointment
from attachments.models import Attachment
from cases import services as case_services
from cases.models import Case
from core import offline
from people.models import PositionReport
from tests.appointments.test_api import body
from tests.attachments.conftest import jpeg_with_gps, png_with_text
from tests.attachments.test_api import post
from tests.cases.test_api import walk_in_body
from tests.factories import client_for
from tests.geo.helpers import lonlat, point
from visits.models import Visit

APPOINTMENTS = "/api/v1/appointments/"
PUBLIC_VIEW = {"id", "tracking_code", "status", "routing", "one_time_notice"}


@pytest.fixture(autouse=True)
def _generous_throttles(monkeypatch):
    from appointments.api.views import AnonAppointmentThrottle

    monkeypatch.setattr(AnonAppointmentThrottle, "rate", "10000/hour", raising=False)


def code(response) -> str:
    return response.json()["error"]["code"]


def geojson(x, y) -> dict:
    return {"type": "Point", "coordinates": list(lonlat(x, y))}


def reveals_nothing(response, appointment: Appointment) -> bool:
    text = response.content.decode()
    return not any(
        secret in text
        for secret in (
            appointment.tracking_code,
            appointment.applicant_name,
            appointment.applicant_phone,
            appointment.address,
            "张一",  # agent1, who was routed the booking
        )
    )


# --- the fingerprint -----------------------------------------------------------------------


@dataclass
class Sent:
    name: str
    at: datetime
    client_uuid: uuid.UUID | None = None


def test_the_fingerprint_normalises_what_was_sent_and_leaves_the_uuid_out():
    at = datetime(2026, 10, 9, 9, 0, tzinfo=UTC)
    first = offline.fingerprint(Sent(name="张三", at=at, client_uuid=uuid.uuid4()))
    assert first == offline.fingerprint(
        Sent(name=" 张三 ", at=at.astimezone(timezone.get_fixed_timezone(480)))
    )
    assert first != offline.fingerprint(Sent(name="张三", at=at + timedelta(seconds=1)))
    assert len(first) == offline.FINGERPRINT_LENGTH
    assert offline.fingerprint({"at": point(1, 2)}) == offline.fingerprint(
        {"at": point(1 + 1e-6, 2)}  # far below a phone's precision (1e-6 m)
    )
    with pytest.raises(ValueError):
        offline.fingerprint({"at": datetime(2026, 10, 9, 9, 0)})


def test_the_fingerprint_is_keyed(settings):
    sent = {"resident_id": "11010519491231002X"}
    first = offline.fingerprint(sent)
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert offline.fingerprint(sent) != first


# --- appointments ---------------------------------------------------------------------------


def test_an_anonymous_replay_of_the_same_booking_gets_its_public_view(routed_world):
    data = body(client_uuid=str(uuid.uuid4()))
    first = APIClient().post(APPOINTMENTS, data, format="json")
    # another phone, the same booking: the window sent in UTC, the address with a space
    start = datetime.fromisoformat(data["preferred_start"]).astimezone(UTC).isoformat()
    again = APIClient().post(
        APPOINTMENTS,
        {**data, "preferred_start": start, "address": data["address"] + " "},
        format="json",
    )
    assert (first.status_code, again.status_code) == (201, 201), again.content
    assert set(again.json()) == PUBLIC_VIEW and again.json() == first.json()
    assert Appointment.objects.count() == 1


def test_an_anonymous_replay_with_another_body_reveals_nothing(routed_world):
    key = str(uuid.uuid4())
    APIClient().post(APPOINTMENTS, body(client_uuid=key), format="json")
    booked = Appointment.objects.get()
    for other in (
        {"applicant_name": "李四", "applicant_phone": "13900009999"},
        {"service_item": "NOPE"},  # nonsense bodies too: the replay check comes first
        {"address": "别的地址"},
    ):
        response = APIClient().post(APPOINTMENTS, body(client_uuid=key, **other), format="json")
        assert (response.status_code, code(response)) == (422, "client_uuid_reused")
        assert reveals_nothing(response, booked), response.content
    assert Appointment.objects.count() == 1


def test_a_staff_replay_with_another_body_is_refused(routed_world):
    client = client_for(routed_world["people"]["manager1"])
    key = str(uuid.uuid4())
    first = client.post(APPOINTMENTS, body(client_uuid=key, channel="phone"), format="json")
    again = client.post(APPOINTMENTS, body(client_uuid=key, channel="phone"), format="json")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["id"] == first.json()["id"]
    other = client.post(
        APPOINTMENTS, body(client_uuid=key, channel="phone", notes="换了"), format="json"
    )
    assert (other.status_code, code(other)) == (422, "client_uuid_reused")
    assert Appointment.objects.count() == 1


def test_someone_elses_uuid_is_taken_and_shows_nothing(routed_world):
    key = str(uuid.uuid4())
    APIClient().post(APPOINTMENTS, body(client_uuid=key), format="json")
    anonymous = Appointment.objects.get()
    staff = client_for(routed_world["people"]["manager1"])
    response = staff.post(APPOINTMENTS, body(client_uuid=key, channel="phone"), format="json")
    assert (response.status_code, code(response)) == (409, "client_uuid_taken")
    assert reveals_nothing(response, anonymous)

    key = str(uuid.uuid4())
    staff.post(APPOINTMENTS, body(client_uuid=key, channel="phone"), format="json")
    by_staff = Appointment.objects.get(client_uuid=key)
    response = APIClient().post(APPOINTMENTS, body(client_uuid=key, channel="phone"), format="json")
    assert (response.status_code, code(response)) == (409, "client_uuid_taken")
    assert reveals_nothing(response, by_staff)


def test_a_booking_from_before_fingerprints_is_returned_to_its_staff_owner_only(
    routed_world,
):
    anonymous_key, staff_key = str(uuid.uuid4()), str(uuid.uuid4())
    APIClient().post(APPOINTMENTS, body(client_uuid=anonymous_key), format="json")
    staff = client_for(routed_world["people"]["manager1"])
    staff.post(APPOINTMENTS, body(client_uuid=staff_key, channel="phone"), format="json")
    Appointment.objects.update(client_fingerprint="")
    response = APIClient().post(APPOINTMENTS, body(client_uuid=anonymous_key), format="json")
    assert (response.status_code, code(response)) == (422, "client_uuid_reused")
    again = staff.post(APPOINTMENTS, body(client_uuid=staff_key, channel="phone"), format="json")
    by_staff = Appointment.objects.get(client_uuid=staff_key)
    assert again.status_code == 201 and again.json()["id"] == by_staff.pk


# --- cases, visits, attachments, positions ------------------------------------------------


def test_a_walk_in_replay_matches_what_was_sent_even_after_an_edit(case_world):
    agent = client_for(case_world["people"]["agent1"])
    data = walk_in_body(client_uuid=str(uuid.uuid4()))
    first = agent.post("/api/v1/cases/", data, format="json")
    case = Case.objects.get()
    case_services.case_edit(
        actor=case_world["people"]["agent1"].user,
        case_id=case.pk,
        if_match=str(case.version),
        changes={"description": "补充说明"},
    )
    again = agent.post("/api/v1/cases/", data, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == case.pk
    other = agent.post("/api/v1/cases/", {**data, "applicant_name": "赵六"}, format="json")
    assert (other.status_code, code(other)) == (422, "client_uuid_reused")
    assert Case.objects.count() == 1


def test_a_visit_replay_with_another_time_is_refused(case_world):
    agent = case_world["people"]["agent1"]
    client = client_for(agent)
    case_id = client.post("/api/v1/cases/", walk_in_body(), format="json").json()["id"]
    data = {"case": case_id, "scheduled_for": "2026-12-01T09:30:00+08:00"}
    data["client_uuid"] = str(uuid.uuid4())
    first = client.post("/api/v1/visits/", data, format="json")
    again = client.post(
        "/api/v1/visits/", {**data, "scheduled_for": "2026-12-01T01:30:00Z"}, format="json"
    )
    assert (first.status_code, again.status_code) == (201, 200), again.content
    other = client.post(
        "/api/v1/visits/", {**data, "scheduled_for": "2026-12-02T09:30:00+08:00"}, format="json"
    )
    assert (other.status_code, code(other)) == (422, "client_uuid_reused")
    assert Visit.objects.count() == 1


def test_an_attachment_replay_with_another_photo_or_note_is_refused(case_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agent = client_for(case_world["people"]["agent1"])
    case_id = agent.post("/api/v1/cases/", walk_in_body(), format="json").json()["id"]
    url = f"/api/v1/cases/{case_id}/attachments/"
    key = str(uuid.uuid4())
    photo = jpeg_with_gps()
    assert post(agent, url, photo, client_uuid=key).status_code == 201
    assert post(agent, url, photo, client_uuid=key).status_code == 200
    for other in (
        post(agent, url, png_with_text(), client_uuid=key),
        post(agent, url, photo, client_uuid=key, note="另一张"),
    ):
        assert (other.status_code, code(other)) == (422, "client_uuid_reused")
    assert Attachment.objects.count() == 1


def test_a_position_replay_must_be_the_stored_position(world):
    agent, other_agent = world["people"]["agent1"], world["people"]["agent2"]
    at = (timezone.now() - timedelta(minutes=5)).isoformat()
    key = str(uuid.uuid4())
    report = {"location": geojson(100, 100), "accuracy_m": 10, "recorded_at": at}

    def send(who, *reports):
        return client_for(who).post(
            "/api/v1/me/positions/", {"positions": list(reports)}, format="json"
        )

    assert send(agent, {**report, "client_uuid": key}).status_code == 201
    assert send(agent, {**report, "client_uuid": key, "accuracy_m": 10.0}).status_code == 201
    fresh = {**report, "client_uuid": str(uuid.uuid4())}
    moved = send(agent, fresh, {**report, "client_uuid": key, "accuracy_m": 50})
    assert (moved.status_code, code(moved)) == (422, "client_uuid_reused")
    assert moved.json()["error"]["details"] == {"field": "positions[1].client_uuid"}
    taken = send(other_agent, {**report, "client_uuid": key})
    assert (taken.status_code, code(taken)) == (409, "client_uuid_taken")
    twice = send(agent, fresh, {**fresh, "accuracy_m": 50})  # one batch, two bodies
    assert (twice.status_code, code(twice)) == (422, "client_uuid_reused")
    assert PositionReport.objects.count() == 1  # a refused batch stores none of its positions
