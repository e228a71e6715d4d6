"""GET /healthz: is the database reachable, which PostGIS does it run, is the task queue served.

200 `ok`; 503 with a `reason` when the database is out of reach (`database_unreachable`, with
`Retry-After`) or when tasks have waited longer than WORKER_GRACE_SECONDS with no worker cluster
reporting in, or on the short queue (deliveries) with no short cluster serving it (`no_worker`,
`unserved` naming the queues: notifications, deadlines and re-routing have stopped). Both
clusters are reported under `queue.queues`. With read replicas (DATABASE_REPLICA_URLS, ADR 0031)
each one's state is under `replicas` (`ok`, `lagging`, `down`, with how far behind it is): a
replica that is down or lagging leaves the answer 200 — the primary serves its reads — and
`replicas_degraded` lists it.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.api.errors import DATABASE_RETRY_AFTER_SECONDS
from core.db import replicas

logger = logging.getLogger(__name__)

# a worker restarted by `make run` or systemd is back well within this
WORKER_GRACE_SECONDS = 60


def queue_status(now=None) -> dict:
    """django-q2: the broker in use, worker clusters that reported in during the last few
    seconds, and per queue (the main cluster's and each of ALT_CLUSTERS) the tasks waiting and,
    on the ORM broker, the oldest one's wait. The totals `queued` and `oldest_wait_s` cover
    every queue."""
    from django.conf import settings
    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.models import OrmQ
    from django_q.status import Stat

    broker = get_broker()
    now = now or timezone.now()
    names = [Conf.CLUSTER_NAME, *settings.Q_CLUSTER.get("ALT_CLUSTERS", {})]
    queues = {}
    for name in names:
        queue = {"queued": get_broker(name).queue_size()}
        if Conf.ORM:
            # a waiting task's `lock` is when it was queued; a task being run has a lock ahead
            oldest = (
                OrmQ.objects.using(Conf.ORM)
                .filter(key=name, lock__lte=now)
                .order_by("lock")
                .values_list("lock", flat=True)
                .first()
            )
            queue["oldest_wait_s"] = round((now - oldest).total_seconds()) if oldest else 0
        queues[name] = queue
    status = {
        "broker": "orm" if Conf.ORM else ("redis" if Conf.REDIS else type(broker).__name__),
        "queued": sum(queue["queued"] for queue in queues.values()),
        # django-q2's reports do not say which queue a cluster serves: this counts them all
        "clusters": len(Stat.get_all(broker=broker)),
        "queues": queues,
    }
    if Conf.ORM:
        status["oldest_wait_s"] = max(queue["oldest_wait_s"] for queue in queues.values())
    return status


def _queues_without_worker(queue: dict) -> list[str]:
    """Queues whose tasks have waited past the grace: any queue when no cluster reports in; the
    short queue also while clusters run (a live short cluster takes its tasks within a second,
    so a minute's wait means it is gone — or swamped, which is as bad for deliveries)."""
    from django.conf import settings

    unserved = []
    for name, waiting in queue.get("queues", {}).items():
        if not waiting.get("queued"):
            continue
        wait = waiting.get("oldest_wait_s")  # None on Redis: no enqueue times
        if queue.get("clusters") and (name != settings.Q_SHORT_CLUSTER or wait is None):
            continue
        # with no cluster at all, waiting tasks on Redis are enough
        if wait is None or wait > WORKER_GRACE_SECONDS:
            unserved.append(name)
    return unserved


@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT postgis_lib_version()")
            postgis_version = cursor.fetchone()[0]
    except DatabaseError as exc:
        logger.warning("health check: database unreachable: %s", exc)
        response = JsonResponse(
            {
                "status": "error",
                "database": "unreachable",
                "reason": "database_unreachable",
                "detail": str(exc).strip(),
            },
            status=503,
        )
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    try:
        queue = queue_status()
    except DatabaseError:
        raise
    except Exception as exc:  # the queue must not hide a healthy database
        logger.warning("health check: queue status unavailable: %s", exc)
        queue = {"error": str(exc)}
    body = {"status": "ok", "database": "ok", "postgis": postgis_version, "queue": queue}
    if replicas.replicas():
        body["replicas"] = replicas.status()
        degraded = [alias for alias, state in body["replicas"].items() if state["state"] != "ok"]
        if degraded:
            body["replicas_degraded"] = degraded
    unserved = _queues_without_worker(queue)
    if unserved:
        body.update(status="degraded", reason="no_worker", unserved=unserved)
        logger.warning(
            "health check: %s tasks waiting and no worker for %s", queue["queued"], unserved
        )
        return JsonResponse(body, status=503)
    return JsonResponse(body)
