"""Django's Redis cache, with one client object per connection pool (ADR 0036).

django.core.cache.backends.redis builds a new `redis.Redis` for every command — with its table
of ~170 response callbacks — which cost about as much application CPU as the command's round
trip. The client is thread-safe and its pool survives gunicorn's fork (the pool reconnects in a
new process), so each cache keeps one per pool. Everything else is Django's backend."""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
