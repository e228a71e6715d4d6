"""The production layout under test (issue 21): nginx → two gunicorn nodes → primary and a
streaming replica, Redis, two django-q2 clusters — real processes, some of them killed.

Order matters: the last tests kill a web node and stop the replica."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest

from .conftest import ROOT, TRACK_LIMIT, booking, eventually, marker

pytestmark = pytest.mark.slow

DESK = "s211102002"  # street centre staff: books for residents
AGENT = "a211102002005-1"
SUPERVISOR = "supervisor"
CHECKLIST = {
    "id_card": "provided",
    "hukou": "provided",
    "bank_card": "provided",
    "application": "provided",
}


def book(cluster, name, key=None, **kw):
    return cluster.call(
        "POST",
        "/api/v1/appointments/",
        booking(name),
        token=cluster.token(DESK),
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
        **kw,
    )


def stored(cluster, name) -> int:
    return cluster.scalar(
        "SELECT count(*) FROM appointments_appointment WHERE applicant_name = %s", (name,)
    )


def test_bookings_and_case_actions_are_stored_once_and_seen_through_either_node(cluster):
    desk = cluster.token(DESK)
    for _ in range(4):
        name, key = marker(), uuid.uuid4().hex
        first = book(cluster, name, key)
        assert first.status == 201, first.body
        again = book(cluster, name, key)  # the phone never heard the answer: same key again
        assert again.status == 201 and again.json()["id"] == first.json()["id"]
        assert stored(cluster, name) == 1
        for port in cluster.web_ports:
            seen = cluster.call(
                "GET", f"/api/v1/appointments/{first.json()['id']}/", token=desk, port=port
            )
            assert seen.status == 200 and seen.json()["applicant_name"] == name

    agent = cluster.token(AGENT)
    listing = cluster.call("GET", "/api/v1/cases/?status=consulting", token=agent).json()
    case = next(c for c in listing["results"] if c["status"] == "consulting")
    key = uuid.uuid4().hex
    answers = [
        cluster.call(
            "POST",
            f"/api/v1/cases/{case['id']}/actions/review/",
            {"checklist": CHECKLIST},
            token=agent,
            headers={"Idempotency-Key": key, "If-Match": f'"{case["version"]}"'},
        )
        for _ in range(2)
    ]
    assert [a.status for a in answers] == [200, 200], answers[0].body
    assert answers[0].json() == answers[1].json()
    for port in cluster.web_ports:
        detail = cluster.call("GET", f"/api/v1/cases/{case['id']}/", token=agent, port=port)
        assert [e["action"] for e in detail.json()["events"]].count("review") == 1


def test_a_writer_never_reads_older_data_even_with_replay_paused(cluster):
    desk = cluster.token(DESK)
    supervisor = cluster.token(SUPERVISOR)
    with cluster.replica() as replica:
        replica.execute("SELECT pg_wal_replay_pause()")
        try:
            routes = []
            for _ in range(5):
                name = marker()
                assert book(cluster, name).status == 201
                # the list is a replica path; the writer's own write is not replayed there
                listing = cluster.call("GET", "/api/v1/appointments/?page_size=200", token=desk)
                assert listing.status == 200
                assert name in [a["applicant_name"] for a in listing.json()["results"]]
                routes.append(listing.route)
            assert set(routes) == {"default"}

            # someone who wrote nothing may read the paused replica until it lags past the limit
            # (3 s here); then nobody is sent there, and /healthz says so
            def lagging():
                health = cluster.call("GET", "/healthz").json()
                return health.get("replicas_degraded") == ["replica1"] and health

            health = eventually(lagging, timeout=20, message="the paused replica never lagged")
            assert health["replicas"]["replica1"]["state"] == "lagging"
            assert cluster.call("GET", "/healthz").status == 200
            time.sleep(1.5)  # every process has checked again (each at most once a second)
            for _ in range(4):  # each node's each worker
                stats = cluster.call("GET", "/api/v1/stats/?level=street", token=supervisor)
                assert stats.status == 200
                assert stats.route_reason == "default; replica_lagging"
        finally:
            replica.execute("SELECT pg_wal_replay_resume()")
    # caught up: the writer's reads go back to the replica
    eventually(
        lambda: cluster.call("GET", "/api/v1/appointments/", token=desk).route == "replica1",
        timeout=20,
        message="the writer never went back to the replica",
    )


def test_tiles_and_stats_are_served_by_the_replica_when_it_has_caught_up(cluster):
    supervisor = cluster.token(SUPERVISOR)
    with cluster.replica() as replica:
        before = replica.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]
    for path in (
        "/api/v1/stats/?level=street",
        "/api/v1/tiles/grids/14/13745/6129.pbf",
        "/api/v1/tiles/areas/12/3436/1532.pbf",
        "/board/211102002005/",
    ):
        # just after the replay paused by the test before resumed, the replica may still be
        # catching up, and each process holds its last check up to a second: until every
        # node's every worker sends it there
        def on_replica(path=path):
            answers = [
                cluster.call("GET", path, token=supervisor, headers={"Accept": "*/*"})
                for _ in range(4)
            ]
            assert all(a.status in (200, 204) for a in answers), (path, answers[0].status)
            return all(a.route_reason == "replica1; replica" for a in answers)

        eventually(on_replica, timeout=30, message=f"{path} never served by the replica")
    with cluster.replica() as replica:
        after = replica.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]
    assert after > before  # the replica really answered (statistics counted on the replica)


def test_behind_nginx_clients_are_counted_apart_and_forged_addresses_ignored(cluster):
    def track(source, forged=None):
        headers = {"X-Forwarded-For": forged} if forged else {}
        code = uuid.uuid4().hex[:10].upper()  # a new code each time: never its lockout
        return cluster.call(
            "GET", f"/api/v1/track/{code}/?phone=1234", source=source, headers=headers
        ).status

    first = [track("127.0.0.2") for _ in range(TRACK_LIMIT + 1)]
    assert 429 not in first[:TRACK_LIMIT] and first[-1] == 429
    assert track("127.0.0.3") != 429  # another client: its own count
    # a client that makes up X-Forwarded-For each time is still counted by its real address
    forged = [track("127.0.0.4", forged=f"10.9.{i}.{i}") for i in range(TRACK_LIMIT + 1)]
    assert 429 not in forged[:TRACK_LIMIT] and forged[-1] == 429


def test_the_public_throttle_holds_across_both_nodes(cluster):
    # what nginx would pass on for one client, sent to each node in turn
    statuses = []
    for i in range(TRACK_LIMIT + 2):
        port = cluster.web_ports[i % 2]
        code = uuid.uuid4().hex[:10].upper()
        statuses.append(
            cluster.call(
                "GET",
                f"/api/v1/track/{code}/?phone=1234",
                port=port,
                headers={"X-Forwarded-For": "10.20.30.40"},
            ).status
        )
    assert 429 not in statuses[:TRACK_LIMIT]
    assert statuses[TRACK_LIMIT:] == [429, 429]  # refused on both nodes


def test_a_worker_killed_mid_task_every_task_completes_exactly_once(cluster):
    from .tasks import TABLES

    with cluster.primary() as conn:
        conn.execute(TABLES)
    keys = [f"k{i}-{uuid.uuid4().hex[:6]}" for i in range(8)]
    enqueue = (
        "import django, json, sys; django.setup()\n"
        "from django.db import transaction\n"
        "from core.tasks import enqueue_on_commit\n"
        "with transaction.atomic():\n"
        "    for key in json.loads(sys.argv[1]):\n"
        "        enqueue_on_commit('tests.cluster.tasks.record', key, 3, short=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", enqueue, json.dumps(keys)],
        cwd=ROOT,
        env=cluster.env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # a worker process is in the middle of one (started, its effect not committed): kill it -9
    running = eventually(
        lambda: cluster.scalar(
            "SELECT s.key || ' ' || s.pid FROM cluster_test_started s WHERE s.key = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM cluster_test_effect e WHERE e.key = s.key) LIMIT 1",
            (keys,),
        ),
        timeout=30,
        message="no worker started a task",
    )
    victim_key, victim_pid = running.split()
    os.kill(int(victim_pid), signal.SIGKILL)
    # the short queue hands the claimed task out again after its 30 s `retry`
    eventually(
        lambda: (
            cluster.scalar(
                "SELECT count(DISTINCT key) FROM cluster_test_effect WHERE key = ANY(%s)", (keys,)
            )
            == len(keys)
        ),
        timeout=90,
        every=1,
        message="not every task completed",
    )
    with cluster.primary() as conn:
        effects = dict(
            conn.execute(
                "SELECT key, count(*) FROM cluster_test_effect WHERE key = ANY(%s) GROUP BY key",
                (keys,),
            ).fetchall()
        )
        runs = dict(
            conn.execute(
                "SELECT key, count(*) FROM cluster_test_started WHERE key = ANY(%s) GROUP BY key",
                (keys,),
            ).fetchall()
        )
    assert effects == {key: 1 for key in keys}
    assert runs[victim_key] >= 2  # the killed run, then the one that completed


def test_a_web_node_killed_mid_run_loses_only_requests_in_flight(cluster):
    names = [marker() for _ in range(40)]
    keys = {name: uuid.uuid4().hex for name in names}
    failed, lock = [], threading.Lock()
    progress = threading.Semaphore(0)

    def worker(chunk):
        for name in chunk:
            try:
                answer = book(cluster, name, keys[name], timeout=10)
                ok = answer.status == 201
            except (OSError, http.client.HTTPException):  # refused, reset, or cut mid-answer
                ok = False
            if not ok:
                with lock:
                    failed.append(name)
            progress.release()

    threads = [threading.Thread(target=worker, args=(names[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(10):
        progress.acquire()
    # the node's master and its workers (gunicorn --daemon: their own process group)
    os.killpg(os.getpgid(cluster.pid("web1")), signal.SIGKILL)
    for thread in threads:
        thread.join()
    assert len(failed) <= 4  # at most the requests in flight (one per client)
    for name in failed:  # the client retries with the same key
        answer = book(cluster, name, keys[name])
        assert answer.status == 201, answer.body
    assert [stored(cluster, name) for name in names] == [1] * len(names)
    assert cluster.call("GET", "/healthz").status == 200


def test_the_replica_stopped_the_service_continues_on_the_primary(cluster):
    supervisor = cluster.token(SUPERVISOR)
    desk = cluster.token(DESK)
    pg_ctl = sorted(p for p in os.listdir("/usr/lib/postgresql"))[-1]
    command = [
        f"/usr/lib/postgresql/{pg_ctl}/bin/pg_ctl",
        "-D",
        f"{cluster.info['replica_dir']}/data",
        "-m",
        "immediate",
        "-w",
        "stop",
    ]
    if os.getuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, cwd="/")
    for path in ("/api/v1/stats/?level=street", "/api/v1/appointments/", "/board/211102002005/"):
        for _ in range(3):
            answer = cluster.call("GET", path, token=supervisor if "stats" in path else desk)
            assert answer.status == 200, (path, answer.status, answer.body[:300])
            assert answer.route == "default"
    name = marker()
    assert book(cluster, name).status == 201 and stored(cluster, name) == 1
    health = cluster.call("GET", "/healthz")
    assert health.status == 200
    assert health.json()["replicas"]["replica1"]["state"] == "down"
    assert health.json()["replicas_degraded"] == ["replica1"]
