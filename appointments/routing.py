"""Spatial routing: which agent gets an appointment, and why.

The ranking is ONE SQL statement (`RANKING_SQL`), used for one appointment and set-based for
many (unnest + LATERAL), so the rule lives in one place:

1. the grid covering the point (smallest code on a shared edge); a point in no grid takes the
   nearest grid within NEAREST_GRID_MAX_M, flagged outside coverage;
2. candidates: the agents assigned (on the day of the window) to that grid — tier 1 — and, only
   when none of them is eligible, to the nearest other grids of its community
   (COMMUNITY_GRIDS of them) — tier 2;
3. eligible: active, not excluded (declined or timed out before), with working time in the
   appointment's window (`people_working_time`: their hours on working days, less leave) and
   under their open-work cap;
4. ranked: eligible first, tier, primary before backup, distance from a fresh last-known
   position (else from their station), open workload, staff id.

Python takes the first eligible candidate, or chooses the unrouted queue (station, community or
district), and writes the explanation. Positions and distances are in the explanation for
staff only; an anonymous booker sees the agent alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction

# one candidate's figures: distance to the home, open work, working time in the window, excluded
SCORE = """c.*,
           ST_Distance(
               CASE WHEN c.from_position THEN s.last_position ELSE ctr.location END::geography,
               req.geom::geography) AS distance_m,
           open_work(c.staff_id) AS load,
           NOT isempty(people_working_time(c.staff_id, req.ws, req.we, req.default_time)) AS available,
           c.staff_id::text = ANY(string_to_array(req.excluded, ',')) AS excluded"""
SCORE_JOINS = """JOIN req ON req.appt = c.appt
    JOIN people_staff s ON s.id = c.staff_id
    LEFT JOIN geo_servicecentre ctr ON ctr.id = s.centre_id"""

RANKING_SQL = """
WITH req AS (
    SELECT r.appt, r.lon, r.lat, r.ws, r.we, r.excluded,
           ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326) AS geom,
           (r.ws AT TIME ZONE 'Asia/Shanghai')::date AS day,
           people_default_working_time(r.ws, r.we) AS default_time
    FROM unnest(%(appt)s::bigint[], %(lon)s::float8[], %(lat)s::float8[],
                %(ws)s::timestamptz[], %(we)s::timestamptz[], %(excluded)s::text[])
         AS r(appt, lon, lat, ws, we, excluded)
),
covered AS (
    SELECT req.appt, g.id AS grid_id, g.code, g.community_id, false AS outside
    FROM req CROSS JOIN LATERAL (
        SELECT g.id, g.code, g.community_id FROM geo_grid g
        WHERE g.retired_at IS NULL AND ST_Covers(g.boundary, req.geom)
        ORDER BY g.code LIMIT 1
    ) g
),
anchor AS (
    SELECT * FROM covered
    UNION ALL
    -- a point in no grid: the nearest grid within range (KNN on 8, then exact metres)
    SELECT u.appt, n.id, n.code, n.community_id, true
    FROM (SELECT * FROM req WHERE NOT EXISTS (SELECT 1 FROM covered c WHERE c.appt = req.appt)) u
    CROSS JOIN LATERAL (
        SELECT k.* FROM (
            SELECT g.id, g.code, g.community_id,
                   ST_Distance(g.boundary::geography, u.geom::geography) AS d
            FROM geo_grid g WHERE g.retired_at IS NULL
            ORDER BY g.boundary <-> u.geom LIMIT 8
        ) k
        ORDER BY k.d, k.code LIMIT 1
    ) n
    WHERE n.d <= %(max_m)s
),
pool AS (
    -- the anchor grid, then the nearest other grids of its community (at most %(community_grids)s)
    SELECT an.appt, an.code AS anchor_code, an.outside, g.id AS grid_id, g.code AS grid_code,
           CASE WHEN g.id = an.grid_id THEN 1 ELSE 2 END AS tier
    FROM anchor an
    JOIN req ON req.appt = an.appt
    CROSS JOIN LATERAL (
        SELECT g.id, g.code FROM geo_grid g
        WHERE g.community_id = an.community_id AND g.retired_at IS NULL
        ORDER BY g.id = an.grid_id DESC, g.boundary <-> req.geom
        LIMIT %(community_grids)s + 1
    ) g
),
cand AS (
    SELECT DISTINCT ON (p.appt, s.id)
           p.appt, p.anchor_code, p.outside, p.tier, p.grid_code, ga.kind,
           s.id AS staff_id, s.full_name, s.phone, s.active, s.user_id,
           (s.last_position IS NOT NULL
            AND s.last_position_at >= now() - make_interval(mins => %(max_age)s)
            AND s.last_position_accuracy_m <= %(max_acc)s) AS from_position,
           coalesce(s.open_work_cap, %(cap)s) AS cap
    FROM pool p
    JOIN req ON req.appt = p.appt
    JOIN people_gridassignment ga
      ON ga.grid_id = p.grid_id AND ga.valid_from <= req.day
     AND (ga.valid_to IS NULL OR ga.valid_to > req.day)
    JOIN people_staff s ON s.id = ga.staff_id
    ORDER BY p.appt, s.id, p.tier, (ga.kind = 'primary') DESC
),
scored1 AS MATERIALIZED (  -- computed once: availability and load are not cheap
    SELECT {SCORE} FROM cand c {SCORE_JOINS} WHERE c.tier = 1
),
scored2 AS MATERIALIZED (
    -- the community's other grids are weighed only where the anchor grid has nobody eligible
    -- (or for a backlog, whose caps fill up as the batch is assigned)
    SELECT {SCORE} FROM cand c {SCORE_JOINS}
    WHERE c.tier = 2
      AND (%(all_tiers)s OR NOT EXISTS (
            SELECT 1 FROM scored1 e
            WHERE e.appt = c.appt AND e.active AND e.available AND NOT e.excluded
              AND e.load < e.cap))
),
scored AS (SELECT * FROM scored1 UNION ALL SELECT * FROM scored2)
SELECT appt, anchor_code, outside, tier, grid_code, kind, staff_id, full_name, phone, user_id,
       distance_m, from_position, load, cap, active, available, excluded,
       (active AND available AND NOT excluded AND load < cap) AS eligible,
       row_number() OVER (
           PARTITION BY appt
           ORDER BY (active AND available AND NOT excluded AND load < cap) DESC,
                    tier, (kind = 'primary') DESC, distance_m NULLS LAST, load, staff_id
       ) AS rank
FROM scored
ORDER BY appt, rank
""".replace("{SCORE_JOINS}", SCORE_JOINS).replace("{SCORE}", SCORE)

# the anchor grid alone, for appointments no candidate row came back for
ANCHOR_SQL = """
SELECT r.appt, a.code, a.community_id, a.outside
FROM unnest(%(appt)s::bigint[], %(lon)s::float8[], %(lat)s::float8[]) AS r(appt, lon, lat)
CROSS JOIN LATERAL (
    (SELECT g.code, g.community_id, false AS outside, 0::float8 AS d FROM geo_grid g
     WHERE g.retired_at IS NULL AND ST_Covers(g.boundary, ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326))
     ORDER BY g.code LIMIT 1)
    UNION ALL
    (SELECT n.code, n.community_id, true, n.d FROM (
        SELECT g.code, g.community_id,
               ST_Distance(g.boundary::geography,
                           ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326)::geography) AS d
        FROM geo_grid g WHERE g.retired_at IS NULL
        ORDER BY g.boundary <-> ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326) LIMIT 8) n
     WHERE n.d <= %(max_m)s ORDER BY n.d, n.code LIMIT 1)
    ORDER BY outside, d LIMIT 1
) a
"""


@dataclass
class Candidate:
    tier: int
    grid: str
    kind: str
    staff_id: int
    name: str
    phone: str
    user_id: int
    distance_m: float | None
    from_position: bool
    load: int
    cap: int
    active: bool
    available: bool
    excluded: bool
    eligible: bool

    def passed_over_because(self) -> str | None:
        if not self.active:
            return "inactive"
        if self.excluded:
            return "declined_or_timed_out"
        if not self.available:
            return "not_working_in_window"
        if self.load >= self.cap:
            return "over_open_work_cap"
        return None

    def explain(self, chosen: bool) -> dict:
        return {
            "staff": self.staff_id,
            "name": self.name,
            "grid": self.grid,
            "kind": self.kind,
            "tier": "grid" if self.tier == 1 else "community",
            "distance_m": None if self.distance_m is None else round(self.distance_m, 1),
            "distance_from": "position" if self.from_position else "station",
            "open_work": self.load,
            "cap": self.cap,
            "outcome": "chosen" if chosen else (self.passed_over_because() or "ranked_lower"),
        }


@dataclass
class Ranking:
    """The ranked candidates of one appointment (best first) and its anchor grid."""

    appointment_id: int
    grid: str | None = None
    outside_coverage: bool = False
    candidates: list[Candidate] = field(default_factory=list)


@dataclass(frozen=True)
class Request:
    appointment_id: int
    lon: float
    lat: float
    window_start: datetime
    window_end: datetime
    excluded: frozenset[int] = frozenset()


def _params(requests: list[Request], all_tiers: bool) -> dict:
    conf = settings.PEOPLE
    return {
        "all_tiers": all_tiers,
        "appt": [r.appointment_id for r in requests],
        "lon": [r.lon for r in requests],
        "lat": [r.lat for r in requests],
        "ws": [r.window_start for r in requests],
        "we": [r.window_end for r in requests],
        "excluded": [",".join(str(i) for i in sorted(r.excluded)) for r in requests],
        "max_m": settings.GEO["NEAREST_GRID_MAX_M"],
        "max_age": conf["POSITION_MAX_AGE_MINUTES"],
        "max_acc": conf["POSITION_MAX_ACCURACY_M"],
        "cap": conf["OPEN_WORK_CAP"],
        "community_grids": settings.APPOINTMENTS["COMMUNITY_GRIDS"],
    }


def rank(requests: list[Request], *, all_tiers: bool = False) -> dict[int, Ranking]:
    """Rank the candidates of many appointments in one statement (or one, for one). The
    community's other grids are weighed only when the anchor grid has nobody eligible, unless
    `all_tiers` (a backlog, whose caps fill while the batch is assigned)."""
    if not requests:
        return {}
    params = _params(requests, all_tiers)
    rankings = {r.appointment_id: Ranking(appointment_id=r.appointment_id) for r in requests}
    with transaction.atomic(), connection.cursor() as cursor:
        # one generic plan for this statement, reused across calls (planning it costs more than
        # running it); its parameters are arrays, so custom plans gain nothing
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(RANKING_SQL, params)
        for row in cursor.fetchall():
            (
                appt,
                anchor,
                outside,
                tier,
                grid,
                kind,
                staff_id,
                name,
                phone,
                user_id,
                distance,
                from_position,
                load,
                cap,
                active,
                available,
                excluded,
                eligible,
                _rank,
            ) = row
            ranking = rankings[appt]
            ranking.grid, ranking.outside_coverage = anchor, outside
            ranking.candidates.append(
                Candidate(
                    tier,
                    grid,
                    kind,
                    staff_id,
                    name,
                    phone,
                    user_id,
                    distance,
                    from_position,
                    load,
                    cap,
                    active,
                    available,
                    excluded,
                    eligible,
                )
            )
        empty = [r for r in requests if not rankings[r.appointment_id].candidates]
        if empty:
            cursor.execute(
                ANCHOR_SQL,
                {
                    "appt": [r.appointment_id for r in empty],
                    "lon": [r.lon for r in empty],
                    "lat": [r.lat for r in empty],
                    "max_m": params["max_m"],
                },
            )
            for appt, code, _community, outside in cursor.fetchall():
                rankings[appt].grid, rankings[appt].outside_coverage = code, outside
    return rankings
