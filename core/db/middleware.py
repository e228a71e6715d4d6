"""Routes a request's reads (core.db.replicas) and remembers where its writes ended (ADR 0031)."""

from __future__ import annotations

from django.conf import settings

from . import replicas

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replicas.replicas():
            return self.get_response(request)
        response, route = self._answer(request, replicas.is_routable(request.method, request.path))
        on_replica = route is not None and route.alias not in (None, replicas.PRIMARY)
        if on_replica and response.status_code == 503 and replicas.check(route.alias).state != "ok":
            # the replica went away during the request: a GET is safe to answer again
            response, route = self._answer(request, False)
        if request.method not in SAFE_METHODS:
            replicas.remember_write(request)
        if settings.DATABASE_ROUTE_HEADER:
            response["X-Database-Route"] = (
                route.alias if route is not None and route.alias else replicas.PRIMARY
            )
        return response

    def _answer(self, request, routable: bool):
        token = replicas.start(request, routable)
        try:
            response = self.get_response(request)
        finally:
            route = replicas.finish(token)
        return response, route
