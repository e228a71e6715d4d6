"""python manage.py synth_grids --grids N: a synthetic district with N grids, for benchmarks.

Square grids of --cell metres are cut with PostGIS in UTM zone 51N (EPSG:32651, metric) and
stored in WGS-84, ten by ten per community, a hundred communities per street. Rows are written
set-based in a few INSERT … SELECT statements, bypassing the per-grid rules (the layout is valid
by construction), so 100,000 grids take seconds, not hours. Never run it on production data.
"""

import math
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from geo.models import Area

DISTRICT = "999999000000"
ORIGIN_X, ORIGIN_Y = 520_000.0, 4_580_000.0  # UTM 51N, near 122.8 E, 41.4 N
BLOCK = 10  # cells per community side; communities per street: 100


class Command(BaseCommand):
    help = "Generate a synthetic district with N square grids (benchmarks only)."

    def add_arguments(self, parser):
        parser.add_argument("--grids", type=int, required=True)
        parser.add_argument("--cell", type=float, default=150.0, help="Grid side in metres.")

    def handle(self, *args, grids: int, cell: float, **opts):
        if grids < 1:
            raise CommandError("--grids must be at least 1")
        if Area.objects.filter(code=DISTRICT).exists():
            raise CommandError(f"the synthetic district {DISTRICT} exists already")
        started = time.monotonic()
        cols = math.ceil(math.sqrt(grids))
        rows = math.ceil(grids / cols)
        blocks_x = math.ceil(cols / BLOCK)
        params = {
            "n": grids,
            "cols": cols,
            "rows": rows,
            "bx": blocks_x,
            "by": math.ceil(rows / BLOCK),
            "s": cell,
            "x0": ORIGIN_X,
            "y0": ORIGIN_Y,
            "block": BLOCK,
        }
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(SQL_AREAS, params)
            cursor.execute(SQL_AREA_PARTS)
            cursor.execute(SQL_GRIDS, params)
            cursor.execute(SQL_VERSIONS)
            cursor.execute(SQL_CENTRES)
            cursor.execute("SELECT count(*) FROM geo_grid WHERE code LIKE 'S%%'")
            made = cursor.fetchone()[0]
        with connection.cursor() as cursor:
            for table in ("geo_grid", "geo_area", "geo_areapart"):
                cursor.execute(f"ANALYZE {table}")
        self.stdout.write(
            f"synthetic district {DISTRICT}: {made} grids of {cell:.0f} m "
            f"in {time.monotonic() - started:.1f} s"
        )


# Communities are numbered row-major over blocks; street k holds communities 100(k-1)+1 … 100k.
SQL_AREAS = """
WITH blocks AS (
    SELECT b AS idx, b %% %(bx)s AS bx, b / %(bx)s AS by
    FROM generate_series(0, %(bx)s * %(by)s - 1) AS b
),
community AS (
    SELECT idx, idx / 100 + 1 AS street, idx %% 100 + 1 AS num,
           ST_Transform(ST_MakeEnvelope(
               %(x0)s + bx * %(block)s * %(s)s,
               %(y0)s + by * %(block)s * %(s)s,
               %(x0)s + LEAST((bx + 1) * %(block)s, %(cols)s) * %(s)s,
               %(y0)s + LEAST((by + 1) * %(block)s, %(rows)s) * %(s)s, 32651), 4326) AS geom
    FROM blocks
),
district AS (
    INSERT INTO geo_area (code, name, level, kind, parent_id, boundary, boundary_source, updated_at)
    SELECT '999999000000', '合成区（基准测试）', 'district', 'district', NULL,
           ST_Multi(ST_Transform(ST_MakeEnvelope(%(x0)s, %(y0)s, %(x0)s + %(cols)s * %(s)s,
                                                 %(y0)s + %(rows)s * %(s)s, 32651), 4326)),
           'synthetic (synth_grids)', now()
    RETURNING id
),
streets AS (
    INSERT INTO geo_area (code, name, level, kind, parent_id, boundary, boundary_source, updated_at)
    SELECT '999999' || lpad(street::text, 3, '0') || '000', '合成街道' || street,
           'street', 'street', (SELECT id FROM district),
           ST_Multi(ST_Union(geom)), 'synthetic (synth_grids)', now()
    FROM community GROUP BY street
    RETURNING id, code
)
INSERT INTO geo_area (code, name, level, kind, parent_id, boundary, boundary_source, updated_at)
SELECT '999999' || lpad(c.street::text, 3, '0') || lpad(c.num::text, 3, '0'),
       '合成社区' || c.idx, 'community', 'community', s.id, ST_Multi(c.geom),
       'synthetic (synth_grids)', now()
FROM community c JOIN streets s ON s.code = '999999' || lpad(c.street::text, 3, '0') || '000'
"""

SQL_AREA_PARTS = """
INSERT INTO geo_areapart (area_id, geom)
SELECT id, (ST_Dump(ST_Subdivide(boundary, 256))).geom FROM geo_area WHERE code LIKE '999999%%'
"""

SQL_GRIDS = """
INSERT INTO geo_grid (code, name, community_id, boundary, created_at, retired_reason)
SELECT 'S' || lpad(k::text, 7, '0'), '合成网格' || k, a.id,
       ST_Multi(ST_Transform(ST_MakeEnvelope(
           %(x0)s + c * %(s)s, %(y0)s + r * %(s)s,
           %(x0)s + (c + 1) * %(s)s, %(y0)s + (r + 1) * %(s)s, 32651), 4326)),
       now(), ''
FROM generate_series(0, %(n)s - 1) AS k
CROSS JOIN LATERAL (SELECT k %% %(cols)s AS c, k / %(cols)s AS r) AS cr
CROSS JOIN LATERAL (
    SELECT (r / %(block)s) * %(bx)s + c / %(block)s AS idx
) AS blk
JOIN geo_area a ON a.code = '999999' || lpad((blk.idx / 100 + 1)::text, 3, '0')
                                      || lpad((blk.idx %% 100 + 1)::text, 3, '0');
"""

SQL_VERSIONS = """
INSERT INTO geo_gridboundary (grid_id, version, geom, valid_from, valid_to, created_by_id, note)
SELECT id, 1, boundary, created_at, NULL, NULL, 'synthetic (synth_grids)'
FROM geo_grid WHERE code LIKE 'S%%';
"""

SQL_CENTRES = """
INSERT INTO geo_servicecentre (area_id, name, address, location, phone, opening_hours, acceptance,
                               acceptance_weekdays)
SELECT id, name || '服务中心', '合成地址', ST_PointOnSurface(boundary), '0427-0000000',
       '工作日 8:30-17:30', 'rota', '{}'
FROM geo_area WHERE code LIKE '999999%%';
"""
