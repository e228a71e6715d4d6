"""Routing rules and fallbacks on constructed geometry (tests/geo/helpers.py)."""

import io
from datetime import datetime, timedelta

import psycopg
import pytest
from django.db import connection

from appointments import backlog as appointment_backlog
from appointments import routing
from appointments import sweeps as appointment_sweeps
from appointments.models import Appointment, AppointmentEvent, RoutingDecision, Status
from core.errors import ApplicationError
from geo import services as geo_services
from geo.hooks import EditReport
from notifications.models import Notification
from people.models import Leave
from tests.appointments.conftest import NOW, SH, WINDOW, future_window
from tests.appointments.helpers import book
from tests.geo.helpers import rect


def test_primary_of_the_covering_grid(routed_world):
    a = book(x=100, y=100)
    assert a.status == Status.AWAITING
    assert a.agent.user.username == "agent1"
    assert a.routing["rule"] == "grid_member" and a.routing["grid"] == "A"
    assert a.grid.code == "A" and not a.outside_coverage
    outcomes = {c["name"]: c["outcome"] for c in a.routing["candidates"]}
    assert outcomes["张一"] == "chosen"
    assert outcomes["孙三"] == "ranked_lower"  # the backup, behind the primary
    assert a.confirm_deadline > NOW
    assert RoutingDecision.objects.get(appointment=a).rule == "grid_member"
    assert Notification.objects.filter(recipient=a.agent.user, kind="appointment_routed").exists()


def test_backup_when_the_primary_is_on_leave(routed_world):
    Leave.objects.create(
        staff=routed_world["people"]["agent1"], start=NOW, end=NOW + timedelta(days=3)
    )
    a = book()
    assert a.agent.user.username == "agent3"
    assert {c["name"]: c["outcome"] for c in a.routing["candidates"]}[
        "张一"
    ] == "not_working_in_window"


def test_community_member_when_the_grid_has_nobody(routed_world):
    from people.models import GridAssignment
    from tests.factories import make_staff

    b_agent = make_staff(
        "agentB", "agent", centre=routed_world["tree"]["c1"].centre, full_name="钱B"
    )
    GridAssignment.objects.filter(grid__code="B").delete()
    GridAssignment.objects.create(
        grid=routed_world["grids"]["B"], staff=b_agent, kind="primary", valid_from=NOW.date()
    )
    for name in ("agent1", "agent3"):
        Leave.objects.create(
            staff=routed_world["people"][name], start=NOW, end=NOW + timedelta(days=3)
        )
    a = book()
    assert a.routing["rule"] == "community_member"
    assert a.agent == b_agent and a.routing["grid"] == "A"


def test_station_queue_and_the_manager_is_told(routed_world):
    for name in ("agent1", "agent3"):
        Leave.objects.create(
            staff=routed_world["people"][name], start=NOW, end=NOW + timedelta(days=3)
        )
    a = book()
    assert a.status == Status.UNROUTED
    assert a.routing["rule"] == "station_queue"
    assert a.queue_centre == routed_world["tree"]["c1"].centre
    assert Notification.objects.filter(
        recipient=routed_world["people"]["manager1"].user, kind="appointment_unrouted"
    ).exists()


def test_a_point_in_no_grid_takes_the_nearest_grid_flagged(routed_world, settings):
    geo_services.grid_update(grid=routed_world["grids"]["C"], boundary=rect(1200, 0, 2000, 1000))
    a = book(x=1150, y=500)  # in C2, 50 m west of grid C (150 m from B)
    assert a.routing["grid"] == "C" and a.outside_coverage is True
    assert a.agent.user.username == "agent2"


def test_a_booking_outside_coverage_is_routed_once_and_stays(routed_world):
    geo_services.grid_update(grid=routed_world["grids"]["C"], boundary=rect(1200, 0, 2000, 1000))
    a = book(x=1150, y=500)  # 50 m west of grid C: routed to C, outside coverage
    deadline = a.confirm_deadline
    for minute in range(3):  # the sweep runs every minute
        assert appointment_sweeps.reroute_affected(now=NOW + timedelta(minutes=minute)) == 0
    a.refresh_from_db()
    assert a.agent.user.username == "agent2" and a.confirm_deadline == deadline
    assert RoutingDecision.objects.filter(appointment=a).count() == 1
    assert not AppointmentEvent.objects.filter(appointment=a, action="reroute").exists()
    assert (
        Notification.objects.filter(kind="appointment_routed", data__appointment=a.pk).count() == 1
    )


def test_an_outside_booking_is_rerouted_when_a_grid_comes_to_cover_it(routed_world):
    geo_services.grid_update(grid=routed_world["grids"]["C"], boundary=rect(1200, 0, 2000, 1000))
    a = book(x=1150, y=500)
    # the edit re-routes it in its own transaction (geo.hooks), not only at the next sweep
    report = EditReport()
    geo_services.grid_update(
        grid=routed_world["grids"]["C"], boundary=rect(1100, 0, 2000, 1000), report=report
    )
    assert [r["appointment"] for r in report.rerouted] == [a.tracking_code]
    assert report.rerouted[0]["reason"] == "grid_changed"
    a.refresh_from_db()
    assert a.routing["grid"] == "C" and a.outside_coverage is False
    assert appointment_sweeps.reroute_affected(now=NOW) == 0


def test_community_and_district_queues_beyond_range(routed_world, settings):
    settings.GEO = {**settings.GEO, "NEAREST_GRID_MAX_M": 50}
    geo_services.grid_retire(grid=routed_world["grids"]["C"], reason="test")
    a = book(x=1600, y=500)
    assert a.status == Status.UNROUTED and a.routing["rule"] == "community_queue"
    assert a.queue_centre == routed_world["tree"]["c2"].centre
    # widen the district and street so a point lies in them but in no community
    tree = routed_world["tree"]
    geo_services.area_upsert(
        code=tree["district"].code,
        name="测试区",
        level="district",
        kind="district",
        parent=None,
        boundary=rect(0, 0, 3000, 1000),
    )
    geo_services.area_upsert(
        code=tree["street"].code,
        name="测试街道",
        level="street",
        kind="street",
        parent=tree["district"],
        boundary=rect(0, 0, 3000, 1000),
    )
    b = book(x=2600, y=500)
    assert b.routing["rule"] == "district_queue" and b.queue_centre == tree["district"].centre


def test_outside_the_service_area_is_refused(routed_world):
    with pytest.raises(ApplicationError, match="不在本区服务范围内") as info:
        book(x=90_000, y=90_000)
    assert info.value.code == "outside_service_area"
    assert Appointment.objects.count() == 0


def test_first_inquiry_is_owned_and_not_routed(routed_world):
    agent2 = routed_world["people"]["agent2"]
    a = book(actor=agent2.user, x=100, y=100, channel="app")  # in grid A, not agent2's
    assert a.status == Status.CONFIRMED and a.first_inquiry
    assert a.agent == agent2 and a.routing["rule"] == "first_inquiry"
    assert AppointmentEvent.objects.filter(appointment=a, action="first_inquiry").exists()


def test_a_night_booking_for_the_next_day(routed_world):
    night = datetime(2026, 10, 8, 23, 0, tzinfo=SH)
    a = book(now=night)  # window: Friday 9–11
    assert a.agent.user.username == "agent1"
    # the answer is due within 30 minutes of the agent's working time: Friday 09:00
    assert a.confirm_deadline == datetime(2026, 10, 9, 9, 0, tzinfo=SH)


def test_no_window_means_the_next_working_period(routed_world):
    saturday_night = datetime(2026, 10, 3, 22, 0, tzinfo=SH)  # National Day holiday
    a = book(now=saturday_night, window=None)
    assert a.status == Status.AWAITING  # available in the next working period (8 October)


def test_gcj02_input_near_a_boundary_lands_in_the_right_grid(routed_world, api_client):
    from core import coords
    from tests.geo.helpers import lonlat

    lon, lat = coords.wgs84_to_gcj02(*lonlat(480, 500))  # 20 m west of the A|B edge
    body = {
        "service_item": "MZ-001",
        "applicant_name": "张三",
        "applicant_phone": "13800001234",
        "location": {"type": "Point", "coordinates": [lon, lat]},
        "crs": "gcj02",
        "address": "x",
        "channel": "web",
        "preferred_start": future_window()[0].isoformat(),
        "preferred_end": future_window()[1].isoformat(),
    }
    response = api_client.post("/api/v1/appointments/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["routing"]["grid"] == "A"
    a = Appointment.objects.get()
    assert abs(a.location.x - lonlat(480, 500)[0]) < 1e-7


def test_the_ranking_is_set_based(routed_world):
    from appointments import routing

    requests = [
        routing.Request(i, *point_lonlat, *WINDOW)
        for i, point_lonlat in enumerate(
            [(121.0012, 40.0045), (121.0088, 40.0045), (121.0175, 40.0045)], start=1
        )
    ]
    ranked = routing.rank(requests)
    assert [ranked[i].grid for i in (1, 2, 3)] == ["A", "B", "C"]
    single = routing.rank(requests[:1])
    assert [c.staff_id for c in single[1].candidates] == [c.staff_id for c in ranked[1].candidates]


def test_reroute_after_a_grid_split(routed_world):
    a = book()
    assert a.agent.user.username == "agent1"
    report = EditReport()
    geo_services.grid_split(
        grid=routed_world["grids"]["A"],
        parts=[
            geo_services.GridPart(code="A1", name="A1", boundary=rect(0, 500, 500, 1000)),
            geo_services.GridPart(code="A2", name="A2", boundary=rect(0, 0, 500, 500)),
        ],
        report=report,
    )
    # routed again inside the split's transaction; the old grid's assignments ended with it
    assert len(report.rerouted) == 1
    assert report.assignments_ended == 2
    assert appointment_sweeps.reroute_affected(now=NOW) == 0
    a.refresh_from_db()
    event = AppointmentEvent.objects.filter(appointment=a, action="reroute").get()
    assert event.data["why"] == "grid_retired"
    # A1 has no agents yet: the community's other grid (B: agent1 backup) takes it
    assert a.routing["grid"] == "A2" and a.routing["rule"] == "community_member"
    assert appointment_sweeps.reroute_affected(now=NOW) == 0  # nothing left to do


def test_reroute_when_the_agent_is_deactivated(routed_world):
    a = book()
    agent1 = routed_world["people"]["agent1"]
    agent1.active = False
    agent1.save()
    appointment_sweeps.reroute_affected(now=NOW)
    a.refresh_from_db()
    assert a.agent.user.username == "agent3"
    assert (
        AppointmentEvent.objects.get(appointment=a, action="reroute").data["why"]
        == "agent_inactive"
    )


def test_a_backlog_is_routed_in_batches_within_caps(routed_world, settings):
    from appointments.models import Appointment
    from tests.appointments.helpers import queue_backlog

    settings.PEOPLE = {**settings.PEOPLE, "OPEN_WORK_CAP": 3}
    queue_backlog(9)
    assert (
        appointment_backlog.route_queued(batch_size=4, now=NOW) == 6
    )  # two agents on A, three each
    loads = {}
    for a in Appointment.objects.filter(status=Status.AWAITING):
        loads[a.agent.user.username] = loads.get(a.agent.user.username, 0) + 1
        assert a.confirm_deadline is not None and a.routing["rule"] == "grid_member"
    assert loads == {"agent1": 3, "agent3": 3}
    assert (
        Appointment.objects.filter(status=Status.UNROUTED, routing__rule="station_queue").count()
        == 3
    )
    assert appointment_backlog.route_queued(now=NOW) == 0  # nothing left


def test_the_route_queued_command_routes_the_backlog(routed_world):
    from django.core.management import call_command

    from tests.appointments.helpers import queue_backlog

    queue_backlog(2)
    out = io.StringIO()
    call_command("route_queued", "--batch-size", "1", stdout=out)
    assert out.getvalue().strip() == "2 appointments routed to an agent"
    assert not Appointment.objects.filter(status=Status.UNROUTED).exists()


def test_backlog_workers_refuse_to_run_inside_a_transaction(routed_world):
    # their connections could not see the caller's uncommitted rows
    with pytest.raises(RuntimeError):
        appointment_backlog.route_queued(now=NOW, workers=2)


# it closes and reopens the connection with other options, so its rows must be committed;
# serialized_rollback: routing needs the seeded working hours and calendar
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ranking_over_a_client_side_binding_connection(routed_world):
    """DB_PREPARE_THRESHOLD=none (a transaction-mode pooler) binds on the client, which takes no
    binary parameters: the ranking passes text there, one appointment or many."""
    options = connection.settings_dict["OPTIONS"]
    saved = dict(options)
    connection.close()
    options.update(server_side_binding=False, prepare_threshold=None)
    try:
        with connection.cursor() as cursor:
            assert isinstance(cursor.cursor, psycopg.ClientCursor)
        location = book(x=100, y=100).location
        requests = [
            routing.Request(k, location.x, location.y, *WINDOW, frozenset(excluded))
            for k, excluded in ((1, ()), (2, (routed_world["people"]["agent1"].pk,)))
        ]
        one = routing.rank(requests[:1])[1]
        many = routing.rank(requests)
        assert [c.name for c in one.candidates] == [c.name for c in many[1].candidates]
        assert one.candidates[0].name == "张一"
        assert next(c for c in many[2].candidates if c.eligible).name == "孙三"
    finally:
        connection.close()
        options.clear()
        options.update(saved)
