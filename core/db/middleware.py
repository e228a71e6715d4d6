"""Routes a request's reads (core.db.replicas) and remembers where its writes ended (ADR 0031)."""

from __future__ import annotations

import logging

from django.conf import settings

from . import replicas

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
logger = logging.getLogger("core.db.replicas")


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replicas.replicas():
            return self.get_response(request)
        response, route = self._answer(request, replicas.is_routable(request.method, request.path))
        on_replica = route is not None and route.alias not in (None, replicas.PRIMARY)
        if on_replica and response.status_code == 503:
            state = replicas.check(route.alias).state
            if state != "ok":
                # the replica went away during the request: a GET is safe to answer again
                logger.warning(
                    "replica %s %s mid-request: %s answered again on the primary",
                    route.alias,
                    state,
                    request.path,
                )
                response, route = self._answer(request, False)
                route.alias, route.reason = replicas.PRIMARY, f"retried_replica_{state}"
        if request.method not in SAFE_METHODS:
            replicas.remember_write(request)
        if settings.DATABASE_ROUTE_HEADER:
            decided = route is not None and route.alias
            response["X-Database-Route"] = (
                f"{route.alias}; {route.reason}" if decided else f"{replicas.PRIMARY}; no_read"
            )
        return response

    def _answer(self, request, routable: bool):
        token = replicas.start(request, routable)
        try:
            response = self.get_response(request)
        finally:
            route = replicas.finish(token)
        return response, route
