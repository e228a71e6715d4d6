"""Application CPU per request of the load mix, in process (issue 21): the requests of
benchmarks/load_mix.py sent straight to the WSGI application of one web node — the node's
settings, Redis, the primary and the replica of a running `scripts/cluster` (name `bench`, as
benchmarks/load.py starts it) — with `time.process_time()` around each. Unlike a locust run this
does not depend on what else the machine runs: the figure to compare before and after a change.

    CLUSTER_NAME=bench … scripts/cluster start   (benchmarks/load.py's CLUSTER_ENV)
    python -m benchmarks.load_cpu [--rounds 300] [--profile out.pstats] [--kind "day list"]

Prints, per kind of request: CPU ms per request (median and mean after a warm-up), queries per
request and the status codes, then the mix's weighted mean (benchmarks/load_mix.WEIGHTS).
Results: benchmarks/results/load-cpu-last.json (--out); the before/after comparison reported in
docs/performance.md ("Load") is benchmarks/results/load-cpu.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(state: Path) -> dict:
    from benchmarks.load import CLUSTER_ENV, MINT, node_env

    info = json.loads((state / "cluster.json").read_text())
    env = node_env(info)
    env.update(CLUSTER_ENV)
    env.update(
        DATABASE_REPLICA_URLS=(
            f"postgis://gridproxy@127.0.0.1:{info['replica_port']}/{info['database']}"
        ),
        REDIS_URL=f"redis://127.0.0.1:{info['redis_port']}/0",
        TRUSTED_PROXIES="1",
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    minted = subprocess.run(
        [sys.executable, "-c", MINT], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    os.environ.update(env)
    return json.loads(minted)


def _requests(data: dict):
    """One request of each kind, as (kind, method, path, headers, body): load_mix's shapes."""
    from benchmarks.load_weights import TILES, booking_body, positions_body

    agent = random.choice(data["agents"])
    desk = random.choice(data["desk"])
    manager = random.choice(data["managers"])

    def auth(who):
        return {"HTTP_AUTHORIZATION": f"Token {who['token']}"}

    point = random.choice(data["points"])
    z, x, y = random.choice(TILES)
    code = random.choice(list(data["phones"]))
    key = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
    yield "day list", "GET", "/api/v1/me/tasks/", auth(agent), None
    yield "notifications", "GET", "/api/v1/me/notifications/", auth(agent), None
    yield "sync", "GET", "/api/v1/sync/", auth(agent), None
    yield (
        "positions batch",
        "POST",
        "/api/v1/me/positions/",
        {**auth(agent), **key},
        positions_body(agent["point"]),
    )
    yield (
        "booking (desk)",
        "POST",
        "/api/v1/appointments/",
        {
            **auth(desk),
            "HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex,
        },
        booking_body(point),
    )
    layer = random.choice(["grids", "appointments", "agents"])
    yield "tiles (manager)", "GET", f"/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf", auth(manager), None
    yield "public tracking", "GET", f"/api/v1/track/{code}/?phone={data['phones'][code]}", {}, None
    yield "open311 read", "GET", "/open311/v2/requests.json", {}, None


class _Status(list):
    def append_start(self, status, headers, exc_info=None):
        self.append(status)


def _environ(method, path, headers, body):
    path, _, query = path.partition("?")
    raw = json.dumps(body).encode() if body is not None else b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": "127.0.0.1",
        "HTTP_X_FORWARDED_PROTO": "http",
        "HTTP_ACCEPT_ENCODING": "gzip",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(raw),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **headers,
    }
    if body is not None:
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(raw))
    return environ


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cluster", default="bench")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--kind", action="append", help="only these kinds")
    parser.add_argument("--profile", help="write a cProfile of the measured rounds here")
    parser.add_argument("--sql", action="store_true", help="print each kind's queries once")
    parser.add_argument("--out", default=str(ROOT / "benchmarks/results/load-cpu-last.json"))
    args = parser.parse_args()
    data = _setup(ROOT / "var" / args.cluster)

    import django

    django.setup()
    from django.db import connections

    from benchmarks.load_weights import WEIGHTS
    from server.wsgi import application

    queries = Counter()

    shown = set()

    def count(execute, sql, params, many, context):
        queries["n"] += 1
        if args.sql and queries["kind"] not in shown:
            print(f"  [{queries['kind']}] {context['connection'].alias}: {sql[:300]}")
        return execute(sql, params, many, context)

    cpu = defaultdict(list)
    wall = defaultdict(list)
    nq = defaultdict(list)
    statuses = defaultdict(Counter)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)
    for round_ in range(args.warmup + args.rounds):
        measured = round_ >= args.warmup
        for kind, method, path, headers, body in _requests(data):
            if args.kind and kind not in args.kind:
                continue
            environ = _environ(method, path, headers, body)
            status = _Status()
            wrappers = [connections[a].execute_wrapper(count) for a in connections]
            for w in wrappers:
                w.__enter__()
            queries["n"], queries["kind"] = 0, kind
            if profiler and measured:
                profiler.enable()
            t0, c0 = time.perf_counter(), time.process_time()
            result = application(environ, status.append_start)
            for _chunk in result:
                pass
            if hasattr(result, "close"):
                result.close()
            c1, t1 = time.process_time(), time.perf_counter()
            if profiler and measured:
                profiler.disable()
            for w in wrappers:
                w.__exit__(None, None, None)
            if args.sql and measured:
                shown.add(kind)
            if measured:
                cpu[kind].append((c1 - c0) * 1000)
                wall[kind].append((t1 - t0) * 1000)
                nq[kind].append(queries["n"])
                statuses[kind][status[0].split()[0]] += 1
    if profiler:
        profiler.dump_stats(args.profile)

    def median(values):
        values = sorted(values)
        return values[len(values) // 2] if values else None

    out = {"rounds": args.rounds, "load_average": os.getloadavg(), "kinds": {}}
    for kind in cpu:
        out["kinds"][kind] = {
            "cpu_ms_median": round(median(cpu[kind]), 2),
            "cpu_ms_mean": round(sum(cpu[kind]) / len(cpu[kind]), 2),
            "wall_ms_median": round(median(wall[kind]), 2),
            "queries_median": median(nq[kind]),
            "statuses": dict(statuses[kind]),
        }
        print(f"{kind:18} {json.dumps(out['kinds'][kind], ensure_ascii=False)}")
    weights = {k: w for k, w in WEIGHTS.items() if k in out["kinds"]}
    if weights:
        total = sum(weights.values())
        mean = sum(out["kinds"][k]["cpu_ms_mean"] * w for k, w in weights.items()) / total
        out["mix_cpu_ms_per_request"] = round(mean, 2)
        print(f"mix (weighted, without visits): {mean:.2f} ms CPU per request")
    Path(args.out).write_text(json.dumps(out, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
