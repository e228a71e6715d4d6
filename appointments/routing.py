"""Spatial routing: which agent gets an appointment, and why.

The ranking is ONE SQL function, `routing_rank` (`appointments/sql/routing_rank.sql`; the
figures of one candidate in `routing_candidate.sql`, the anchor grid from `geo/sql/grid_at.sql`;
docs/sql.md lists every function it calls), used for one appointment and set-based for many
(arrays in, unnest + LATERAL inside), so the rule lives in one place:

1. the grid covering the point (smallest code on a shared edge); a point in no grid takes the
   nearest grid within NEAREST_GRID_MAX_M, flagged outside coverage;
2. candidates: the agents assigned (on the day of the window) to that grid — tier 1 — and, only
   when none of them is eligible, to the nearest other grids of its community
   (COMMUNITY_GRIDS of them) — tier 2;
3. eligible: active, not excluded (declined or timed out before), with working time in the
   appointment's window (`people_availability`: their hours on working days, less leave) and
   under their open-work cap;
4. ranked: eligible first, tier, primary before backup, distance from a fresh last-known
   position (else from their station), open workload, staff id.

Python takes the first eligible candidate, or chooses the unrouted queue (station, community or
district), and writes the explanation. Positions and distances are in the explanation for
staff only; an anonymous booker sees the agent alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from django.conf import settings
from django.db import connection

_COLUMNS = """appt, anchor_code, outside, tier, grid_code, kind, staff_id, full_name, phone, user_id,
       distance_m, from_position, load, cap, active, available, excluded, eligible, rank"""
_SETTINGS = "%(all_tiers)s, %(max_m)s, %(max_age)s, %(max_acc)s, %(cap)s, %(community_grids)s"
RANK_SQL = f"""
SELECT {_COLUMNS}
FROM routing_rank(%(appt)s, %(lon)s, %(lat)s, %(ws)s, %(we)s, %(excluded)s, {_SETTINGS})
"""
# one appointment (a booking): the same call with scalars in, which psycopg adapts faster than lists
RANK_ONE_SQL = f"""
SELECT {_COLUMNS}
FROM routing_rank(ARRAY[%(appt)s::bigint], ARRAY[%(lon)s::float8], ARRAY[%(lat)s::float8],
                  ARRAY[%(ws)s::timestamptz], ARRAY[%(we)s::timestamptz],
                  ARRAY[%(excluded)s::text], {_SETTINGS})
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

    @property
    def rule(self) -> str:
        """The routing rule that fires when this candidate is chosen."""
        return "grid_member" if self.tier == 1 else "community_member"

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


# Server-side binding (the default): parameters go in binary, which psycopg adapts ~6× faster
# than text for a backlog's arrays of a thousand (timestamps above all). A client-side binding
# cursor (DB_PREPARE_THRESHOLD=none, for a transaction-mode pooler) takes text only.
_BINARY = {sql: re.sub(r"%\((\w+)\)s", r"%(\1)b", sql) for sql in (RANK_SQL, RANK_ONE_SQL)}


def _excluded(request: Request) -> str | None:
    return ",".join(str(i) for i in sorted(request.excluded)) if request.excluded else None


def _statement(requests: list[Request], all_tiers: bool) -> tuple[str, dict]:
    """RANK_ONE_SQL with scalars for one request, RANK_SQL with lists for many; and its
    parameters."""
    conf = settings.PEOPLE
    if len(requests) == 1:
        (one,) = requests
        sql, rows = (
            RANK_ONE_SQL,
            {
                "appt": one.appointment_id,
                "lon": one.lon,
                "lat": one.lat,
                "ws": one.window_start,
                "we": one.window_end,
                "excluded": _excluded(one),
            },
        )
    else:
        sql, rows = (
            RANK_SQL,
            {
                "appt": [r.appointment_id for r in requests],
                "lon": [r.lon for r in requests],
                "lat": [r.lat for r in requests],
                "ws": [r.window_start for r in requests],
                "we": [r.window_end for r in requests],
                # none excluded anywhere (a backlog): no list at all, rather than a thousand empty
                "excluded": [_excluded(r) for r in requests]
                if any(r.excluded for r in requests)
                else None,
            },
        )
    return sql, {
        **rows,
        "all_tiers": all_tiers,
        "max_m": settings.GEO["NEAREST_GRID_MAX_M"],
        "max_age": conf["POSITION_MAX_AGE_MINUTES"],
        "max_acc": conf["POSITION_MAX_ACCURACY_M"],
        "cap": conf["OPEN_WORK_CAP"],
        "community_grids": settings.APPOINTMENTS["COMMUNITY_GRIDS"],
    }


def rank(requests: list[Request], *, all_tiers: bool = False) -> dict[int, Ranking]:
    """Rank the candidates of many appointments in one call (or one, for one). The community's
    other grids are weighed only when the anchor grid has nobody eligible, unless `all_tiers`.
    An appointment with no grid within range comes back without grid or candidates."""
    if not requests:
        return {}
    rankings = {r.appointment_id: Ranking(appointment_id=r.appointment_id) for r in requests}
    with connection.cursor() as cursor:
        sql, params = _statement(requests, all_tiers)
        if not isinstance(cursor.cursor, psycopg.ClientCursor):
            sql = _BINARY[sql]
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for appt, anchor, outside, *figures, _rank in sorted(rows, key=lambda r: (r[0], r[-1])):
        ranking = rankings[appt]
        ranking.grid, ranking.outside_coverage = anchor, outside
        if figures[3] is not None:  # staff_id: an anchor grid with nobody assigned has none
            ranking.candidates.append(Candidate(*figures))
    return rankings
