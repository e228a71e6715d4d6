"""Under real concurrent connections to PostGIS: caps hold, nothing is lost, one confirm wins."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from appointments import actions as appointment_actions
from appointments import backlog as appointment_backlog
from appointments import intake as appointment_intake
from appointments import sweeps as appointment_sweeps
from appointments.models import Appointment, Status
from people.models import Leave
from tests.appointments.conftest import NOW
from tests.appointments.helpers import intake

# serialized_rollback: the flush after a transactional test would also drop what migrations
# seeded (calendar, default working hours); this restores it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_together(fn, args_list):
    barrier = threading.Barrier(len(args_list))
    outcomes = [None] * len(args_list)

    def worker(i, args):
        try:
            barrier.wait()
            outcomes[i] = ("ok", fn(*args))
        except Exception as exc:
            outcomes[i] = ("error", getattr(exc, "code", repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_many_bookings_at_once_never_exceed_a_cap_or_get_lost(routed_world, settings):
    settings.PEOPLE = {**settings.PEOPLE, "OPEN_WORK_CAP": 2}
    outcomes = run_together(
        lambda i: (
            appointment_intake.appointment_create(
                actor=None, intake=intake(100 + i, 100), now=NOW
            ).pk
        ),
        [(i,) for i in range(8)],
    )
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert Appointment.objects.count() == 8
    loads = {}
    for a in Appointment.objects.filter(status=Status.AWAITING):
        loads[a.agent_id] = loads.get(a.agent_id, 0) + 1
    assert all(n <= 2 for n in loads.values()), loads
    assert sum(loads.values()) == 4  # two agents on grid A, two each; the rest queued
    assert Appointment.objects.filter(status=Status.UNROUTED).count() == 4


def test_two_agents_confirm_one_queued_appointment_exactly_one_wins(routed_world):
    for name in ("agent1", "agent3"):
        Leave.objects.create(
            staff=routed_world["people"][name], start=NOW, end=NOW + timedelta(days=3)
        )
    a = appointment_intake.appointment_create(actor=None, intake=intake(), now=NOW)
    assert a.status == Status.UNROUTED
    Leave.objects.all().delete()
    users = [routed_world["people"]["agent1"].user, routed_world["people"]["agent3"].user]
    outcomes = run_together(
        lambda user: (
            appointment_actions.appointment_act(
                actor=user, appointment_id=a.pk, action="confirm", payload={}
            ).agent_id
        ),
        [(u,) for u in users],
    )
    assert sorted(kind for kind, _ in outcomes) == ["error", "ok"], outcomes
    assert [v for kind, v in outcomes if kind == "error"] == ["illegal_transition"]
    a.refresh_from_db()
    assert a.status == Status.CONFIRMED


def test_the_timeout_task_run_twice_at_once_acts_once(routed_world):
    a = appointment_intake.appointment_create(actor=None, intake=intake(), now=NOW)
    late = a.confirm_deadline + timedelta(minutes=1)
    outcomes = run_together(lambda: appointment_sweeps.expire_confirmations(now=late), [(), ()])
    assert sorted(v for _, v in outcomes) == [0, 1]
    assert a.events.filter(action="timeout").count() == 1


def test_a_backlog_routed_by_two_worker_processes_keeps_caps_and_loses_nothing(
    routed_world, settings
):
    """route_queued(workers=2): two forked processes, each its own connection, take batches
    side by side (SKIP LOCKED); caps are counted under the agents' row locks."""
    from tests.appointments.helpers import queue_backlog

    settings.PEOPLE = {**settings.PEOPLE, "OPEN_WORK_CAP": 3}
    queue_backlog(12, prefix="PAR")  # committed: this is a transactional test
    routed = appointment_backlog.route_queued(batch_size=2, now=NOW, workers=2)
    connection.close()  # the children's writes are committed; read them afresh
    loads = {}
    for a in Appointment.objects.filter(status=Status.AWAITING):
        loads[a.agent_id] = loads.get(a.agent_id, 0) + 1
    assert routed == sum(loads.values()) == 6 and all(n <= 3 for n in loads.values()), loads
    assert Appointment.objects.filter(status=Status.UNROUTED, routed_at__isnull=True).count() == 0
    assert Appointment.objects.count() == 12
