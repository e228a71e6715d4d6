"""Throttles every API view has (a view's own throttles add to these): per user and per client
address, at paces no person on a phone or at a desk reaches — they stop runaway clients and
scripts. Counted in the "counters" cache: Redis with REDIS_URL, one count for every web node;
without it each process's memory (no database round trip per request), so N web processes
allow N× the pace (ADR 0030).

On Redis each throttle is one round trip (ADR 0036): REST framework's throttles read the whole
list of request times, trim it and write it back (two round trips, and a list as long as the
limit pickled both ways — 1,800 entries for a busy address). `SharedCounter` keeps the same
sliding window as a sorted set that one Lua script trims, counts and appends to; a refused
request is not counted, as before. Other caches (the per-process memory of a single node,
tests) keep REST framework's own code."""

from __future__ import annotations

import math
import uuid

from django.core.cache import cache as default_cache
from django.core.cache import caches
from rest_framework import throttling
from rest_framework.throttling import BaseThrottle

from core.cache import RedisCache

# KEYS[1]: the counter (a sorted set of request times); ARGV: now, duration, limit, member
_WINDOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]) - tonumber(ARGV[2]))
local n = redis.call('ZCARD', KEYS[1])
if n >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, n, oldest[2]}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])))
return {1, n + 1, '0'}
"""
_scripts: dict[int, object] = {}


class SharedCounter:
    """REST framework's sliding-window throttle, one Redis round trip per check (see above)."""

    def allow_request(self, request, view):
        # REST framework's default is django.core.cache.cache, a proxy of caches["default"]
        cache = caches["default"] if self.cache is default_cache else self.cache
        if self.rate is None or not isinstance(cache, RedisCache):
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        client = cache._cache.get_client(write=True)
        script = _scripts.get(id(client))
        if script is None:
            script = _scripts[id(client)] = client.register_script(_WINDOW)
        # a key of its own type: the lists REST framework kept under the plain key may remain
        key = cache.make_and_validate_key(self.key) + ":z"
        member = f"{self.now:.6f}:{uuid.uuid4().hex[:8]}"
        allowed, count, oldest = script(
            keys=[key], args=[repr(self.now), self.duration, self.num_requests, member]
        )
        self._count, self._oldest = int(count), float(oldest)
        return bool(allowed)

    def wait(self):
        if not hasattr(self, "_count"):
            return super().wait()
        remaining = self.duration - (self.now - self._oldest) if self._count else self.duration
        available = self.num_requests - self._count + 1
        if available <= 0:
            return None
        return max(0.0, remaining) / float(available) if math.isfinite(remaining) else None


class SimpleRateThrottle(SharedCounter, throttling.SimpleRateThrottle):
    pass


class AnonRateThrottle(SharedCounter, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(SharedCounter, throttling.UserRateThrottle):
    pass


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
