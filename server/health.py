"""GET /healthz: is the database reachable, which PostGIS does it run, how is the task queue."""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def queue_status() -> dict:
    """django-q2: the broker in use, tasks waiting, and clusters that reported in recently."""
    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.status import Stat

    broker = get_broker()
    return {
        "broker": "orm" if Conf.ORM else ("redis" if Conf.REDIS else type(broker).__name__),
        "queued": broker.queue_size(),
        "clusters": len(Stat.get_all(broker=broker)),
    }


@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT postgis_lib_version()")
            postgis_version = cursor.fetchone()[0]
    except DatabaseError as exc:
        logger.warning("health check: database unreachable: %s", exc)
        return JsonResponse(
            {"status": "error", "database": "unreachable", "reason": str(exc).strip()},
            status=503,
        )
    try:
        queue = queue_status()
    except Exception as exc:  # the queue must not hide a healthy database
        logger.warning("health check: queue status unavailable: %s", exc)
        queue = {"error": str(exc)}
    return JsonResponse(
        {"status": "ok", "database": "ok", "postgis": postgis_version, "queue": queue}
    )
