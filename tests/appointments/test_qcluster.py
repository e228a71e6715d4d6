"""The confirm-timeout chain through real `qcluster` processes (the main cluster and the short
one) and the ORM broker, down to the new agent's notification delivered."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django_q.tasks import async_task

from appointments import intake as appointment_intake
from appointments.models import AppointmentEvent, Status
from notifications.models import Notification
from tests.appointments.conftest import NOW
from tests.appointments.helpers import intake
from tests.conftest import ROOT

# a qcluster process reads committed rows; serialized_rollback: routing needs the seeded working
# hours and calendar
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_timeout_reroutes_through_a_real_worker(routed_world):
    a = appointment_intake.appointment_create(actor=None, intake=intake(), now=NOW)
    assert a.agent.user.username == "agent1"  # its deadline (October) has passed by the real clock
    db = connection.settings_dict
    url = f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "server.settings.test",
        "DATABASE_URL": url,
        "Q_SYNC": "false",
    }
    # the main cluster re-routes; the short one (ADR 0016) delivers what that queued
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env={**env, "Q_CLUSTER_NAME": name},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name in (settings.Q_CLUSTER["name"], settings.Q_SHORT_CLUSTER)
    ]
    try:
        async_task("appointments.tasks.expire_confirmations", sync=False)  # onto the ORM broker
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Notification.objects.filter(
                recipient__username="agent3", kind="appointment_routed", delivered_at__isnull=False
            ).exists():
                break
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
    a.refresh_from_db()
    assert AppointmentEvent.objects.filter(appointment=a, action="timeout").count() == 1
    assert a.status == Status.AWAITING and a.agent.user.username == "agent3"
    # the new agent's notification, queued by the worker's re-route, delivered by the short one
    routed = Notification.objects.get(recipient__username="agent3", kind="appointment_routed")
    assert routed.delivered_at is not None and routed.attempts == 1
