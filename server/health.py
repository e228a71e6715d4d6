"""GET /healthz: is the database reachable, which PostGIS does it run, is the task queue served.

200 `ok`; 503 with a `reason` when the database is out of reach (`database_unreachable`, with
`Retry-After`) or when tasks have waited longer than WORKER_GRACE_SECONDS with no worker cluster
reporting in (`no_worker`: notifications, deadlines and re-routing have stopped).
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.api.errors import DATABASE_RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)

# a worker restarted by `make run` or systemd is back well within this
WORKER_GRACE_SECONDS = 60


def queue_status(now=None) -> dict:
    """django-q2: the broker in use, tasks waiting (and the oldest one's wait, on the ORM
    broker), and worker clusters that reported in during the last few seconds."""
    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.models import OrmQ
    from django_q.status import Stat

    broker = get_broker()
    status = {
        "broker": "orm" if Conf.ORM else ("redis" if Conf.REDIS else type(broker).__name__),
        "queued": broker.queue_size(),
        "clusters": len(Stat.get_all(broker=broker)),
    }
    if Conf.ORM:
        # a waiting task's `lock` is when it was queued; a task being run has a lock ahead
        now = now or timezone.now()
        oldest = OrmQ.objects.using(Conf.ORM).filter(lock__lte=now).order_by("lock").first()
        status["oldest_wait_s"] = round((now - oldest.lock).total_seconds()) if oldest else 0
    return status


def _worker_missing(queue: dict) -> bool:
    if queue.get("clusters") or not queue.get("queued"):
        return False
    # Redis broker: no enqueue times; waiting tasks and no cluster is enough
    return queue.get("oldest_wait_s", WORKER_GRACE_SECONDS + 1) > WORKER_GRACE_SECONDS


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
    if _worker_missing(queue):
        body.update(status="degraded", reason="no_worker")
        logger.warning("health check: %s tasks waiting and no worker", queue["queued"])
        return JsonResponse(body, status=503)
    return JsonResponse(body)
