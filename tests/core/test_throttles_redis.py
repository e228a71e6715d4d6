"""The throttles on Redis (core.api.throttles.SharedCounter, ADR 0036): one round trip per
check, the same sliding window as REST framework's own code, one count for every process.
Against a real redis-server started for these tests (its own port and directory)."""

import shutil
import socket
import subprocess
import time

import pytest
from rest_framework.test import APIRequestFactory
from rest_framework.throttling import SimpleRateThrottle as DrfSimpleRateThrottle

from core.api.throttles import PerAddressThrottle
from core.cache import RedisCache

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server missing: run scripts/setup"
)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    where = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(where),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(80):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(10)


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def throttle_on(cache, clock, rate="3/minute"):
    class Throttle(PerAddressThrottle):
        pass

    Throttle.cache = cache
    Throttle.rate = rate
    Throttle.timer = clock
    return Throttle()


def request(address="10.0.0.1"):
    return APIRequestFactory().get("/api/v1/anything/", REMOTE_ADDR=address)


def test_a_sliding_window_of_requests_per_address(redis_url):
    cache, clock = RedisCache(redis_url, {"KEY_PREFIX": "t1"}), Clock()
    cache.clear()
    seen = []
    for _step in range(5):
        node = throttle_on(cache, clock)  # a new instance each request, as REST framework does
        seen.append(node.allow_request(request(), None))
        clock.now += 10
        if not seen[-1]:
            # the oldest of the three counted requests leaves the window 60 s after it came
            assert node.wait() == pytest.approx(60 - (clock.now - 10 - 1_000_000.0))
    assert seen == [True, True, True, False, False]
    # another address has its own count
    assert throttle_on(cache, clock).allow_request(request("10.0.0.2"), None)
    # refused requests are not counted: once the first request is a minute old, one more fits
    clock.now = 1_000_000.0 + 60.5
    assert throttle_on(cache, clock).allow_request(request(), None)
    assert not throttle_on(cache, clock).allow_request(request(), None)


def test_two_processes_share_one_count(redis_url):
    # two cache objects (two web nodes) on one Redis
    node1 = RedisCache(redis_url, {"KEY_PREFIX": "t2"})
    node2 = RedisCache(redis_url, {"KEY_PREFIX": "t2"})
    node1.clear()
    clock = Clock()
    assert throttle_on(node1, clock).allow_request(request(), None)
    assert throttle_on(node2, clock).allow_request(request(), None)
    assert throttle_on(node1, clock).allow_request(request(), None)
    assert not throttle_on(node2, clock).allow_request(request(), None)


def test_the_same_answers_as_rest_frameworks_own_throttle(redis_url, settings):
    """The same sequence of requests against the Redis script and REST framework's list in a
    local-memory cache: the same decisions and the same Retry-After."""
    from django.core.cache.backends.locmem import LocMemCache

    redis, local = RedisCache(redis_url, {"KEY_PREFIX": "t3"}), LocMemCache("t3", {})
    redis.clear()
    times = [0, 1, 2, 3, 30, 59, 60, 61, 62, 90, 121, 122, 123, 124]
    decisions = {"redis": [], "drf": []}
    for name, cache in (("redis", redis), ("drf", local)):
        clock = Clock()
        for t in times:
            clock.now = 1_000_000.0 + t
            throttle = throttle_on(cache, clock)
            allowed = throttle.allow_request(request(), None)
            decisions[name].append((allowed, None if allowed else round(throttle.wait(), 6)))
    assert decisions["redis"] == decisions["drf"]
    assert any(not allowed for allowed, _ in decisions["redis"])


def test_other_caches_keep_rest_frameworks_code():
    from django.core.cache.backends.locmem import LocMemCache

    throttle = throttle_on(LocMemCache("t4", {}), Clock())
    assert throttle.allow_request(request(), None)
    assert isinstance(throttle.history, list)  # REST framework's own bookkeeping
    assert DrfSimpleRateThrottle.allow_request is not PerAddressThrottle.allow_request
