"""The spatial rules every write path goes through (API, admin, import command, services).

Each rule runs in PostGIS, raises a `GeometryError` with a stable code and where the problem
is, and changes nothing. Tolerances come from `settings.GEO`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
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
                   ST_AsGeoJSON(ST_PointOnSurface(overlap), 7),
                   ST_AsGeoJSON(ST_Multi(overlap), 7)
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
            # the overlapping polygon itself, for a map to draw where the grids collide
            "overlap": json.loads(polygon),
        }
        for code, area, point, polygon in rows
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


@dataclass(frozen=True)
class Piece:
    geom: MultiPolygon
    area_m2: float


def cut_along_line(whole: GEOSGeometry, line: GEOSGeometry, *, grid_code: str) -> list[Piece]:
    """The pieces `line` cuts a grid into (ST_Split), largest first, then west to east.

    A line that leaves the grid in one piece (it stops inside, runs along the edge or misses)
    is refused with `line_does_not_split` and where it meets the grid, or comes nearest to it.
    Pieces below the overlap tolerance are numerical dust and are not counted.
    """
    tolerance = geo_setting("OVERLAP_TOLERANCE_M2")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH i AS (SELECT ST_GeomFromEWKB(%s) AS whole, ST_GeomFromEWKB(%s) AS line),
                 p AS (SELECT (ST_Dump(ST_CollectionExtract(ST_Split(whole, line), 3))).geom AS g
                       FROM i)
            SELECT ST_AsEWKB(ST_Multi(g)), ST_Area(g::geography) AS a
            FROM p WHERE ST_Area(g::geography) > %s
            ORDER BY a DESC, ST_X(ST_PointOnSurface(g))
            """,
            [_ewkb(whole), _ewkb(line), tolerance],
        )
        rows = cursor.fetchall()
    if len(rows) >= 2:
        pieces = []
        for ewkb, area in rows:
            geom = GEOSGeometry(memoryview(bytes(ewkb)))
            geom.srid = 4326
            pieces.append(Piece(geom=geom, area_m2=round(area, 2)))
        return pieces
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH i AS (SELECT ST_GeomFromEWKB(%s) AS whole, ST_GeomFromEWKB(%s) AS line)
            SELECT ST_AsGeoJSON(CASE
                WHEN ST_Contains(whole, ST_StartPoint(line)) THEN ST_StartPoint(line)
                WHEN ST_Contains(whole, ST_EndPoint(line)) THEN ST_EndPoint(line)
                WHEN ST_Intersects(whole, line) THEN ST_PointOnSurface(ST_Intersection(whole, line))
                ELSE ST_ClosestPoint(line, whole) END, 7)
            FROM i
            """,
            [_ewkb(whole), _ewkb(line)],
        )
        point = json.loads(cursor.fetchone()[0])["coordinates"]
    raise GeometryError(
        "line_does_not_split",
        _(
            "The line does not cut grid %(grid)s in two: it must cross the grid from edge to "
            "edge (see [%(lon).6f, %(lat).6f])."
        )
        % {"grid": grid_code, "lon": point[0], "lat": point[1]},
        details={
            "grid": grid_code,
            "pieces": len(rows),
            "location": point,
            "line": json.loads(line.json),
        },
    )


def edit_reach(
    old: GEOSGeometry, new: GEOSGeometry, *, grid, managed_area_ids: Iterable[int]
) -> dict | None:
    """Where a boundary edit reaches beyond the areas its editor manages, or None.

    - `moves_shared_edge`: the changed part (old ⊖ new) touches, within SHARED_EDGE_TOLERANCE_M,
      an active grid of a community the editor does not manage: an edge shared with that grid
      would no longer be shared, so its boundary must follow;
    - `outside_managed_area`: the new boundary lies partly (beyond the overlap tolerance) in
      areas the editor does not manage.

    Answers the reason, the neighbouring grids and the ids of every community involved (the
    grid's own first): whoever manages all of them may apply the edit.
    """
    managed = sorted(set(managed_area_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH i AS (SELECT ST_GeomFromEWKB(%(old)s) AS old, ST_GeomFromEWKB(%(new)s) AS new),
                 c AS (SELECT ST_SymDifference(old, new) AS changed, new FROM i)
            SELECT
              (SELECT coalesce(array_agg(g.code ORDER BY g.code), '{}')
               FROM geo_grid g, c
               WHERE g.retired_at IS NULL AND g.id <> %(grid)s
                 AND NOT (g.community_id = ANY(%(managed)s))
                 AND ST_DWithin(g.boundary::geography, c.changed::geography, %(edge)s)),
              (SELECT coalesce(array_agg(DISTINCT g.community_id), '{}')
               FROM geo_grid g, c
               WHERE g.retired_at IS NULL AND g.id <> %(grid)s
                 AND NOT (g.community_id = ANY(%(managed)s))
                 AND ST_DWithin(g.boundary::geography, c.changed::geography, %(edge)s)),
              (SELECT coalesce(array_agg(a.id ORDER BY a.code), '{}')
               FROM geo_area a, c
               WHERE a.level = 'community' AND NOT (a.id = ANY(%(managed)s))
                 AND ST_Intersects(a.boundary, c.new)
                 AND ST_Area(ST_Intersection(a.boundary, c.new)::geography) > %(tol)s)
            """,
            {
                "old": _ewkb(old),
                "new": _ewkb(new),
                "grid": grid.pk,
                "managed": managed,
                "edge": geo_setting("SHARED_EDGE_TOLERANCE_M"),
                "tol": geo_setting("OVERLAP_TOLERANCE_M2"),
            },
        )
        neighbours, neighbour_areas, outside_areas = cursor.fetchone()
    if outside_areas:
        reason = "outside_managed_area"
        message = _("the new boundary lies partly outside the areas you manage")
    elif neighbours:
        reason = "moves_shared_edge"
        message = _("it moves an edge shared with grid %(grids)s of a neighbouring community") % {
            "grids": ", ".join(neighbours)
        }
    else:
        return None
    area_ids = [grid.community_id]
    for area_id in (*neighbour_areas, *outside_areas):
        if area_id not in area_ids:
            area_ids.append(area_id)
    return {
        "reason": reason,
        "reason_message": message,
        "neighbours": list(neighbours),
        "area_ids": area_ids,
        "areas": list(
            Area.objects.filter(pk__in=area_ids).order_by("code").values_list("code", flat=True)
        ),
    }
