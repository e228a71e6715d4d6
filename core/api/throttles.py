"""Throttles every API view has (a view's own throttles add to these): per user and per client
address, at paces no person on a phone or at a desk reaches — they stop runaway clients and
scripts. Counted in the "counters" cache: Redis with REDIS_URL, one count for every web node;
without it each process's memory (no database round trip per request), so N web processes
allow N× the pace (ADR 0030)."""

from __future__ import annotations

from django.core.cache import caches
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle, UserRateThrottle


def client_address(request) -> str:
    """The client's address as every throttle counts it: the connection's, or with
    REST_FRAMEWORK["NUM_PROXIES"] (TRUSTED_PROXIES) the one the trusted proxies put in
    X-Forwarded-For. Takes a Django or a REST framework request (the log-in brake uses it)."""
    return BaseThrottle().get_ident(request) or "unknown"


class PerUserThrottle(UserRateThrottle):
    scope = "per_user"
    cache = caches["counters"]

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None  # anonymous clients are counted by address
        return super().get_cache_key(request, view)


class PerAddressThrottle(SimpleRateThrottle):
    scope = "per_address"
    cache = caches["counters"]

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
