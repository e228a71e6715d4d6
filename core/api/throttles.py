"""Throttles every API view has (a view's own throttles add to these): per user and per client
address, at paces no person on a phone or at a desk reaches — they stop runaway clients and
scripts. Counted in the "counters" cache: Redis with REDIS_URL, one count for every web node;
without it each process's memory (no database round trip per request), so N web processes
allow N× the pace (ADR 0030)."""

from __future__ import annotations

from django.core.cache import caches
from rest_framework.settings import api_settings
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


class DefaultThrottlesTogether(BaseThrottle):
    """The default throttles (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]) counted with one cache
    read and one write for all of them instead of a read and a write each — four Redis round
    trips become two on a path that answers in a few milliseconds (the vector tiles, ADR 0029).
    Same keys, same histories, same rates as the throttles themselves, so a client's count is
    one across this view and every other; a view's `wait()` is the longest of the refusing
    throttles', as REST framework's own loop gives."""

    def __init__(self):
        self.throttles = [cls() for cls in api_settings.DEFAULT_THROTTLE_CLASSES]
        self.waits: list[float | None] = []

    def allow_request(self, request, view) -> bool:
        counted = []
        for throttle in self.throttles:
            if not isinstance(throttle, SimpleRateThrottle):
                if not throttle.allow_request(request, view):  # not a counting one: its own way
                    self.waits.append(throttle.wait())
                continue
            if throttle.rate is None:
                continue
            throttle.key = throttle.get_cache_key(request, view)
            if throttle.key is not None:
                counted.append(throttle)
        if not counted:
            return not self.waits
        cache = counted[0].cache
        if any(throttle.cache is not cache for throttle in counted):  # counted in two places
            self.waits += [t.wait() for t in counted if not t.allow_request(request, view)]
            return not self.waits
        histories = cache.get_many([throttle.key for throttle in counted])
        writes: dict[int, dict] = {}
        for throttle in counted:
            throttle.now = throttle.timer()
            throttle.history = list(histories.get(throttle.key, []))
            while throttle.history and throttle.history[-1] <= throttle.now - throttle.duration:
                throttle.history.pop()
            if len(throttle.history) >= throttle.num_requests:
                self.waits.append(throttle.wait())
                continue
            throttle.history.insert(0, throttle.now)
            writes.setdefault(throttle.duration, {})[throttle.key] = throttle.history
        for duration, values in writes.items():
            cache.set_many(values, duration)
        return not self.waits

    def wait(self):
        waits = [w for w in self.waits if w is not None]
        return max(waits, default=None)
