"""Load benchmark (issue 21, `BENCH_ONLY=load`): the production layout of `make cluster` (nginx,
two gunicorn nodes, Redis, primary + streaming replica, two workers) driven by locust on loopback
with the mobile-shaped mix of benchmarks/load_mix.py.

    python -m benchmarks.load [--steps 50,100,150,200,250] [--step-seconds 120]
                              [--kill-rate R] [--kill-seconds 240] [--kill-at 120]

Run 1 steps the rate; each step reports achieved rate, p50/p95/p99 overall and per endpoint,
5xx, timeouts and 429 apart, and the CPU share of each process group (locust, nginx, gunicorn,
the databases, Redis, the workers) from /proc. The highest step held: achieved ≥ 95 % of its
rate, p95 ≤ 100 ms, no 5xx and no timeout. Run 2 holds one rate and kills web node 1 (-9) at
`kill-at`: errors and the time until requests succeed again. Results: benchmarks/results/load.json.

Every client is a distinct user (agents, desk staff, managers from the demo data, ~1 request a
second each), so per-user limits never bind. All requests come from 127.0.0.1, which stands for
thousands of phones and residents: the per-address and the public limits are lifted for the run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "bench"
CLUSTER_ENV = {
    "CLUSTER_NAME": NAME,
    "CLUSTER_DB": "gridproxy_bench_load",
    "CLUSTER_FRESH": "1",
    "CLUSTER_TEMPLATE": "1",
    "WEB_CONCURRENCY": os.environ.get("WEB_CONCURRENCY", "3"),
    "THROTTLE_PER_ADDRESS": "100000000/minute",
    "THROTTLE_TRACK_ANON": "100000000/hour",
    "THROTTLE_OPEN311_READ": "100000000/minute",
    "THROTTLE_APPOINTMENTS_STAFF": "100000000/minute",
    "CASES_TRACK_MAX_FAILURES": "100000000",
    "LOG_LEVEL": "WARNING",
}

MINT = r"""
import json, secrets, sys
import django
django.setup()
from django.contrib.gis.db.models.functions import PointOnSurface
from accounts.models import DeviceToken
from accounts.services import token_digest
from cases.models import Case
from geo.models import Grid
from people.models import GridAssignment, Staff

def token(user):
    raw = secrets.token_urlsafe(32)
    DeviceToken.objects.create(user=user, digest=token_digest(raw), prefix=raw[:8], device="load")
    return raw

points = {}
for a in GridAssignment.objects.select_related("grid").annotate(p=PointOnSurface("grid__boundary")):
    points.setdefault(a.staff_id, [a.p.x, a.p.y])
out = {"agents": [], "desk": [], "managers": [], "tracking": [], "points": list(points.values())}
for staff in Staff.objects.select_related("user").filter(user__is_active=True):
    roles = set(staff.roles)
    if "agent" in roles and staff.pk in points:
        out["agents"].append({"token": token(staff.user), "point": points[staff.pk]})
    elif "centre_staff" in roles:
        out["desk"].append({"token": token(staff.user)})
    elif "station_manager" in roles:
        out["managers"].append({"token": token(staff.user)})
demo = Staff.objects.get(user__username="a211102002005-1")
out["visitor"] = {"token": token(demo.user), "point": points.get(demo.pk),
                  "cases": list(Case.objects.filter(responsible=demo).values_list("pk", flat=True))}
out["phones"] = {c.tracking_code: c.applicant_phone[-4:] for c in Case.objects.all()[:50]}
json.dump(out, sys.stdout)
"""


def cluster(command: str) -> dict | None:
    env = {**os.environ, **CLUSTER_ENV}
    subprocess.run(
        [str(ROOT / "scripts/cluster"), command],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    if command == "start":
        return json.loads((ROOT / "var" / NAME / "cluster.json").read_text())
    return None


def node_env(info: dict) -> dict:
    env = {**os.environ, **CLUSTER_ENV}
    for line in (Path(info["state"]) / "secrets.env").read_text().splitlines():
        key, _, value = line.partition("=")
        env[key] = value
    env.update(
        DJANGO_SETTINGS_MODULE="server.settings.cluster",
        DATABASE_URL=f"postgis://gridproxy@127.0.0.1:{info['primary_port']}/{info['database']}",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SECURE_COOKIES="false",
    )
    return env


# --- CPU per process group, from /proc ----------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int):
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[1]), int(fields[2]), int(fields[11]) + int(fields[12])  # ppid, pgid, cpu
    except (OSError, IndexError, ValueError):
        return None


def groups(info: dict, locust_pid: int | None) -> dict[str, set[int]]:
    """Which pids belong to which part of the layout now."""
    state = Path(info["state"])
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat:
                table[int(entry)] = stat

    def descendants(root: int) -> set[int]:
        found, frontier = {root}, [root]
        while frontier:
            parent = frontier.pop()
            for pid, (ppid, _pgid, _cpu) in table.items():
                if ppid == parent and pid not in found:
                    found.add(pid)
                    frontier.append(pid)
        return found

    def pidfile(path: Path) -> int | None:
        try:
            return int(path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    out: dict[str, set[int]] = defaultdict(set)
    for name, files in {
        "gunicorn": [state / "web1.pid", state / "web2.pid"],
        "nginx": [state / "nginx.pid"],
        "redis": [state / "redis.pid"],
        "workers": [state / "worker-gridproxy.pid", state / "worker-gridproxy-short.pid"],
    }.items():
        for file in files:
            pid = pidfile(file)
            if pid:
                out[name] |= descendants(pid)
    primary = subprocess.run(
        [str(ROOT / "scripts/devdb"), "status"], capture_output=True, text=True
    ).stderr
    data_dir = primary.rsplit("data in ", 1)[-1].strip().rstrip(")")
    for label, path in (
        ("primary db", Path(data_dir) / "postmaster.pid"),
        ("replica db", Path(info["replica_dir"]) / "data" / "postmaster.pid"),
    ):
        pid = pidfile(path)
        if pid:
            out[label] |= descendants(pid)
    if locust_pid:
        out["locust"] |= descendants(locust_pid)
    return out


def cpu_of(pids: set[int]) -> int:
    total = 0
    for pid in pids:
        stat = _stat(pid)
        if stat:
            total += stat[2]
    return total


# --- the runs ------------------------------------------------------------------------------------


def drive(info: dict, plan: list[list[int]], tokens: str, on_second=None):
    """locust with `plan`; every second the CPU of each group. → (samples, cpu seconds per
    group per second of the run)."""
    out = tempfile.mktemp(suffix=".json")
    env = {**os.environ, "LOAD_TOKENS": tokens}
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.load_run", info["url"], json.dumps(plan), out],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    started = time.time()
    timeline = []  # (t, {group: cpu ticks used since the start})
    # per process deltas summed per group: connections and workers come and go, and a group's
    # plain sum would fall when one ends (a process's ticks before it is first seen are lost)
    seen: dict[int, int] = {}
    used: dict[str, int] = defaultdict(int)
    while process.poll() is None:
        second = time.time() - started
        for group, pids in groups(info, process.pid).items():
            for pid in pids:
                ticks = cpu_of({pid})
                used[group] += max(0, ticks - seen.get(pid, ticks))
                seen[pid] = ticks
        timeline.append((time.time(), dict(used)))
        if on_second:
            on_second(second)
        time.sleep(1)
    stderr = process.stderr.read().decode()[-2000:]
    if process.returncode:
        raise SystemExit(f"locust failed: {stderr}")
    samples = json.loads(Path(out).read_text())
    os.unlink(out)
    return samples, timeline


def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))], 1)


def summarise(samples, start, end) -> dict:
    window = [s for s in samples if start <= s[0] < end]
    seconds = max(end - start, 1e-9)
    ok = [s for s in window if s[3] and s[3] < 500]
    body = {
        "requests": len(window),
        "rate": round(len(window) / seconds, 1),
        "p50_ms": pct([s[2] for s in ok], 50),
        "p95_ms": pct([s[2] for s in ok], 95),
        "p99_ms": pct([s[2] for s in ok], 99),
        "status_5xx": sum(1 for s in window if s[3] >= 500),
        "status_429": sum(1 for s in window if s[3] == 429),
        "status_4xx_other": sum(1 for s in window if 400 <= s[3] < 500 and s[3] != 429),
        "errors": sum(1 for s in window if not s[3]),
        "error_kinds": sorted({s[4] for s in window if not s[3]}),
        "endpoints": {},
    }
    by_name = defaultdict(list)
    for s in window:
        by_name[s[1]].append(s)
    for name, rows in sorted(by_name.items()):
        good = [r[2] for r in rows if r[3] and r[3] < 500]
        body["endpoints"][name] = {
            "n": len(rows),
            "p50_ms": pct(good, 50),
            "p95_ms": pct(good, 95),
            "p99_ms": pct(good, 99),
            "5xx": sum(1 for r in rows if r[3] >= 500),
            "429": sum(1 for r in rows if r[3] == 429),
            "4xx": sum(1 for r in rows if 400 <= r[3] < 500 and r[3] != 429),
            "errors": sum(1 for r in rows if not r[3]),
        }
    return body


def cpu_shares(timeline, start, end) -> dict:
    inside = [t for t in timeline if start <= t[0] <= end]
    if len(inside) < 2:
        return {}
    (t0, first), (t1, last) = inside[0], inside[-1]
    cores = os.cpu_count() or 1
    return {
        g: round((last.get(g, 0) - first.get(g, 0)) / TICK / ((t1 - t0) * cores) * 100, 1)
        for g in last
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", default="50,100,150,200,250")
    parser.add_argument("--step-seconds", type=int, default=120)
    parser.add_argument("--kill-rate", type=int, default=0, help="0: the highest rate held")
    parser.add_argument("--kill-seconds", type=int, default=240)
    parser.add_argument("--kill-at", type=int, default=120)
    parser.add_argument("--out", default=str(ROOT / "benchmarks/results/load.json"))
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",")]

    print("load: starting the cluster (scripts/cluster, name bench)", file=sys.stderr)
    info = cluster("start")
    try:
        minted = subprocess.run(
            [sys.executable, "-c", MINT],
            cwd=ROOT,
            env=node_env(info),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        tokens = tempfile.mktemp(suffix=".json")
        data = json.loads(minted)
        Path(tokens).write_text(json.dumps(data))
        print(
            f"load: {len(data['agents'])} agents, {len(data['desk'])} desk staff, "
            f"{len(data['managers'])} managers",
            file=sys.stderr,
        )

        # four clients per request a second (each sends every 4 s: load_mix.Client)
        plan = [[args.step_seconds, rate * 4] for rate in steps]
        load_before = os.getloadavg()
        samples, timeline = drive(info, plan, tokens)
        begin = min(s[0] for s in samples)
        results = {
            "machine": os.uname().nodename,
            "cores": os.cpu_count(),
            "web_nodes": 2,
            "gunicorn_workers_per_node": int(CLUSTER_ENV["WEB_CONCURRENCY"]),
            "step_seconds": args.step_seconds,
            "steps": [],
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        }
        held = 0
        for index, rate in enumerate(steps):
            # the first 10 s of a step ramp up: left out
            start = begin + index * args.step_seconds + 10
            end = begin + (index + 1) * args.step_seconds
            step = {
                "target_rate": rate,
                **summarise(samples, start, end),
                "cpu_percent_of_machine": cpu_shares(timeline, start, end),
            }
            results["steps"].append(step)
            if (
                step["rate"] >= 0.95 * rate
                and step["p95_ms"] is not None
                and step["p95_ms"] <= 100
                and not step["status_5xx"]
                and not step["errors"]
            ):
                held = rate
            print(
                f"load: {rate}/s → {step['rate']}/s p50 {step['p50_ms']} p95 {step['p95_ms']} "
                f"p99 {step['p99_ms']} 5xx {step['status_5xx']} errors {step['errors']} "
                f"429 {step['status_429']} cpu {step['cpu_percent_of_machine']}",
                file=sys.stderr,
            )
        results["highest_rate_held"] = held

        if args.kill_seconds:
            rate = args.kill_rate or held or steps[0]
            killed = {}

            def kill(second):
                if second >= args.kill_at and not killed:
                    pid = int((Path(info["state"]) / "web1.pid").read_text())
                    os.killpg(os.getpgid(pid), signal.SIGKILL)  # master and workers
                    killed["at"] = time.time()

            samples, timeline = drive(info, [[args.kill_seconds, rate * 4]], tokens, on_second=kill)
            at = killed.get("at")
            failed = [s for s in samples if s[0] >= at - 10 and (not s[3] or s[3] >= 500)]
            last_failure = max((s[0] + s[2] / 1000 for s in failed), default=at)
            results["kill_run"] = {
                "rate": rate,
                "seconds": args.kill_seconds,
                "killed_at_s": args.kill_at,
                "before": summarise(samples, at - 60, at),
                "after": summarise(samples, at, at + 60),
                "failed_requests": len(failed),
                "failed_by_kind": {
                    k: sum(1 for s in failed if (s[3] or s[4]) == k)
                    for k in {s[3] or s[4] for s in failed}
                },
                "recovery_s": round(max(0.0, last_failure - at), 1),
            }
            print(
                f"load: kill run at {rate}/s: {len(failed)} failed, recovered in "
                f"{results['kill_run']['recovery_s']} s",
                file=sys.stderr,
            )
        Path(args.out).write_text(json.dumps(results, indent=1, ensure_ascii=False))
        print(f"load: results in {args.out}", file=sys.stderr)
    finally:
        cluster("stop")


if __name__ == "__main__":
    main()
