"""The other tile layers at scale — areas, gaps, appointments, agents — measured like the grid
layer (benchmarks/tiles.py): per layer and zoom, a bare `ST_AsMVT` statement (raw SQL over
psycopg: the same rows, frame, clipping, extent and buffer as the layer, geometry and identifier
only), the layer's own statement (`tiles/layers.py`, raw SQL) and GET
/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf over HTTP, cold and then cached, as an administrator (the
one role that reads every layer district-wide, positions included).

Seeded data on top of the grid benchmark's (100,000 grids, 300,000 agents — half with a fresh
position — and 20,000 open appointments): areas at every level (`synth_grids`: the district,
its streets and communities), and coverage gaps: 2 % of the grids retired, their squares kept
as the gap pieces `gaps_refresh` would find (a retired grid inside a fully covered community
leaves exactly its square uncovered), without running the 17-second coverage analysis.
"""

from __future__ import annotations

LAYERS = ("areas", "gaps", "appointments", "agents")
GAP_SHARE = 0.02

_FRAME = """
WITH b AS MATERIALIZED (
    SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile,
           ST_Transform(ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096), 4326) AS box
)
"""


def _geom(column: str) -> str:
    return f"ST_AsMVTGeom(ST_Transform({column}, 3857), b.tile, 4096, 64, true)"


BARE = {
    # the same clipping as the layer (ST_ClipByBox2D before the transform), code only
    "areas": f"""{_FRAME}
        SELECT ST_AsMVT(q, 'areas', 4096, 'geom') FROM (
            SELECT {_geom("ST_ClipByBox2D(a.boundary, b.box)")} AS geom, a.code
            FROM geo_area a, b WHERE a.boundary && b.box
        ) q WHERE geom IS NOT NULL""",
    "gaps": f"""{_FRAME}
        SELECT ST_AsMVT(q, 'gaps', 4096, 'geom') FROM (
            SELECT {_geom("ST_ClipByBox2D(gp.geom, b.box)")} AS geom, gp.id
            FROM tiles_gap gp, b WHERE gp.geom && b.box
        ) q WHERE geom IS NOT NULL""",
    # open appointments and open cases with a location, id only
    "appointments": f"""{_FRAME}
        SELECT ST_AsMVT(q, 'appointments', 4096, 'geom') FROM (
            SELECT {_geom("a.location")} AS geom, a.id FROM appointments_appointment a, b
            WHERE a.status = ANY(%(open)s) AND a.location && b.box
            UNION ALL
            SELECT {_geom("c.location")} AS geom, c.id FROM cases_case c, b
            WHERE c.status = ANY(%(open_cases)s) AND c.location && b.box
        ) q WHERE geom IS NOT NULL""",
    # active agents with a position inside the retention period, id only
    "agents": f"""{_FRAME}
        SELECT ST_AsMVT(q, 'agents', 4096, 'geom') FROM (
            SELECT {_geom("s.last_position")} AS geom, s.id FROM people_staff s, b
            WHERE s.active AND s.roles @> ARRAY['agent']::varchar[]
              AND s.last_position && b.box AND s.last_position_at >= %(kept_since)s
        ) q WHERE geom IS NOT NULL""",
}


def seed_gaps(share: float = GAP_SHARE) -> int:
    """Retire `share` of the synthetic grids and keep their squares as gap pieces; → pieces."""
    from django.db import connection

    with connection.cursor() as cursor:
        if _count(cursor, "tiles_gap"):
            return _count(cursor, "tiles_gap")
        cursor.execute(
            """
            WITH gone AS (
                UPDATE geo_grid SET retired_at = now(), retired_reason = 'benchmark gap'
                WHERE id IN (SELECT id FROM geo_grid WHERE code LIKE 'S%%' AND retired_at IS NULL
                             ORDER BY md5(code) LIMIT (SELECT count(*) * %s FROM geo_grid))
                RETURNING community_id, boundary
            )
            INSERT INTO tiles_gap (community_id, geom, area_m2, computed_at)
            SELECT community_id, ST_GeometryN(boundary, 1), ST_Area(boundary::geography), now()
            FROM gone
            """,
            [share],
        )
        cursor.execute("DELETE FROM tiles_gapdirty")  # what the refresh would have found
        for table in ("tiles_gap", "geo_grid"):
            cursor.execute(f"ANALYZE {table}")
        return _count(cursor, "tiles_gap")


def _count(cursor, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {table}")
    return cursor.fetchone()[0]


def admin():
    """(staff, device token) of an administrator of the benchmark district (created once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from accounts.services import login_with_password
    from geo.models import Area
    from people.models import Role, Staff

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"password": make_password("bench-pass")}
    )
    staff = Staff.objects.filter(user=user).first() or Staff.objects.create(
        user=user,
        full_name="基准管理员",
        phone="19900000002",
        roles=[Role.ADMIN],
        centre=Area.objects.get(code="999999000000").centre,
    )
    _user, token = login_with_password(identifier="bench-admin", password="bench-pass", device="b")
    return staff, token


def bare_statement(layer: str):
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from appointments.models import OPEN_STATUSES
    from cases.models import OPEN

    kept_since = timezone.now() - timedelta(days=settings.PEOPLE["POSITION_RETENTION_DAYS"])

    def statement(tile):
        z, x, y = tile
        return BARE[layer], {
            "z": z,
            "x": x,
            "y": y,
            "open": list(OPEN_STATUSES),
            "open_cases": list(OPEN),
            "kept_since": kept_since,
        }

    return statement


def layer_statement(layer: str, staff):
    from django.utils import timezone

    from people.scope import Scope
    from tiles.layers import LAYERS as TILE_LAYERS
    from tiles.layers import TileRequest

    scope = Scope(staff=staff, everything=True)

    def statement(tile):
        z, x, y = tile
        request = TileRequest(
            user=staff.user, scope=scope, z=z, x=x, y=y, figure="agents", now=timezone.now()
        )
        return TILE_LAYERS[layer].statement(request)

    return statement


def bench_layers(samples: dict[int, list], zooms) -> dict:
    """Every layer of LAYERS at every zoom: bare, statement, HTTP cold and cached."""
    from benchmarks.tiles import bench_http, connection_raw, raw_timings

    staff, token = admin()
    results = {}
    for layer in LAYERS:
        with connection_raw() as cursor:
            bare = {
                z: raw_timings(cursor, bare_statement(layer), samples[z], features=True)
                for z in zooms
            }
            full = {
                z: raw_timings(cursor, layer_statement(layer, staff), samples[z]) for z in zooms
            }
        cold, cached, _floor, wire = bench_http(samples, layer=layer, token=token, floor=False)
        per_zoom = {}
        for z in zooms:
            b, f, c = bare[z]["timing"], full[z]["timing"], cold[z]
            per_zoom[z] = {
                "features_per_tile_mean": bare[z]["features_mean"],
                "bytes_per_tile_mean": full[z]["bytes_mean"],
                "bare_st_asmvt": b,
                "layer_statement": f,
                "http_cold": c,
                "http_cached": cached[z],
                "gzip_bytes_on_the_wire_mean": wire[z],
                "ratio_statement_to_bare_median": round(f["median_ms"] / b["median_ms"], 2),
                "ratio_http_cold_median_to_goal": round(
                    c["median_ms"] / (1.5 * b["median_ms"] + 2), 2
                ),
            }
        results[layer] = per_zoom
    return results
