"""Vector tiles of the grid layer at scale, cold (nothing cached), zooms 12–15: the bare
`ST_AsMVT` query (geometry and code only, raw SQL over psycopg — the lower bound), the full
grid statement with its figures (raw SQL), and GET /api/v1/tiles/grids/{z}/{x}/{y}.pbf over
HTTP on gunicorn (loopback) — cold, then the same tiles again from the cache. Then the same for
the areas, gaps, appointments and agents layers (benchmarks/tiles_layers.py; `--no-layers`
skips them).

    python -m benchmarks.tiles --grids 100000 --per-grid 3 [--tiles 100]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import django

from benchmarks.tiles_layers import bench_layers, seed_gaps

ZOOMS = (12, 13, 14, 15)

BARE_SQL = """
SELECT ST_AsMVT(q, 'grids', 4096, 'geom') FROM (
    SELECT ST_AsMVTGeom(ST_Transform(boundary, 3857), ST_TileEnvelope(%s, %s, %s), 4096, 64, true)
           AS geom, code
    FROM geo_grid
    WHERE retired_at IS NULL
      AND boundary && ST_Transform(ST_TileEnvelope(%s, %s, %s, margin => 64.0 / 4096), 4326)
) q WHERE geom IS NOT NULL
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grids", type=int, default=100_000)
    parser.add_argument("--per-grid", type=int, default=3)
    parser.add_argument("--appointments", type=int, default=20_000)
    parser.add_argument("--tiles", type=int, default=100, help="tiles sampled per zoom")
    parser.add_argument("--out", default="benchmarks/results")
    parser.add_argument("--session-seconds", type=int, default=30)
    parser.add_argument(
        "--no-layers",
        dest="layers",
        action="store_false",
        help="the grid layer only (not areas, gaps, appointments, agents)",
    )
    args = parser.parse_args()
    django.setup()

    from django.core.management import call_command

    from benchmarks.machine import describe
    from geo.models import Area, Grid
    from people.models import Staff

    if not Grid.objects.filter(code__startswith="S").exists():
        call_command("synth_grids", "--grids", str(args.grids))
    if not Staff.objects.filter(full_name__startswith="合成代办员").exists():
        call_command("synth_staff", "--per-grid", str(args.per_grid))
    open_appointments = ensure_open_work(args.appointments)
    gaps = seed_gaps() if args.layers else 0
    from tiles.figures import figures_refresh

    started = time.perf_counter()
    refreshed = figures_refresh()  # what the schedule keeps current (tiles/figures.py)
    refresh_s = round(time.perf_counter() - started, 2)
    grids = Grid.objects.filter(retired_at__isnull=True).count()
    agents = Staff.objects.filter(active=True).count()
    extent = Area.objects.get(code="999999000000").boundary.extent

    rng = random.Random(20261128)
    samples = {z: sample_tiles(extent, z, args.tiles, rng) for z in ZOOMS}
    with connection_raw() as cursor:
        cursor.execute("SELECT count(*) FROM geo_grid")  # warm the catalogue and the buffers
        bare = {z: raw_timings(cursor, bare_statement, samples[z]) for z in ZOOMS}
        full = {z: raw_timings(cursor, full_statement, samples[z]) for z in ZOOMS}
    http_cold, http_warm, floor, wire = bench_http(samples)
    session = bench_session(extent, seconds=args.session_seconds)
    layers = bench_layers(samples, ZOOMS) if args.layers else {}

    per_zoom = {}
    for z in ZOOMS:
        cold = http_cold[z]
        per_zoom[z] = {
            "tiles": len(samples[z]),
            "grids_per_tile_mean": bare[z]["features_mean"],
            "bytes_per_tile_mean": full[z]["bytes_mean"],
            "bare_st_asmvt": bare[z]["timing"],
            "full_grid_statement": full[z]["timing"],
            "http_cold": cold,
            "http_cached": http_warm[z],
            "gzip_bytes_on_the_wire_mean": wire[z],
            "ratio_http_cold_median_to_goal": round(
                cold["median_ms"] / (1.5 * bare[z]["timing"]["median_ms"] + 2), 2
            ),
            "ratio_http_cold_to_bare_median": round(
                cold["median_ms"] / bare[z]["timing"]["median_ms"], 2
            ),
            "ratio_http_cold_to_bare_p95": round(cold["p95_ms"] / bare[z]["timing"]["p95_ms"], 2),
            "ratio_http_cold_to_full_statement_median": round(
                cold["median_ms"] / full[z]["timing"]["median_ms"], 2
            ),
        }
    result = {
        "benchmark": "vector_tiles",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": describe(),
        "grids": grids,
        "agents": agents,
        "open_appointments": open_appointments,
        "layer": "grids (district-wide requester, figure agents)",
        "server": "gunicorn, 2 sync workers, loopback, token auth, Accept-Encoding gzip, "
        "tile cache: UNLOGGED PostgreSQL table tiles_tilecache",
        "figures_refresh": {"grids": refreshed, "seconds": refresh_s},
        "authenticated_empty_tile_floor": floor,
        "panning_session_with_bookings": session,
        "zooms": per_zoom,
        "other_layers": {
            "requester": "an administrator (every layer district-wide, positions included)",
            "seeded": seeded_counts(gaps),
            "layers": layers,
        },
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"tiles-{grids}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"written to {path}")


def seeded_counts(gaps: int) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT level, count(*) FROM geo_area GROUP BY level ORDER BY level")
        areas = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FROM people_staff WHERE active AND last_position IS NOT NULL"
        )
        positions = cursor.fetchone()[0]
    return {"areas": areas, "gap_pieces": gaps, "agents_with_a_position": positions}


def ensure_open_work(n: int) -> int:
    """n confirmed appointments with primary agents, so that open_work() finds something."""
    from django.db import connection

    from appointments.models import Appointment
    from catalogue import services as catalogue_services
    from catalogue.models import ServiceItem

    existing = Appointment.objects.filter(status__in=["confirmed", "awaiting_confirmation"]).count()
    if existing >= n:
        return existing
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
    item = ServiceItem.objects.get(code="MZ-001")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO appointments_appointment (tracking_code, applicant_name, applicant_phone,
                resident_id_encrypted, resident_id_hash, resident_id_masked, address, location,
                service_item_id, item_version_id, description, channel, notes, created_at,
                status, agent_id, grid_id, first_inquiry, outside_coverage, routing, version)
            SELECT 'TILE' || lpad(row_number() OVER ()::text, 7, '0'), '基准', '13800001234',
                   '', '', '', '合成地址', ST_PointOnSurface(g.boundary), %(item)s, %(version)s,
                   '', 'phone', '', now(), 'confirmed', ga.staff_id, g.id, false, false,
                   '{}'::jsonb, 1
            FROM (SELECT grid_id, staff_id FROM people_gridassignment
                  WHERE kind = 'primary' ORDER BY random() LIMIT %(n)s) ga
            JOIN geo_grid g ON g.id = ga.grid_id
            """,
            {"item": item.pk, "version": item.current.pk, "n": n - existing},
        )
        cursor.execute("ANALYZE appointments_appointment")
    return Appointment.objects.filter(status__in=["confirmed", "awaiting_confirmation"]).count()


def sample_tiles(extent, z: int, n: int, rng: random.Random) -> list[tuple[int, int, int]]:
    """Up to n distinct tiles lying wholly inside the district (full of grids)."""
    west, south, east, north = extent
    x0, y1 = tile_xy(west, south, z)
    x1, y0 = tile_xy(east, north, z)
    inner = [(z, x, y) for x in range(x0 + 1, x1) for y in range(y0 + 1, y1)]
    rng.shuffle(inner)
    return inner[:n]


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    lat_r = math.radians(lat)
    return int((lon + 180.0) / 360.0 * n), int(
        (1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2 * n
    )


@contextlib.contextmanager
def connection_raw():
    import psycopg
    from django.conf import settings

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
        yield cursor


def bare_statement(tile):
    z, x, y = tile
    return BARE_SQL, [z, x, y, z, x, y]


def full_statement(tile):
    from django.utils import timezone

    from people.scope import Scope
    from tiles.layers import LAYERS, TileRequest

    z, x, y = tile
    request = TileRequest(
        user=None,
        scope=Scope(staff=None, everything=True),
        z=z,
        x=x,
        y=y,
        figure="agents",
        now=timezone.now(),
    )
    return LAYERS["grids"].statement(request)


def raw_timings(cursor, statement, tiles, *, features: bool | None = None) -> dict:
    """Each tile once (nothing is cached below the HTTP layer), after 10 warm-up tiles;
    `features`: count the features (default: for the grid layer's bare statement)."""
    count = statement is bare_statement if features is None else features
    for tile in tiles[:10]:
        cursor.execute(*statement(tile))
    latencies, sizes, found = [], [], []
    for tile in tiles:
        sql, params = statement(tile)
        started = time.perf_counter()
        cursor.execute(sql, params)
        data = cursor.fetchone()[0] or b""
        latencies.append((time.perf_counter() - started) * 1000)
        sizes.append(len(data))
        if count:
            found.append(_feature_count(bytes(data)))
    return {
        "timing": summary(latencies),
        "bytes_mean": round(statistics.fmean(sizes)),
        "features_mean": round(statistics.fmean(found)) if found else None,
    }


def _feature_count(data: bytes) -> int:
    import mapbox_vector_tile

    layers = mapbox_vector_tile.decode(data) if data else {}
    return sum(len(layer["features"]) for layer in layers.values())


def summary(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {
        "n": len(samples),
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
        "mean_ms": round(statistics.fmean(samples), 2),
        "max_ms": round(samples[-1], 2),
    }


def bench_http(
    samples: dict[int, list], *, layer: str = "grids", token: str | None = None, floor: bool = True
) -> tuple[dict, dict, dict | None, dict]:
    """Every sampled tile of `layer` once with an empty tile cache (cold), then once more
    (cached); the floor: an authenticated empty tile (outside the district), cached."""
    from django.db import connection

    from benchmarks.server import district_token, gunicorn

    token = token or district_token()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE tiles_tilecache")
    headers = {"Authorization": f"Token {token}", "Accept-Encoding": "gzip"}
    wire = {}
    with gunicorn() as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def get(tile) -> tuple[float, int]:
            z, x, y = tile
            started = time.perf_counter()
            conn.request("GET", f"/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf", headers=headers)
            response = conn.getresponse()
            body = response.read()
            sizes.append(len(body))
            return (time.perf_counter() - started) * 1000, response.status

        sizes: list[int] = []
        # warm both workers' code paths and connections on (empty) tiles south of the district
        for z in ZOOMS:
            z_, x, y = samples[z][0]
            for dy in range(4):
                get((z_, x, y + 2 ** (z - 6) + dy))
        cold, warm = {}, {}
        for phase, into in (("cold", cold), ("cached", warm)):
            for z in ZOOMS:
                latencies, statuses = [], {}
                for tile in samples[z]:
                    ms, status = get(tile)
                    latencies.append(ms)
                    statuses[status] = statuses.get(status, 0) + 1
                into[z] = {**summary(latencies), "statuses": statuses}
                assert phase == "cached" or statuses.get(200, 0) + statuses.get(204, 0) == len(
                    samples[z]
                ), statuses
                if phase == "cold":
                    wire[z] = round(statistics.fmean(sizes[-len(samples[z]) :]))
        if not floor:
            return cold, warm, None, wire
        z, x, y = samples[15][0]
        empty = (15, x, y + 2**9)  # far south of the district: no grid
        get(empty)
        floor_timing = summary([get(empty)[0] for _ in range(200)])
    return cold, warm, floor_timing, wire


def bench_session(extent, *, seconds: int, bookings_per_s: float = 10.0) -> dict:
    """A map session at zoom 14 panning over the district (a 5 × 4 window of grid and work
    tiles, one column a second, back and forth) while bookings arrive at 10 a second (an open
    appointment handed to another agent of its grid, committed: what routing writes). The hit
    ratio is read from the tile responses' X-Tile-Cache header."""
    import threading

    from benchmarks.server import district_token, gunicorn

    token = district_token()
    headers = {"Authorization": f"Token {token}", "Accept-Encoding": "gzip"}
    z = 14
    west, south, east, north = extent
    x0, y0 = tile_xy((west + east) / 2, (south + north) / 2, z)
    stop = threading.Event()
    booked = [0]

    def bookings():
        rng = random.Random(7)
        with connection_raw() as cursor:
            cursor.connection.autocommit = True
            cursor.execute(
                "SELECT a.id, ga.staff_id FROM appointments_appointment a "
                "JOIN people_gridassignment ga ON ga.grid_id = a.grid_id "
                "WHERE a.status = 'confirmed' LIMIT 5000"
            )
            rows = cursor.fetchall()
            while not stop.is_set():
                started = time.perf_counter()
                appointment, agent = rng.choice(rows)
                cursor.execute(
                    "UPDATE appointments_appointment SET agent_id = %s WHERE id = %s",
                    [agent, appointment],
                )
                booked[0] += 1
                time.sleep(max(0.0, 1 / bookings_per_s - (time.perf_counter() - started)))

    counts = {"grids": {"hit": 0, "miss": 0}, "appointments": {"hit": 0, "miss": 0}}
    seen_again = {"hit": 0, "miss": 0}
    seen: set = set()
    with gunicorn() as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        writer = threading.Thread(target=bookings)
        writer.start()
        session_started = time.perf_counter()
        try:
            for step in range(seconds):
                started = time.perf_counter()
                offset = step % 20 if step % 40 < 20 else 20 - step % 20
                for layer in counts:
                    for dx in range(5):
                        for dy in range(4):
                            tile = (layer, z, x0 + offset + dx, y0 + dy)
                            conn.request(
                                "GET",
                                "/api/v1/tiles/{}/{}/{}/{}.pbf".format(*tile),
                                headers=headers,
                            )
                            response = conn.getresponse()
                            response.read()
                            state = response.getheader("X-Tile-Cache", "miss")
                            counts[layer][state] += 1
                            if tile in seen:
                                seen_again[state] += 1
                            seen.add(tile)
                time.sleep(max(0.0, 1 - (time.perf_counter() - started)))
        finally:
            stop.set()
            writer.join(10)
            elapsed = time.perf_counter() - session_started

    def ratio(c):
        total = c["hit"] + c["miss"]
        return round(c["hit"] / total, 3) if total else None

    return {
        "steps": seconds,
        "seconds": round(elapsed, 1),
        "zoom": z,
        "bookings": booked[0],
        "bookings_per_s": round(booked[0] / elapsed, 1),
        "requests": {layer: c for layer, c in counts.items()},
        "hit_ratio": {layer: ratio(c) for layer, c in counts.items()},
        "hit_ratio_of_tiles_seen_before": ratio(seen_again),
    }


if __name__ == "__main__":
    main()
