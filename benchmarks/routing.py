"""Routing at scale: the decision in-process, its raw-SQL lower bounds, POST /api/v1/appointments/
over HTTP on gunicorn (loopback), and set-based routing of a queued backlog.

    python -m benchmarks.routing --grids 10000 --per-grid 3
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django

# What both hand-written bounds start from: the grid covering the point (smallest code), its
# agents assigned that day who are active, and their station.
_COVERING_GRID_AGENTS = """
FROM (SELECT g.id FROM geo_grid g
      WHERE g.retired_at IS NULL AND ST_Covers(g.boundary, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326))
      ORDER BY g.code LIMIT 1) g
JOIN people_gridassignment ga ON ga.grid_id = g.id AND ga.valid_from <= %(day)s
 AND (ga.valid_to IS NULL OR ga.valid_to > %(day)s)
JOIN people_staff s ON s.id = ga.staff_id AND s.active
LEFT JOIN geo_servicecentre c ON c.id = s.centre_id
"""
# an agent's open work as the cap counts it (appointments with them, cases still needing work)
_OPEN_WORK = """
    (SELECT count(*) FROM appointments_appointment a
     WHERE a.agent_id = s.id AND a.status IN ('awaiting_confirmation', 'confirmed'))
  + (SELECT count(*) FROM cases_case k
     WHERE k.responsible_id = s.id AND k.status IN ('consulting', 'awaiting_papers', 'accepted',
           'forwarded', 'at_window', 'result_ready', 'refused', 'collected'))
"""
_NOT_ON_LEAVE = """NOT EXISTS (SELECT 1 FROM people_leave l
                  WHERE l.staff_id = s.id AND l.start < %(we)s AND l."end" > %(ws)s)"""

# The same lookup as the decision's common case, written flat by hand: the grid covering the
# point, its agents assigned that day who are active, have working time in the window (their own
# weekly periods, else the default ones, on a working day; the benchmark's windows lie within one
# day), are not on leave in it and are under their cap; primary first, then nearest (fresh
# position, else station), then least open work, then id. No community fallback, no explanation:
# a lower bound for what a routing decision must look up.
SAME_LOOKUP_SQL = f"""
SELECT s.id
{_COVERING_GRID_AGENTS}
CROSS JOIN LATERAL (SELECT {_OPEN_WORK} AS load) w
WHERE EXISTS (SELECT 1 FROM people_workperiod p
              LEFT JOIN workdays_specialday sd ON sd.date = %(day)s
              WHERE (p.staff_id = s.id
                     OR (p.staff_id IS NULL
                         AND NOT EXISTS (SELECT 1 FROM people_workperiod o WHERE o.staff_id = s.id)))
                AND p.weekday = extract(isodow FROM %(day)s::date)
                AND coalesce(sd.kind = 'workday', extract(isodow FROM %(day)s::date) < 6)
                AND (%(day)s::date + p.start) AT TIME ZONE 'Asia/Shanghai' < %(we)s
                AND (%(day)s::date + p."end") AT TIME ZONE 'Asia/Shanghai' > %(ws)s)
  AND {_NOT_ON_LEAVE}
  AND w.load < coalesce(s.open_work_cap, %(cap)s)
ORDER BY (ga.kind = 'primary') DESC,
         ST_DistanceSphere(CASE WHEN s.last_position_at >= now() - make_interval(mins => %(age)s)
                                 AND s.last_position_accuracy_m <= %(acc)s
                           THEN s.last_position ELSE c.location END,
                           ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)),
         w.load, s.id
LIMIT 1
"""

# Session 3's flat bound (kept for comparison): no working time in the window, and ties in
# distance broken by id rather than open work — a different answer in about half the cases.
FLAT_LOOKUP_SQL = f"""
SELECT s.id
{_COVERING_GRID_AGENTS}
WHERE {_NOT_ON_LEAVE}
  AND {_OPEN_WORK} < coalesce(s.open_work_cap, %(cap)s)
ORDER BY (ga.kind = 'primary') DESC,
         ST_DistanceSphere(CASE WHEN s.last_position_at >= now() - interval '30 minutes'
                           THEN s.last_position ELSE c.location END,
                           ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)),
         s.id
LIMIT 1
"""

# The smallest indexed lookup: the covering grid's assigned staff, nothing else.
MINIMAL_SQL = """
SELECT s.id FROM geo_grid g
JOIN people_gridassignment ga ON ga.grid_id = g.id AND ga.valid_to IS NULL
JOIN people_staff s ON s.id = ga.staff_id
WHERE g.retired_at IS NULL AND ST_Covers(g.boundary, ST_SetSRID(ST_MakePoint(%s, %s), 4326))
ORDER BY g.code, (ga.kind = 'primary') DESC, s.id
LIMIT 5
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grids", type=int, default=10_000)
    parser.add_argument("--per-grid", type=int, default=3)
    parser.add_argument("--decisions", type=int, default=3000)
    parser.add_argument("--http", type=int, default=1000)
    parser.add_argument("--bulk", type=int, default=100_000)
    parser.add_argument(
        "--bulk-workers", type=int, default=4, help="batches side by side (processes)"
    )
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    django.setup()

    import psycopg
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from appointments import backlog, routing
    from benchmarks.machine import describe
    from benchmarks.stats import timed
    from catalogue import services as catalogue_services
    from catalogue.models import ServiceItem
    from geo.models import Area, Grid
    from people.models import Staff
    from workdays.calendar import is_workday

    if not Grid.objects.filter(code__startswith="S").exists():
        call_command("synth_grids", "--grids", str(args.grids))
    if not Staff.objects.filter(full_name__startswith="合成代办员").exists():
        call_command("synth_staff", "--per-grid", str(args.per_grid))
    if not ServiceItem.objects.filter(code="MZ-001").exists():
        catalogue_services.item_create(
            actor=None,
            code="MZ-001",
            data={
                "name": "高龄津贴申请",
                "category": "老年人服务",
                "handling_level": "street",
                "department": "区民政局",
                "materials": [{"key": "id_card", "name": "居民身份证"}],
                "procedure": ["预审"],
                "committed_limit_days": 15,
                "proxy_limit_days": 10,
            },
        )
    grids = Grid.objects.filter(retired_at__isnull=True).count()
    agents = Staff.objects.filter(active=True).count()
    extent = Area.objects.get(code="999999000000").boundary.extent
    rng = random.Random(20261128)

    def points(n):
        return [
            (rng.uniform(extent[0], extent[2]), rng.uniform(extent[1], extent[3])) for _ in range(n)
        ]

    day = timezone.localdate() + timedelta(days=2)
    while not is_workday(day).value:
        day += timedelta(days=1)
    tz = timezone.get_current_timezone()
    ws = datetime(day.year, day.month, day.day, 9, tzinfo=tz)
    we = ws + timedelta(hours=2)

    def decide(p):
        ranking = routing.rank([routing.Request(0, p[0], p[1], ws, we)])[0]
        return next((c for c in ranking.candidates if c.eligible), None)

    sample = points(args.decisions)
    # every measure on a warm cache: whichever ran first would otherwise read from disk the pages
    # of the sample's grids and agents that the later ones find cached
    chosen = sum(1 for p in sample if decide(p) is not None)
    decision = timed(decide, sample)

    db = settings.DATABASES["default"]
    with (
        psycopg.connect(
            host=db["HOST"],
            port=db["PORT"],
            dbname=db["NAME"],
            user=db["USER"],
            password=db.get("PASSWORD") or None,
            options="-c jit=off",
        ) as conn,
        conn.cursor() as cursor,
    ):
        minimal = timed(lambda p: cursor.execute(MINIMAL_SQL, p, prepare=True).fetchall(), sample)
        people = settings.PEOPLE
        lookup = {
            "day": day,
            "ws": ws,
            "we": we,
            "cap": people["OPEN_WORK_CAP"],
            "age": people["POSITION_MAX_AGE_MINUTES"],
            "acc": people["POSITION_MAX_ACCURACY_M"],
        }

        def bound(sql):
            def run(p):
                lookup["lon"], lookup["lat"] = p
                return cursor.execute(sql, lookup, prepare=True).fetchall()

            return run

        same, flat = bound(SAME_LOOKUP_SQL), bound(FLAT_LOOKUP_SQL)
        # the bound answers the decision's question: the same agent, where one is eligible
        agree = sum(
            1
            for p in sample[:500]
            if [(c.staff_id,) for c in [decide(p)] if c is not None] == same(p)
        )
        same_lookup = timed(same, sample)
        flat_lookup = timed(flat, sample)
        one_sql, params = routing._statement([routing.Request(0, 0.0, 0.0, ws, we)], False)
        one_sql = routing._BINARY[one_sql]  # as the decision sends it

        def full(p):
            params["lon"], params["lat"] = p
            return cursor.execute(one_sql, params, prepare=True).fetchall()

        ranking_raw = timed(full, sample)

    http_result = bench_http(args.http, points(args.http + WARMUP_REQUESTS), ws, we)
    bulk_result = bench_bulk(args.bulk, args.bulk_workers, extent, ws, we, backlog, connection)

    result = {
        "benchmark": "routing",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": describe(),
        "grids": grids,
        "agents": agents,
        "decision_in_process": decision,
        "decision_found_agent_share": round(chosen / len(sample), 3),
        "raw_sql_minimal_lookup": minimal,
        "raw_sql_same_lookup": same_lookup,
        "same_lookup_agrees_with_decision_share": round(agree / len(sample[:500]), 3),
        "raw_sql_flat_lookup_without_working_time": flat_lookup,
        "raw_sql_ranking_function": ranking_raw,
        "ratio_decision_to_minimal_p95": round(decision["p95_ms"] / minimal["p95_ms"], 2),
        "ratio_decision_to_same_lookup_p95": round(decision["p95_ms"] / same_lookup["p95_ms"], 2),
        "ratio_decision_to_same_lookup_median": round(
            decision["median_ms"] / same_lookup["median_ms"], 2
        ),
        "ratio_decision_to_flat_lookup_p95": round(decision["p95_ms"] / flat_lookup["p95_ms"], 2),
        "ratio_decision_to_ranking_function_p95": round(
            decision["p95_ms"] / ranking_raw["p95_ms"], 2
        ),
        "http_post_appointments": http_result,
        "bulk_routing": bulk_result,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"routing-{grids}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"written to {path}")


WARMUP_REQUESTS = 50


def bench_http(n: int, pts, ws, we) -> dict:
    """POST /api/v1/appointments/ on gunicorn (2 workers) over loopback, as district staff."""
    from benchmarks.server import district_token, gunicorn

    token = district_token()
    # the capacity of the server, not the pace limit of a desk
    with gunicorn(THROTTLE_APPOINTMENTS_STAFF="1000000/minute") as port:
        headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}

        def body(p):
            return json.dumps(
                {
                    "service_item": "MZ-001",
                    "applicant_name": "基准",
                    "applicant_phone": "13800001234",
                    "location": {"type": "Point", "coordinates": list(p)},
                    "address": "合成地址",
                    "channel": "phone",
                    "preferred_start": ws.isoformat(),
                    "preferred_end": we.isoformat(),
                }
            )

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        # warm-up, not measured: each worker's first requests import code and plan statements
        for p in pts[:WARMUP_REQUESTS]:
            conn.request("POST", "/api/v1/appointments/", body(p), headers)
            conn.getresponse().read()
        latencies, statuses = [], {}
        for p in pts[WARMUP_REQUESTS:]:
            start = time.perf_counter()
            conn.request("POST", "/api/v1/appointments/", body(p), headers)
            response = conn.getresponse()
            response.read()
            latencies.append((time.perf_counter() - start) * 1000)
            statuses[response.status] = statuses.get(response.status, 0) + 1
        latencies.sort()

        done = [0]
        concurrent_statuses: dict[int, int] = {}
        lock = threading.Lock()

        def worker(chunk):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for p in chunk:
                c.request("POST", "/api/v1/appointments/", body(p), headers)
                response = c.getresponse()
                response.read()
                with lock:
                    done[0] += 1
                    concurrent_statuses[response.status] = (
                        concurrent_statuses.get(response.status, 0) + 1
                    )

        chunks = [pts[i::4] for i in range(4)]
        started = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    return {
        "server": "gunicorn, 2 sync workers, loopback, token auth",
        "sequential_n": len(latencies),
        "warmup_requests": WARMUP_REQUESTS,
        "median_ms": round(latencies[len(latencies) // 2], 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 2),
        "statuses": statuses,
        "concurrent_clients": 4,
        "concurrent_statuses": concurrent_statuses,
        # answered 201 per second: a fast error must not count as throughput
        "requests_per_s": round(concurrent_statuses.get(201, 0) / elapsed, 1),
    }


def bench_bulk(n: int, workers: int, extent, ws, we, backlog, connection) -> dict:
    """Route a backlog of n queued appointments with the set-based statement, in batches."""
    from catalogue.models import ServiceItem

    item = ServiceItem.objects.get(code="MZ-001")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO appointments_appointment (tracking_code, applicant_name, applicant_phone,
                resident_id_encrypted, resident_id_hash, resident_id_masked, address, location,
                service_item_id, item_version_id, description, preferred_start, preferred_end, channel,
                notes, created_at, status, first_inquiry, outside_coverage, routing, version)
            SELECT 'B' || upper(substr(md5(random()::text || k), 1, 11)), '基准', '13800001234', '', '', '', '合成地址',
                   ST_SetSRID(ST_MakePoint(%(x0)s + random() * (%(x1)s - %(x0)s),
                                           %(y0)s + random() * (%(y1)s - %(y0)s)), 4326),
                   %(item)s, %(version)s, '', %(ws)s, %(we)s, 'open311', '', now(), 'unrouted', false,
                   false, '{}'::jsonb, 1
            FROM generate_series(1, %(n)s) AS k
            """,
            {
                "x0": extent[0],
                "x1": extent[2],
                "y0": extent[1],
                "y1": extent[3],
                "item": item.pk,
                "version": item.current.pk,
                "ws": ws,
                "we": we,
                "n": n,
            },
        )
        cursor.execute("ANALYZE appointments_appointment")
    started = time.perf_counter()
    routed = backlog.route_queued(batch_size=1000, workers=workers)
    elapsed = time.perf_counter() - started
    return {
        "queued": n,
        "routed_to_an_agent": routed,
        "seconds": round(elapsed, 1),
        "appointments_per_s": round(n / elapsed, 1),
        "batch_size": 1000,
        "workers": workers,
    }


if __name__ == "__main__":
    main()
