"""Point → grid lookup at scale: the selector (ORM, in-process) against the same query in raw
SQL over psycopg (the lower bound), on the synthetic district of `synth_grids`.

    python -m benchmarks.geo_lookup --grids 100000 [--samples 5000]
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime
from pathlib import Path

import django

RAW_SQL = (
    "SELECT id FROM geo_grid WHERE retired_at IS NULL "
    "AND ST_Covers(boundary, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) ORDER BY code LIMIT 1"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grids", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    django.setup()

    import psycopg
    from django.conf import settings
    from django.contrib.gis.geos import Point
    from django.core.management import call_command

    from benchmarks.machine import describe
    from benchmarks.stats import timed
    from geo.models import Area, Grid
    from geo.selectors import grid_for_point, nearest_grid

    if not Grid.objects.filter(code__startswith="S").exists():
        call_command("synth_grids", "--grids", str(args.grids))
    grid_count = Grid.objects.filter(retired_at__isnull=True).count()
    extent = Area.objects.get(code="999999000000").boundary.extent
    rng = random.Random(20261128)
    points = [
        (rng.uniform(extent[0], extent[2]), rng.uniform(extent[1], extent[3]))
        for _ in range(args.samples)
    ]

    found = sum(1 for lon, lat in points[:200] if grid_for_point(Point(lon, lat, srid=4326)))
    selector = timed(lambda p: grid_for_point(Point(p[0], p[1], srid=4326)), points)
    nearest = timed(
        lambda p: nearest_grid(Point(p[0], p[1], srid=4326), max_distance_m=500), points[:1000]
    )

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

        def raw(p):
            cursor.execute(RAW_SQL, p, prepare=True)
            return cursor.fetchone()

        raw_sql = timed(raw, points)

    result = {
        "benchmark": "geo_point_lookup",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": describe(),
        "grids": grid_count,
        "hit_rate": round(found / 200, 3),
        "grid_for_point": selector,
        "raw_sql_lower_bound": raw_sql,
        "ratio_median": round(selector["median_ms"] / raw_sql["median_ms"], 2),
        "ratio_p95": round(selector["p95_ms"] / raw_sql["p95_ms"], 2),
        "nearest_grid_500m": nearest,
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"geo_lookup-{grid_count}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
