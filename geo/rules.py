"""The spatial rules every write path goes through (API, admin, import command, services).

Each rule runs in PostGIS, raises a `GeometryError` with a stable code and where the problem
is, and changes nothing. Tolerances come from `settings.GEO`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.utils.translation import gettext as _

from .geometry import GeometryError, geo_setting
from .models import Area


def _ewkb(geom: GEOSGeometry) -> bytes:
    return bytes(geom.ewkb)


def check_parent_level(*, level: str, kind: str, parent: Area | None) -> None:
    """A street/town sits in a district, a community/village in a street/town; kinds fit levels."""
    if kind not in Area.KINDS_BY_LEVEL.get(level, set()):
        raise GeometryError(
            "level_kind_mismatch",
            _("Kind %(kind)s does not belong to level %(level)s.") % {"kind": kind, "level": level},
            details={"level": level, "kind": kind},
        )
    expected = Area.PARENT_LEVEL[level]
    got = parent.level if parent else None
    if expected != got:
        raise GeometryError(
            "parent_level_mismatch",
            _("An area of level %(level)s needs a parent of level %(expected)s, not %(got)s.")
            % {"level": level, "expected": expected or "none", "got": got or "none"},
            details={"level": level, "expected_parent_level": expected, "parent_level": got},
        )


def check_inside_parent(geom: GEOSGeometry, parent: Area, *, what: str) -> None:
    """A child area or grid lies inside its parent, give or take PARENT_TOLERANCE_M metres."""
    tolerance = geo_setting("PARENT_TOLERANCE_M")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ST_Area(outside::geography), ST_AsGeoJSON(ST_PointOnSurface(outside), 7)
            FROM (
                SELECT ST_CollectionExtract(
                    ST_Difference(
                        ST_GeomFromEWKB(%s),
                        ST_Buffer(p.boundary::geography, %s)::geometry
                    ), 3) AS outside
                FROM geo_area p WHERE p.id = %s
            ) AS d
            WHERE NOT ST_IsEmpty(outside)
            """,
            [_ewkb(geom), tolerance, parent.pk],
        )
        row = cursor.fetchone()
    if row is None:
        return
    area_m2, point = row
    location = json.loads(point)["coordinates"]
    raise GeometryError(
        "outside_parent",
        _(
            "The %(what)s extends %(area).0f m² outside %(parent)s (tolerance %(tol)s m), "
            "for example at [%(lon).6f, %(lat).6f]."
        )
        % {
            "what": what,
            "area": area_m2,
            "parent": parent.name,
            "tol": tolerance,
            "lon": location[0],
            "lat": location[1],
        },
        details={
            "parent": parent.code,
            "outside_area_m2": round(area_m2, 2),
            "location": location,
            "tolerance_m": tolerance,
        },
    )


def check_no_grid_overlap(
    geom: GEOSGeometry, community: Area, *, exclude_grid_ids: Iterable[int] = ()
) -> None:
    """Grids of one community do not overlap by more than OVERLAP_TOLERANCE_M2 square metres."""
    tolerance = geo_setting("OVERLAP_TOLERANCE_M2")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT code, ST_Area(overlap::geography) AS area_m2,
                   ST_AsGeoJSON(ST_PointOnSurface(overlap), 7)
            FROM (
                SELECT g.code,
                       ST_CollectionExtract(ST_Intersection(g.boundary, c.geom), 3) AS overlap
                FROM geo_grid g
                CROSS JOIN (SELECT ST_GeomFromEWKB(%s) AS geom) AS c
                WHERE g.retired_at IS NULL
                  AND g.community_id = %s
                  AND NOT (g.id = ANY(%s))
                  AND ST_Intersects(g.boundary, c.geom)
            ) AS o
            WHERE NOT ST_IsEmpty(overlap) AND ST_Area(overlap::geography) > %s
            ORDER BY area_m2 DESC, code
            """,
            [_ewkb(geom), community.pk, list(exclude_grid_ids), tolerance],
        )
        rows = cursor.fetchall()
    if not rows:
        return
    overlaps = [
        {
            "grid": code,
            "overlap_area_m2": round(area, 2),
            "location": json.loads(point)["coordinates"],
        }
        for code, area, point in rows
    ]
    first = overlaps[0]
    raise GeometryError(
        "grid_overlaps",
        _(
            "The grid overlaps grid %(grid)s by %(area).0f m² (tolerance %(tol)s m²), "
            "for example at [%(lon).6f, %(lat).6f]."
        )
        % {
            "grid": first["grid"],
            "area": first["overlap_area_m2"],
            "tol": tolerance,
            "lon": first["location"][0],
            "lat": first["location"][1],
        },
        details={"overlaps": overlaps, "tolerance_m2": tolerance},
    )


def check_parts_cover(parts: list[GEOSGeometry], whole: GEOSGeometry, *, grid_code: str) -> None:
    """A split's parts together cover the old grid and stay inside it (overlap tolerance)."""
    tolerance = geo_setting("OVERLAP_TOLERANCE_M2")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH parts AS (SELECT ST_Union(ST_GeomFromEWKB(p)) AS u FROM unnest(%s::bytea[]) AS p),
                 whole AS (SELECT ST_GeomFromEWKB(%s) AS w)
            SELECT ST_Area(ST_Difference(w, u)::geography), ST_Area(ST_Difference(u, w)::geography)
            FROM parts, whole
            """,
            [[_ewkb(p) for p in parts], _ewkb(whole)],
        )
        uncovered, beyond = cursor.fetchone()
    if uncovered > tolerance:
        raise GeometryError(
            "split_incomplete",
            _("The parts leave %(area).0f m² of grid %(grid)s uncovered.")
            % {"area": uncovered, "grid": grid_code},
            details={"uncovered_area_m2": round(uncovered, 2), "grid": grid_code},
        )
    if beyond > tolerance:
        raise GeometryError(
            "split_outside_grid",
            _("The parts extend %(area).0f m² beyond grid %(grid)s.")
            % {"area": beyond, "grid": grid_code},
            details={"outside_area_m2": round(beyond, 2), "grid": grid_code},
        )
