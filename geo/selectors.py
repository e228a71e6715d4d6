"""Reads of the spatial core: point lookups, nearest grid, coverage analysis.

All spatial work runs in PostGIS on indexes: `ST_Covers` on GiST for containment, the `<->`
operator (KNN) for nearest, then exact distances in metres on geography for a short list.

Shared-edge rule: a point covered by more than one grid (on a shared edge or vertex) belongs
to the grid with the smallest code. Codes never change, so the answer is stable over time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import connection

from .geometry import geo_setting
from .models import Area

LEVEL_ORDER = {Area.Level.DISTRICT: 0, Area.Level.STREET: 1, Area.Level.COMMUNITY: 2}


def area_chain_for_point(point: Point) -> list[Area]:
    """District → street/town → community/village containing the point (as deep as it goes)."""
    covering = (
        Area.objects.filter(parts__geom__covers=point)
        .select_related("parent__parent")
        .defer("boundary", "parent__boundary", "parent__parent__boundary")
    )
    candidates = sorted(set(covering), key=lambda a: (-LEVEL_ORDER[a.level], a.code))
    if not candidates:
        return []
    chain = [candidates[0]]
    while chain[0].parent is not None:
        chain.insert(0, chain[0].parent)
    return chain


@dataclass(frozen=True)
class GridHit:
    """The few fields a lookup needs; no geometry is read back (parsing it costs more than
    the indexed lookup itself)."""

    id: int
    code: str
    name: str
    community_id: int
    community_code: str


# the covering-or-nearest rules live in one SQL function, geo/sql/grid_at.sql (routing_rank
# calls it too); a NULL limit asks for the covering grid only
_GRID_AT = """
    SELECT g.grid_id, g.code, g.name, g.community_id, a.code, g.outside, g.distance_m
    FROM grid_at(ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s) g
    JOIN geo_area a ON a.id = g.community_id
"""

# a past moment: the boundaries then (same shared-edge rule as grid_at: smallest code)
_GRID_AT_POINT_THEN = """
    SELECT g.id, g.code, g.name, g.community_id, a.code
    FROM geo_gridboundary b
    JOIN geo_grid g ON g.id = b.grid_id
    JOIN geo_area a ON a.id = g.community_id
    WHERE ST_Covers(b.geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326))
      AND b.valid_from <= %s AND (b.valid_to IS NULL OR b.valid_to > %s)
    ORDER BY g.code
    LIMIT 1
"""


@dataclass(frozen=True)
class NearestGrid:
    grid: GridHit
    distance_m: float


@dataclass(frozen=True)
class GridAt:
    """The grid a point belongs to: covering it, or (outside coverage) the nearest in range."""

    grid: GridHit
    outside: bool
    distance_m: float


def grid_at(point: Point, *, max_distance_m: float | None) -> GridAt | None:
    """The active grid covering the point (smallest code on a shared edge), else the nearest
    within `max_distance_m` metres (KNN, then exact), flagged outside coverage; `None` as the
    limit: the covering grid only. One indexed statement (`grid_at()` in SQL)."""
    with connection.cursor() as cursor:
        cursor.execute(_GRID_AT, [point.x, point.y, max_distance_m])
        row = cursor.fetchone()
    if row is None:
        return None
    return GridAt(grid=GridHit(*row[:5]), outside=row[5], distance_m=row[6])


def grid_for_point(point: Point, *, at: datetime | None = None) -> GridHit | None:
    """The grid covering the point (now, or at a past moment); smallest code on a shared edge.

    One indexed statement (the partial GiST index on active grids' boundaries).
    """
    if at is None:
        found = grid_at(point, max_distance_m=None)
        return found.grid if found else None
    with connection.cursor() as cursor:
        cursor.execute(_GRID_AT_POINT_THEN, [point.x, point.y, at, at])
        row = cursor.fetchone()
    return GridHit(*row) if row else None


def nearest_grid(point: Point, *, max_distance_m: float | None = None) -> NearestGrid | None:
    """The active grid nearest to the point within `max_distance_m` metres (KNN, then exact);
    a covered point's nearest grid is the one covering it, at 0 m."""
    limit = geo_setting("NEAREST_GRID_MAX_M") if max_distance_m is None else max_distance_m
    found = grid_at(point, max_distance_m=limit)
    return NearestGrid(grid=found.grid, distance_m=found.distance_m) if found else None


@dataclass(frozen=True)
class Location:
    point: Point
    areas: list[Area]
    grid: GridHit | None
    nearest: NearestGrid | None

    @property
    def outside_coverage(self) -> bool:
        return self.grid is None


def locate(point: Point) -> Location:
    """Everything the system knows about a point: its area chain, its grid or the nearest one."""
    found = grid_at(point, max_distance_m=geo_setting("NEAREST_GRID_MAX_M"))
    covering = found is not None and not found.outside
    return Location(
        point=point,
        areas=area_chain_for_point(point),
        grid=found.grid if covering else None,
        nearest=NearestGrid(grid=found.grid, distance_m=found.distance_m)
        if found is not None and found.outside
        else None,
    )


def area_ids_below(root_ids) -> set[int]:
    """The given areas and everything below them (the tree is three levels deep)."""
    if not root_ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE tree AS (
                SELECT id FROM geo_area WHERE id = ANY(%s)
                UNION
                SELECT a.id FROM geo_area a JOIN tree t ON a.parent_id = t.id
            )
            SELECT id FROM tree
            """,
            [list(root_ids)],
        )
        return {row[0] for row in cursor.fetchall()}


def area_ids_above(root_ids) -> set[int]:
    """The given areas and every area they lie in."""
    if not root_ids:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE up AS (
                SELECT id, parent_id FROM geo_area WHERE id = ANY(%s)
                UNION
                SELECT a.id, a.parent_id FROM geo_area a JOIN up u ON a.id = u.parent_id
            )
            SELECT id FROM up
            """,
            [list(root_ids)],
        )
        return {row[0] for row in cursor.fetchall()}


def area_descendant_ids(area: Area) -> list[int]:
    """The area and everything below it."""
    return sorted(area_ids_below({area.pk}))


@dataclass(frozen=True)
class Coverage:
    area: Area
    area_m2: float
    uncovered_m2: float
    covered_pct: float
    communities: int
    communities_without_grids: list[str]
    grids: int
    gaps: list[dict]  # {"geometry": GEOSGeometry, "area_m2": float, "community": code|None}
    overlaps: list[dict]  # {"geometry", "area_m2", "grids": [code, code]}


def coverage_for_area(area: Area) -> Coverage:
    """What part of the area no active grid covers, where grids overlap, and the counts.

    Gaps are computed per community (its boundary minus the union of its grids) plus the part
    of the area that lies in no community, so the work stays proportional to each community's
    grids even for a whole district. Pieces smaller than COVERAGE_MIN_AREA_M2 are noise.
    """
    min_area = geo_setting("COVERAGE_MIN_AREA_M2")
    ids = area_descendant_ids(area)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH target AS (SELECT boundary FROM geo_area WHERE id = %(area)s),
            communities AS (
                SELECT id, code, boundary FROM geo_area
                WHERE id = ANY(%(ids)s) AND level = 'community'
            ),
            current AS (
                SELECT community_id, boundary AS geom FROM geo_grid
                WHERE retired_at IS NULL AND community_id = ANY(%(ids)s)
            ),
            gap_sources AS (
                SELECT c.code, ST_Difference(
                    c.boundary,
                    COALESCE((SELECT ST_Union(geom) FROM current WHERE community_id = c.id),
                             ST_GeomFromText('POLYGON EMPTY', 4326))
                ) AS geom
                FROM communities c
                UNION ALL
                SELECT NULL, ST_Difference(
                    t.boundary,
                    COALESCE((SELECT ST_Union(boundary) FROM communities),
                             ST_GeomFromText('POLYGON EMPTY', 4326))
                )
                FROM target t
            ),
            pieces AS (
                SELECT code, (ST_Dump(ST_CollectionExtract(
                    ST_Intersection(g.geom, t.boundary), 3))).geom AS geom
                FROM gap_sources g, target t
            )
            SELECT code, ST_AsEWKB(geom), ST_Area(geom::geography) AS area_m2
            FROM pieces
            WHERE ST_Area(geom::geography) >= %(min)s
            ORDER BY area_m2 DESC
            """,
            {"area": area.pk, "ids": ids, "min": min_area},
        )
        gaps = [
            {"community": code, "geometry": _geom(ewkb), "area_m2": round(a, 1)}
            for code, ewkb, a in cursor.fetchall()
        ]
        cursor.execute(
            """
            WITH current AS (
                SELECT id, code, community_id, boundary AS geom FROM geo_grid
                WHERE retired_at IS NULL AND community_id = ANY(%(ids)s)
            ),
            pairs AS (
                SELECT a.code AS a_code, b.code AS b_code,
                       ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3) AS geom
                FROM current a JOIN current b
                  ON a.community_id = b.community_id AND a.id < b.id
                 AND a.geom && b.geom AND ST_Intersects(a.geom, b.geom)
            )
            SELECT a_code, b_code, ST_AsEWKB(geom), ST_Area(geom::geography)
            FROM pairs WHERE NOT ST_IsEmpty(geom) AND ST_Area(geom::geography) >= %(min)s
            ORDER BY 4 DESC
            """,
            {"ids": ids, "min": min_area},
        )
        overlaps = [
            {"grids": [a, b], "geometry": _geom(ewkb), "area_m2": round(m2, 1)}
            for a, b, ewkb, m2 in cursor.fetchall()
        ]
        cursor.execute(
            """
            SELECT ST_Area(a.boundary::geography),
                   (SELECT count(*) FROM geo_area c
                     WHERE c.id = ANY(%(ids)s) AND c.level = 'community'),
                   (SELECT count(*) FROM geo_grid g WHERE g.community_id = ANY(%(ids)s)
                        AND g.retired_at IS NULL),
                   (SELECT coalesce(array_agg(c.code ORDER BY c.code), '{}') FROM geo_area c
                    WHERE c.id = ANY(%(ids)s) AND c.level = 'community'
                      AND NOT EXISTS (SELECT 1 FROM geo_grid g
                                      WHERE g.community_id = c.id AND g.retired_at IS NULL))
            FROM geo_area a WHERE a.id = %(area)s
            """,
            {"area": area.pk, "ids": ids},
        )
        area_m2, communities, grids, empty_communities = cursor.fetchone()
    uncovered = sum(g["area_m2"] for g in gaps)
    covered_pct = 100.0 * max(0.0, 1 - uncovered / area_m2) if area_m2 else 0.0
    return Coverage(
        area=area,
        area_m2=round(area_m2, 1),
        uncovered_m2=round(uncovered, 1),
        covered_pct=round(covered_pct, 3),
        communities=communities,
        communities_without_grids=list(empty_communities),
        grids=grids,
        gaps=gaps,
        overlaps=overlaps,
    )


def _geom(ewkb) -> GEOSGeometry:
    geom = GEOSGeometry(memoryview(bytes(ewkb)))
    geom.srid = 4326
    return geom
