"""The tile layers: what each shows, from which data, to whom — one SQL statement per tile.

Every statement has the same frame: the tile's envelope in Web Mercator (for `ST_AsMVTGeom`)
and the same envelope widened by the 64-pixel buffer and transformed to WGS-84 once (`box`),
so the bounding-box filter `geom && box` runs on the geometry's GiST index in its stored SRID.

Scope: the requester's scope is compiled into the statement as a subquery of ids taken from
the scoped querysets themselves (`Scope.areas`, `Scope.grids`, `appointments_for`,
`cases_for`), so each access rule stays in one place and a tile stays one query. Positions
follow `Scope.reads_positions_of`. Each layer's scope key names what the requester may see of
it ("all" for district-wide roles), for the cache.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet
from django.utils import timezone

from appointments.models import OPEN_STATUSES
from appointments.selectors import appointments_for
from cases.deadlines import light_sql
from cases.models import OPEN
from cases.selectors import cases_for
from geo.models import Area, Grid
from people.models import Role
from people.scope import AREA_ROLES, Scope

from .figures import figures_ctes
from .lights import appointment_light_sql
from .models import Source

EXTENT = 4096  # MVT coordinate units per tile side
BUFFER = 64  # units of geometry kept beyond the tile's edge, so strokes join across tiles
MAX_ZOOM = 22
FIGURES = ("agents", "open_work", "overdue")
DEFAULT_FIGURE = "agents"


@dataclass(frozen=True)
class TileRequest:
    user: object
    scope: Scope
    z: int
    x: int
    y: int
    figure: str
    now: datetime

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)


@dataclass(frozen=True)
class Layer:
    name: str
    sources: tuple[str, ...]
    # below this zoom a tile would hold too much of the district to be useful or cheap
    min_zoom: int
    # what else than the data the tile depends on: the day (assignments, deadline lights) or
    # the minute (confirmation deadlines, position freshness)
    clock: str | None
    statement: Callable[[TileRequest], tuple[str, list]]
    scope_key: Callable[[Scope, object], str]
    allowed: Callable[[Scope], bool] = lambda scope: True
    # sources whose changes reach the tile only as a whole (a TRUNCATE): their rows bump the
    # cells of what they change on this layer under one of `sources` (tiles/sql/*_cells.sql)
    whole_sources: tuple[str, ...] = ()


# --- frame and scope helpers -------------------------------------------------------------


def _frame(t: TileRequest) -> tuple[str, list]:
    sql = """
        WITH bounds AS MATERIALIZED (
            SELECT ST_TileEnvelope(%s, %s, %s) AS tile,
                   ST_Transform(ST_TileEnvelope(%s, %s, %s, margin => %s), 4326) AS box
        )
    """
    return sql, [t.z, t.x, t.y, t.z, t.x, t.y, BUFFER / EXTENT]


def _mvt_geom(column: str) -> str:
    return f"ST_AsMVTGeom(ST_Transform({column}, 3857), b.tile, {EXTENT}, {BUFFER}, true)"


def _within(column: str, scope: Scope, scoped: Callable[[], QuerySet]) -> tuple[str, list]:
    """`AND column IN (ids of the scoped queryset)`; nothing for district-wide scopes."""
    if scope.everything:
        return "", []
    try:
        # no ORDER BY (models' default ordering): it would stop PostgreSQL from flattening it
        sql, params = scoped().order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # the scope is empty: Django refuses to compile `IN ()`
        return " AND false", []
    return f" AND {column} IN ({sql})", list(params)


def _digest(*parts) -> str:
    text = json.dumps(parts, sort_keys=True, default=sorted)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _areas_key(scope: Scope, user) -> str:
    return "all" if scope.everything else "a" + _digest(sorted(scope.area_ids))


def _grids_key(scope: Scope, user) -> str:
    if scope.everything:
        return "all"
    return "g" + _digest(sorted(scope.managed_area_ids), sorted(scope.own_grid_ids))


def _requester_key(scope: Scope, user) -> str:
    """Appointments and cases: managers' areas plus what is with or was entered by the person,
    window staff's window — specific to the requester."""
    if scope.everything:
        return "all"
    staff = scope.staff
    return "u" + _digest(
        user.pk,
        staff.pk if staff else None,
        list(staff.roles) if staff else [],
        staff.window if staff else "",
        sorted(scope.managed_area_ids),
    )


# --- areas -------------------------------------------------------------------------------


def _areas(t: TileRequest) -> tuple[str, list]:
    frame, params = _frame(t)
    scope_sql, scope_params = _within("a.id", t.scope, lambda: t.scope.areas(Area.objects.all()))
    sql = f"""{frame}
        SELECT ST_AsMVT(f.*, 'areas', {EXTENT}, 'geom') FROM (
            SELECT {_mvt_geom("ST_ClipByBox2D(a.boundary, b.box)")} AS geom,
                   a.code, a.name, a.level
            FROM geo_area a CROSS JOIN bounds b
            WHERE a.id IN (SELECT p.area_id FROM geo_areapart p, bounds pb WHERE p.geom && pb.box)
                  {scope_sql}
        ) f WHERE f.geom IS NOT NULL
    """
    return sql, params + scope_params


# --- grids -------------------------------------------------------------------------------


def _grids(t: TileRequest) -> tuple[str, list]:
    """Active grids with their figures (tiles/figures.py): agents = active agents assigned
    today; open_work = the sum of those agents' open work (`open_work_of`, the load routing
    caps); overdue = their red cases. Read from the kept figures where they are current (of
    today, no stale mark), computed live for the rest."""
    frame, params = _frame(t)
    scope_sql, scope_params = _within("g.id", t.scope, lambda: t.scope.grids(Grid.objects.all()))
    live_sql, live_params = figures_ctes(t.today, "todo")
    sql = f"""{frame},
        g AS MATERIALIZED (
            SELECT g.id, g.code, g.name, a.code AS community, g.boundary
            FROM geo_grid g JOIN geo_area a ON a.id = g.community_id CROSS JOIN bounds b
            WHERE g.retired_at IS NULL AND g.boundary && b.box {scope_sql}
        ),
        kept AS MATERIALIZED (
            SELECT f.grid_id, f.agents, f.open_work, f.overdue
            FROM tiles_gridfigures f
            WHERE f.grid_id IN (SELECT id FROM g) AND f.day = %s
              AND NOT EXISTS (SELECT 1 FROM tiles_figuresstale s WHERE s.grid_id = f.grid_id)
        ),
        todo AS MATERIALIZED (SELECT id FROM g WHERE id NOT IN (SELECT grid_id FROM kept)),
        {live_sql},
        figures AS (
            SELECT grid_id, agents, open_work, overdue FROM kept
            UNION ALL
            SELECT grid_id, agents, open_work, overdue FROM fg
        )
        SELECT ST_AsMVT(f.*, 'grids', {EXTENT}, 'geom') FROM (
            SELECT {_mvt_geom("g.boundary")} AS geom, g.code, g.name, g.community,
                   n.agents, n.open_work, n.overdue, n.{t.figure} AS value
            FROM g JOIN figures n ON n.grid_id = g.id CROSS JOIN bounds b
        ) f WHERE f.geom IS NOT NULL
    """
    return sql, [*params, *scope_params, t.today, *live_params]


# --- gaps --------------------------------------------------------------------------------


def _gaps(t: TileRequest) -> tuple[str, list]:
    frame, params = _frame(t)
    scope_sql, scope_params = _within(
        "gp.community_id", t.scope, lambda: t.scope.areas(Area.objects.all())
    )
    sql = f"""{frame}
        SELECT ST_AsMVT(f.*, 'gaps', {EXTENT}, 'geom') FROM (
            SELECT {_mvt_geom("ST_ClipByBox2D(gp.geom, b.box)")} AS geom,
                   a.code AS community, a.name, round(gp.area_m2)::int AS area_m2
            FROM tiles_gap gp JOIN geo_area a ON a.id = gp.community_id CROSS JOIN bounds b
            WHERE gp.geom && b.box {scope_sql}
        ) f WHERE f.geom IS NOT NULL
    """
    return sql, params + scope_params


# --- appointments and cases --------------------------------------------------------------


def _appointments(t: TileRequest) -> tuple[str, list]:
    """Open appointments with their light, and open cases that have a location with their
    deadline light; `kind` tells them apart."""
    frame, params = _frame(t)
    appt_scope, appt_params = _within(
        "appointments_appointment.id", t.scope, lambda: appointments_for(t.user)
    )
    case_scope, case_params = _within("cases_case.id", t.scope, lambda: cases_for(t.user))
    appt_light = appointment_light_sql(t.now)
    case_light = light_sql(t.today)
    sql = f"""{frame}
        SELECT ST_AsMVT(f.*, 'appointments', {EXTENT}, 'geom') FROM (
            SELECT {_mvt_geom("appointments_appointment.location")} AS geom,
                   'appointment' AS kind, appointments_appointment.id,
                   appointments_appointment.tracking_code,
                   appointments_appointment.status::text AS status,
                   ({appt_light.sql}) AS light
            FROM appointments_appointment CROSS JOIN bounds b
            WHERE appointments_appointment.status = ANY(%s)
              AND appointments_appointment.location && b.box {appt_scope}
            UNION ALL
            SELECT {_mvt_geom("cases_case.location")} AS geom,
                   'case' AS kind, cases_case.id, cases_case.tracking_code,
                   cases_case.status::text AS status, ({case_light.sql}) AS light
            FROM cases_case CROSS JOIN bounds b
            WHERE cases_case.status = ANY(%s)
              AND cases_case.location && b.box {case_scope}
        ) f WHERE f.geom IS NOT NULL
    """
    return sql, [
        *params,
        *appt_light.params,
        list(OPEN_STATUSES),
        *appt_params,
        *case_light.params,
        list(OPEN),
        *case_params,
    ]


# --- agents' positions -------------------------------------------------------------------


def may_read_positions(scope: Scope) -> bool:
    """Positions are personal data: administrators and the managers of agents' stations
    (`Scope.reads_positions_of`); district staff and supervisors review coverage without
    them, agents see no one's."""
    staff = scope.staff
    return staff is not None and staff.has_role(Role.ADMIN, *AREA_ROLES)


def _agents_key(scope: Scope, user) -> str:
    if scope.staff.has_role(Role.ADMIN):
        return "all"
    return "m" + _digest(scope.staff.pk, sorted(scope.managed_area_ids))


def _agents(t: TileRequest) -> tuple[str, list]:
    """Active agents' last positions within the retention period, per `reads_positions_of`:
    all for administrators, else the agents of the stations the requester manages; `fresh` as
    routing judges it (`people_position_fresh`)."""
    frame, params = _frame(t)
    staff = t.scope.staff
    scope_sql, scope_params = "", []
    if not staff.has_role(Role.ADMIN):
        scope_sql = """ AND (s.id = %s OR s.centre_id IN (
            SELECT c.id FROM geo_servicecentre c WHERE c.area_id = ANY(%s)))"""
        scope_params = [staff.pk, sorted(t.scope.managed_area_ids)]
    people = settings.PEOPLE
    kept_since = t.now - timedelta(days=people["POSITION_RETENTION_DAYS"])
    sql = f"""{frame}
        SELECT ST_AsMVT(f.*, 'agents', {EXTENT}, 'geom') FROM (
            SELECT {_mvt_geom("s.last_position")} AS geom, s.id, s.full_name AS name,
                   floor(extract(epoch FROM s.last_position_at))::bigint AS at,
                   round(s.last_position_accuracy_m)::int AS accuracy_m,
                   people_position_fresh(s.last_position_at, s.last_position_accuracy_m,
                                         %s, %s, %s) AS fresh
            FROM people_staff s CROSS JOIN bounds b
            WHERE s.active AND s.roles @> ARRAY[%s]::varchar[]
              AND s.last_position && b.box AND s.last_position_at >= %s {scope_sql}
        ) f WHERE f.geom IS NOT NULL
    """
    fresh = [t.now, people["POSITION_MAX_AGE_MINUTES"], people["POSITION_MAX_ACCURACY_M"]]
    return sql, [*params, *fresh, Role.AGENT.value, kept_since, *scope_params]


LAYERS: dict[str, Layer] = {
    layer.name: layer
    for layer in (
        Layer("areas", (Source.AREAS,), 0, None, _areas, _areas_key),
        Layer(
            "grids",
            (Source.AREAS, Source.GRIDS),
            10,
            "day",
            _grids,
            _grids_key,
            whole_sources=(Source.STAFF, Source.WORK),
        ),
        Layer("gaps", (Source.GAPS,), 8, None, _gaps, _areas_key),
        Layer("appointments", (Source.WORK,), 10, "minute", _appointments, _requester_key),
        Layer(
            "agents",
            (Source.POSITIONS,),
            10,
            "minute",
            _agents,
            _agents_key,
            may_read_positions,
            whole_sources=(Source.STAFF,),
        ),
    )
}
