"""A world for the fuzzer: the cases world, agent1 signed in on a device, and one of each thing
the generated requests can name (an appointment, an accepted case, a visit, a notification, a
complaint and a suggestion), so that some generated ids and codes exist.

`known` lists those ids and codes; the schemathesis hooks of test_schemathesis.py draw from it.
Throttles and the failed-login brake count in the cache: it is emptied before every request.

schemathesis calls Django's real WSGI handler, whose request signals close the database
connection when it is inside a transaction — the test's. Django's test client unhooks
`close_old_connections` from them around each request; the fuzz tests do so for their run.
"""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from accounts import services as account_services
from appointments import intake as appointment_intake
from feedback import services as feedback_services
from notifications.models import Notification
from tests.geo.helpers import lonlat, point
from tests.worlds.cases import accepted_case
from tests.worlds.stack import world_fixture
from visits.models import Visit

PASSWORD = "pw-12345"  # tests/factories.make_staff's


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@world_fixture
def fuzz_world(case_world):
    p, tree = case_world["people"], case_world["tree"]
    agent = p["agent1"]
    appointment = appointment_intake.appointment_create(
        actor=agent.user,
        intake=appointment_intake.Intake(
            service_item="MZ-002",
            applicant_name="赵六",
            applicant_phone="13700001111",
            location=point(100, 100),
            address="一社区 1 号楼",
            channel="app",
            resident_id="11010519491231002X",
        ),
    )
    case = accepted_case(case_world, resident_id="11010519491231002X")
    visit = Visit.objects.create(appointment=appointment, agent=agent, created_by=agent.user)
    notification = Notification.objects.create(
        recipient=agent.user, kind="fuzz", title="通知", body="测试"
    )
    complaint = feedback_services.complaint_create(
        actor=None,
        staff_id=agent.pk,
        case_code=case.tracking_code,
        complainant_name="陈投诉",
        complainant_phone="13912345678",
        text="上门服务迟到两个小时。",
    )
    feedback_services.suggestion_create(
        station_code=tree["c1"].code, text="希望周六上午也能受理。", name="", phone=""
    )
    _, token = account_services.login_with_password(
        identifier=agent.user.username, password=PASSWORD, device="fuzz"
    )
    stations = [tree["c1"].code, tree["c2"].code]
    case_world["known"] = {
        "appointment": [appointment.pk],
        "case": [case.pk],
        "visit": [visit.pk],
        "notification": [notification.pk],
        "staff": [s.pk for s in p.values()],
        "area": [tree[name].code for name in ("district", "street", "c1", "c2")],
        "station": stations,
        "grid": list(case_world["grids"]),
        "service_item": ["MZ-002"],
        "tracking_code": [appointment.tracking_code, case.tracking_code],
        "complaint_code": [complaint.tracking_code],
        "phone": ["1111", "5678"],
        "lonlat": [list(lonlat(100, 100)), list(lonlat(1500, 500))],
    }
    case_world["agent_headers"] = {"Authorization": f"Token {token}"}
    return case_world
