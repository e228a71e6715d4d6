"""core.offline under real concurrent connections: ten sends of one client_uuid at once (a
phone retrying on a patchy line) get the one row — one booking routed once and notified once,
one walk-in case opened once, one visit, one attachment, one position — and no 500.

Each thread has its own connection and commits its own transaction; a barrier releases them
together."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from rest_framework.test import APIClient

from appointments.models import Appointment, AppointmentEvent, RoutingDecision
from attachments import services as attachment_services
from attachments.models import Attachment
from cases.models import Case, CaseEvent
from notifications.models import Notification
from people import services as people_services
from people.models import PositionReport
from tests.appointments.test_api import body
from tests.appointments.test_concurrency import run_together
from tests.attachments.conftest import jpeg_with_gps, upload
from tests.cases.test_api import walk_in_body
from tests.factories import client_for
from tests.geo.helpers import point
from tests.worlds.cases import open_walk_in
from visits import services as visit_services
from visits.models import Visit

# serialized_rollback: the flush after a transactional test would also drop what migrations
# seeded (calendar, default working hours, schedules); this restores it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

N = 10


@pytest.fixture(autouse=True)
def _generous_throttles(monkeypatch):
    """The anonymous intake is throttled per address through the shared cache, which
    transactional tests do not empty: ten sends from one test address must all get in."""
    from appointments.api.views import AnonAppointmentThrottle

    monkeypatch.setattr(AnonAppointmentThrottle, "rate", "10000/hour", raising=False)


def _all_ok(outcomes):
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    return [value for _, value in outcomes]


def test_ten_sends_of_one_anonymous_booking_get_one_booking_routed_and_notified_once(
    routed_world,
):
    data = body(client_uuid=str(uuid.uuid4()))

    def send(client):
        response = client.post("/api/v1/appointments/", data, format="json")
        return response.status_code, response.json()

    answers = _all_ok(run_together(send, [(APIClient(),) for _ in range(N)]))
    assert {status for status, _ in answers} == {201}, answers
    assert len({(a["id"], a["tracking_code"]) for _, a in answers}) == 1
    appointment = Appointment.objects.get()
    assert RoutingDecision.objects.filter(appointment=appointment).count() == 1
    assert AppointmentEvent.objects.filter(appointment=appointment).count() == 1
    kinds = list(Notification.objects.values_list("kind", flat=True))
    assert kinds and len(kinds) == len(set(kinds)), kinds  # notified once


def test_ten_sends_of_one_walk_in_open_one_case(case_world):
    agent = case_world["people"]["agent1"]
    data = walk_in_body(client_uuid=str(uuid.uuid4()))

    def send(client):
        response = client.post("/api/v1/cases/", data, format="json")
        return response.status_code, response.json()["id"]

    answers = _all_ok(run_together(send, [(client_for(agent),) for _ in range(N)]))
    assert sorted(status for status, _ in answers) == [200] * (N - 1) + [201], answers
    case = Case.objects.get()
    assert {pk for _, pk in answers} == {case.pk}
    assert CaseEvent.objects.filter(case=case, action="open").count() == 1


def test_ten_sends_of_one_visit_attachment_and_position_store_one_each(
    case_world,
    settings,
    tmp_path,
):
    """The services the phone's offline queue replays, each sent ten times at once."""
    settings.MEDIA_ROOT = tmp_path
    agent = case_world["people"]["agent1"]
    case = open_walk_in(agent)
    keys = {"visit": uuid.uuid4(), "attachment": uuid.uuid4(), "position": uuid.uuid4()}
    recorded_at = timezone.now() - timedelta(minutes=1)
    photo = jpeg_with_gps()

    def visit():
        return visit_services.visit_schedule(
            actor=agent.user, case_id=case.pk, client_uuid=keys["visit"]
        )[0].pk

    def attachment():
        sent = attachment_services.Upload(
            file=upload(photo), kind="document_photo", client_uuid=keys["attachment"]
        )
        return attachment_services.attachment_upload(
            actor=agent.user, upload=sent, case_id=case.pk
        )[0].pk

    def position():
        report = people_services.PositionInput(
            location=point(100, 100),
            accuracy_m=8.0,
            recorded_at=recorded_at,
            client_uuid=keys["position"],
        )
        people_services.positions_record(staff=agent, reports=[report])
        return PositionReport.objects.get(client_uuid=keys["position"]).pk

    for send, model in ((visit, Visit), (attachment, Attachment), (position, PositionReport)):
        pks = _all_ok(run_together(send, [() for _ in range(N)]))
        assert len(set(pks)) == 1 and model.objects.count() == 1, (model, pks)
    assert isinstance(PositionReport.objects.get().location, Point)
