"""Deliveries on the short cluster (ADR 0016): re-run within 30 s of a crash, sent once.

Real threads and transactions for the concurrent runs, a loopback HTTP gateway for the sends,
and real `qcluster` processes for the cluster itself — no mocks."""

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.tasks import async_task

from notifications.models import Notification
from notifications.services import notify
from notifications.tasks import deliver
from tests.conftest import ROOT, run_python
from tests.factories import make_staff

SHORT = django_settings.Q_SHORT_CLUSTER


class SlowGateway(BaseHTTPRequestHandler):
    """An SMS gateway on loopback that holds its answers until the test lets them go (or, with
    `observe` set, calls it as each message arrives and answers at once)."""

    received: list = []
    entered = threading.Event()
    release = threading.Event()
    observe = None

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        SlowGateway.received.append(body)
        SlowGateway.entered.set()
        if SlowGateway.observe is not None:
            SlowGateway.observe(body)
        else:
            SlowGateway.release.wait(timeout=20)
        payload = b'{"code": 0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_gateway(settings):
    SlowGateway.received = []
    SlowGateway.observe = None
    SlowGateway.entered = threading.Event()
    SlowGateway.release = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowGateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SlowGateway.server_url = f"http://127.0.0.1:{server.server_port}/sms"
    settings.NOTIFICATIONS = {
        "BACKENDS": ["notifications.backends.SmsGatewayBackend"],
        "SMS": {"URL": SlowGateway.server_url, "KEY": "k"},
        "PUSH": {},
    }
    yield SlowGateway
    SlowGateway.release.set()
    server.shutdown()


def _in_thread(func, *args):
    """Run func(*args) in a thread of its own (its own database connection and transaction)."""
    outcome = {}

    def run():
        try:
            outcome["value"] = func(*args)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_the_short_cluster_reruns_before_30_s_and_never_while_a_run_may_go_on():
    short = django_settings.Q_CLUSTER["ALT_CLUSTERS"][SHORT]
    assert short["retry"] > short["timeout"]  # a task still running is not handed out again
    assert short["retry"] <= 30  # one interrupted by a crash runs again within 30 s
    # and django-q2 itself reads it so in a process started as the short cluster, under the
    # main cluster's prefix (the salt its task packages are signed with)
    result = run_python(
        "import django, json; django.setup();"
        "from django_q.conf import Conf;"
        "print(json.dumps([Conf.CLUSTER_NAME, Conf.PREFIX, Conf.TIMEOUT, Conf.RETRY]))",
        DJANGO_SETTINGS_MODULE="server.settings.test",
        Q_CLUSTER_NAME=SHORT,
    )
    assert result.returncode == 0, result.stderr
    name, prefix, timeout, retry = json.loads(result.stdout.strip().splitlines()[-1])
    assert name == SHORT and prefix == django_settings.Q_CLUSTER["name"]
    assert (timeout, retry) == (short["timeout"], short["retry"])
    assert "misconfigured" not in result.stderr  # django-q2's own retry/timeout warning


@pytest.mark.django_db
def test_deliveries_are_queued_on_the_short_cluster(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # onto the ORM broker, as in production
    staff = make_staff("agent-q", "agent")
    with transaction.atomic():
        note = notify(user=staff.user, kind="test", title="新预约")
    queued = OrmQ.objects.get()
    assert queued.key == SHORT
    assert queued.task["func"] == "notifications.tasks.deliver"
    assert queued.task["args"] == (note.pk,)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_delivery_run_twice_at_once_sends_once(slow_gateway):
    staff = make_staff("agent-c", "agent", phone="13904270001")
    note = Notification.objects.create(recipient=staff.user, kind="test", title="新预约")
    first, first_outcome = _in_thread(deliver, note.pk)
    assert slow_gateway.entered.wait(timeout=20)  # the first run holds the row, mid-send
    second, second_outcome = _in_thread(deliver, note.pk)
    second.join(timeout=10)
    # the second run neither waited for the first nor sent: it skipped the claimed row
    assert not second.is_alive() and second_outcome == {"value": False}
    slow_gateway.release.set()
    first.join(timeout=20)
    assert first_outcome == {"value": True}
    assert len(slow_gateway.received) == 1
    assert deliver(note.pk) is False  # and a later run finds it delivered
    note.refresh_from_db()
    assert note.delivered_at is not None and note.attempts == 1


def _start_cluster(name: str, **env: str) -> subprocess.Popen:
    db = connection.settings_dict
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "server.settings.test",
            "DATABASE_URL": f"postgis://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "Q_SYNC": "false",
            "Q_CLUSTER_NAME": name,
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stopped with its workers
    )


def _stop(cluster: subprocess.Popen) -> None:
    cluster.terminate()
    try:
        cluster.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(cluster.pid, 9)  # whatever it left behind


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def _delivered(note) -> bool:
    return Notification.objects.filter(pk=note.pk, delivered_at__isnull=False).exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_short_cluster_serves_deliveries_and_takes_them_again_after_30_s(client, slow_gateway):
    staff = make_staff("agent-k", "agent", phone="13904270002")
    waiting = Notification.objects.create(recipient=staff.user, kind="test", title="等了两分钟")
    taken = Notification.objects.create(recipient=staff.user, kind="test", title="被中断")
    for note in (waiting, taken):
        async_task("notifications.tasks.deliver", note.pk, cluster=SHORT, sync=False)
    first, second = OrmQ.objects.filter(key=SHORT).order_by("pk")
    now = timezone.now()
    # queued two minutes ago and never taken: no short cluster is running
    OrmQ.objects.filter(pk=first.pk).update(lock=now - timedelta(minutes=2))
    # taken 25 s ago by a short worker that was then killed: its claim runs out in 5 s (the
    # main cluster's would run for another 155 s)
    OrmQ.objects.filter(pk=second.pk).update(lock=now + timedelta(seconds=5))

    main = _start_cluster(django_settings.Q_CLUSTER["name"])
    short = None
    try:
        # the main cluster reports in but does not serve the short queue: health says so
        def degraded():
            body = client.get("/healthz").json()
            return body["queue"]["clusters"] >= 1 and body.get("unserved") == [SHORT]

        assert _wait_for(degraded, 60), client.get("/healthz").json()
        response = client.get("/healthz")
        assert response.status_code == 503 and response.json()["reason"] == "no_worker"
        assert set(response.json()["queue"]["queues"]) == {django_settings.Q_CLUSTER["name"], SHORT}
        assert not _delivered(waiting) and not _delivered(taken)  # not the main cluster's work

        # the short cluster takes both (the second once its claim ran out) and, while it sends,
        # holds each task's claim for at most 30 s: a crash mid-send is re-run by then
        claims = []

        def claim_of_the_task_being_sent(body):
            claims.append(
                (
                    timezone.now(),
                    list(OrmQ.objects.filter(key=SHORT).values_list("lock", flat=True)),
                )
            )
            connection.close()  # this gateway thread's own connection

        slow_gateway.observe = claim_of_the_task_being_sent
        short = _start_cluster(
            SHORT,
            NOTIFICATION_BACKENDS="notifications.backends.SmsGatewayBackend",
            SMS_GATEWAY_URL=slow_gateway.server_url,
        )
        assert _wait_for(lambda: _delivered(waiting) and _delivered(taken), 60)
        assert len(claims) == 2
        for sent_at, locks in claims:
            assert locks and all(lock <= sent_at + timedelta(seconds=30) for lock in locks)
            assert any(lock > sent_at for lock in locks)  # the one being sent is claimed
        assert _wait_for(lambda: client.get("/healthz").status_code == 200, 30)
    finally:
        slow_gateway.release.set()
        _stop(main)
        if short is not None:
            _stop(short)
    for note in (waiting, taken):
        note.refresh_from_db()
        assert note.attempts == 1  # each sent once
    assert len(slow_gateway.received) == 2
