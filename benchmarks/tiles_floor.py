"""The request floor of a cached tile (issue 20): where each millisecond of a tile that does no
tile work goes. Two parts, on whatever database DATABASE_URL names (seed it first, e.g. the
tiles benchmark's, or `synth_grids --grids 3000` + `synth_staff`):

- in process, production settings, Django's WSGI handler with every middleware, no HTTP:
  N cached requests of one grid tile and of one empty tile, timed, the database round trips
  counted, and a cProfile of the cached grid tile (top functions by cumulative time);
- over HTTP (gunicorn, 2 sync workers, loopback, token auth, gzip): p50/p95 of the same.

    python -m benchmarks.tiles_floor [--requests 2000] [--profile 40] [--no-http]
    python -m benchmarks.tiles_floor --ab /work/main [--requests 400]

`--ab DIR`: the HTTP part against two servers at once, this checkout's and the one in DIR (an
older commit's checkout on the same database schema), one gunicorn worker each, requests
alternating between them — on a shared machine whose load comes and goes, both see the same
load. Cached tiles at zooms 12–15 (those of the tiles benchmark's sample) and the empty tile.
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", type=int, default=40, help="functions shown")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--ab", help="a checkout to compare with, over HTTP")
    parser.add_argument("--redis", help="REDIS_URL for both servers (tiles and counters in Redis)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return in_process(json.loads(args.child), args.requests, args.profile)
    django.setup()
    import random

    from benchmarks.server import district_token, gunicorn, production_env
    from benchmarks.tiles import sample_tiles
    from geo.models import Area

    token = district_token()
    extent = Area.objects.get(code="999999000000").boundary.extent
    z, x, y = sample_tiles(extent, 14, 1, random.Random(1))[0]
    tiles = {"grid_z14": f"grids/{z}/{x}/{y}", "empty": f"grids/15/{2 * x}/{2 * y + 2**9}"}
    spec = {"token": token, "tiles": tiles}
    child = [sys.executable, "-m", "benchmarks.tiles_floor", "--child", json.dumps(spec)]
    if args.ab:
        return ab(args.ab, token, extent, args.requests, args.redis)
    env = production_env()
    subprocess.run(
        [*child, "--requests", str(args.requests), "--profile", str(args.profile)],
        env=env,
        check=True,
    )
    if args.no_http:
        return
    headers = {"Authorization": f"Token {token}", "Accept-Encoding": "gzip"}
    with gunicorn() as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for name, path in tiles.items():
            times, cache = [], {}
            for i in range(args.requests + 20):
                started = time.perf_counter()
                conn.request("GET", f"/api/v1/tiles/{path}.pbf", headers=headers)
                response = conn.getresponse()
                response.read()
                if i >= 20:  # both workers warm, the tile cached
                    times.append((time.perf_counter() - started) * 1000)
                    state = response.getheader("X-Tile-Cache")
                    cache[state] = cache.get(state, 0) + 1
            print(f"HTTP {name}: {summary(times)} X-Tile-Cache {cache}")
    print("uptime:", os.popen("uptime").read().strip())


def ab(other: str, token: str, extent, n: int, redis: str | None = None) -> None:
    import contextlib
    import random

    from benchmarks.server import production_env, wait_healthy
    from benchmarks.tiles import ZOOMS, sample_tiles

    here = os.getcwd()
    samples = {z: sample_tiles(extent, z, 5, random.Random(20261128)) for z in ZOOMS}
    _z, x, y = samples[15][0]
    paths = {f"z{z}": [f"grids/{z}/{x}/{y}" for z, x, y in samples[z]] for z in ZOOMS}
    paths["empty"] = [f"grids/15/{x}/{y + 2**9}"]
    headers = {"Authorization": f"Token {token}", "Accept-Encoding": "gzip"}
    with contextlib.ExitStack() as stack:
        ports = {}
        for name, directory, port in (("this", here, 19301), ("other", other, 19302)):
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "server.wsgi:application",
                    "--chdir",
                    directory,
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    "1",
                    "--log-level",
                    "warning",
                ],
                env={**production_env(), "PYTHONPATH": directory},
                cwd=directory,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            stack.callback(server.wait, 30)
            stack.callback(server.terminate)
            ports[name] = port
        conns = {}
        for name, port in ports.items():
            wait_healthy(port)
            conns[name] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def get(name, path):
            started = time.perf_counter()
            conns[name].request("GET", f"/api/v1/tiles/{path}.pbf", headers=headers)
            response = conns[name].getresponse()
            response.read()
            return (time.perf_counter() - started) * 1000, response.getheader("X-Tile-Cache")

        for group in paths.values():  # made and cached (both servers share the cache table)
            for path in group:
                for name in conns:
                    get(name, path)
                    get(name, path)
        print("uptime before:", os.popen("uptime").read().strip())
        for label, group in paths.items():
            times = {name: [] for name in conns}
            for i in range(n):
                path = group[i % len(group)]
                for name in conns if i % 2 else reversed(list(conns)):
                    ms, state = get(name, path)
                    assert state == "hit", (name, path, state)
                    times[name].append(ms)
            print(label, {name: summary(t) for name, t in times.items()})
        print("uptime after:", os.popen("uptime").read().strip())


def _redis_env(redis: str | None) -> dict:
    """REDIS_URL, and throttle windows of a second: the benchmark server's lifted rates
    (1,000,000 a minute) would keep every request of the last minute in each history, pickled
    through Redis on every request."""
    if not redis:
        return {}
    return {"REDIS_URL": redis, "THROTTLE_PER_USER": "100000/s", "THROTTLE_PER_ADDRESS": "100000/s"}


def in_process(spec: dict, n: int, shown: int) -> None:
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connections

    handler = WSGIHandler()
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    def request(path: str) -> int:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": f"/api/v1/tiles/{path}.pbf",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Token {spec['token']}",
            "HTTP_ACCEPT_ENCODING": "gzip",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
        }
        status = []
        body = handler(environ, lambda s, h, *a: status.append(s))
        b"".join(body)
        body.close()
        return int(status[0][:3])

    for name, path in spec["tiles"].items():
        for _ in range(20):
            request(path)
        times = []
        with connections["default"].execute_wrapper(count):
            queries.clear()
            request(path)
            per_request = list(queries)
        cpu_started = time.process_time()
        for _ in range(n):
            started = time.perf_counter()
            request(path)
            times.append((time.perf_counter() - started) * 1000)
        cpu_ms = (time.process_time() - cpu_started) * 1000 / n
        print(
            f"in process {name}: {summary(times)}, this process's CPU {cpu_ms:.3f} ms a request; "
            f"{len(per_request)} statements:"
        )
        for sql in per_request:
            print("   ", " ".join(sql.split())[:150])
    profile = cProfile.Profile()
    path = spec["tiles"]["grid_z14"]
    profile.enable()
    for _ in range(n):
        request(path)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(shown)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(25)
    print(out.getvalue())


def summary(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 3),
        "mean_ms": round(statistics.fmean(samples), 3),
    }


if __name__ == "__main__":
    main()
