"""`routing_rank` as a few statements, each run only when it has work: the anchor grids, their
agents (tier 1), the community's other grids (tier 2) only when some anchor's grid has nobody
eligible (or for a backlog, `p_all_tiers`), then the ranking of both.

Why: the one-statement version (0005) set up its whole plan at every call — tier 2's agents and
their figures included — though a booking almost never needs them; at a single appointment that
set-up cost more than the look-ups themselves. Intermediate rows pass between the statements as
arrays of two composite types (`routing_anchor`, `routing_row`). Same rule, same order, same
rows out (checked against 0005 with all tiers on a synthetic district); set-based for many
appointments as before."""

from importlib import import_module

from django.db import migrations

TYPES = """
CREATE TYPE routing_anchor AS (appt bigint, ws timestamptz, we timestamptz, excluded text,
    default_time tstzmultirange, geom geometry, day date, grid_id bigint, code text,
    community_id bigint, outside boolean);
-- a candidate's row: routing_candidate's figures behind the anchor, tier, grid and assignment
CREATE TYPE routing_row AS (appt bigint, anchor_code text, outside boolean, tier integer,
    grid_code text, kind text, staff_id bigint, full_name text, phone text, user_id bigint,
    active boolean, from_position boolean, distance_m float8, load integer, cap integer,
    available boolean, excluded boolean, eligible boolean);
"""

FORWARD = TYPES + """
CREATE OR REPLACE FUNCTION routing_rank(
    p_appt bigint[], p_lon float8[], p_lat float8[], p_ws timestamptz[], p_we timestamptz[],
    p_excluded text[], p_all_tiers boolean, p_max_m float8, p_max_age integer, p_max_acc float8,
    p_cap integer, p_community_grids integer)
RETURNS TABLE (appt bigint, anchor_code text, outside boolean, tier integer, grid_code text,
               kind text, staff_id bigint, full_name text, phone text, user_id bigint,
               distance_m float8, from_position boolean, load integer, cap integer,
               active boolean, available boolean, excluded boolean, eligible boolean,
               rank bigint)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
    anchors routing_anchor[];
    t1 routing_row[];
    t2 routing_row[];
BEGIN
-- each appointment's anchor grid: the one covering the point (smallest code on a shared edge),
-- else the nearest within p_max_m (outside coverage); the default working time once per window
anchors := ARRAY(
    WITH wins AS (
        SELECT w.ws, w.we, dt.working AS default_time
        FROM (SELECT DISTINCT u.ws, u.we FROM unnest(p_ws, p_we) AS u(ws, we)) w
        CROSS JOIN LATERAL people_periods(NULL, w.ws, w.we) dt
    ),
    req AS (
        SELECT r.appt, r.ws, r.we, r.excluded, wins.default_time,
               ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326) AS geom,
               (r.ws AT TIME ZONE 'Asia/Shanghai')::date AS day
        FROM unnest(p_appt, p_lon, p_lat, p_ws, p_we, p_excluded)
             AS r(appt, lon, lat, ws, we, excluded)
        JOIN wins ON wins.ws = r.ws AND wins.we = r.we
    )
    SELECT ROW(req.appt, req.ws, req.we, req.excluded, req.default_time, req.geom, req.day,
               coalesce(c.id, n.id), coalesce(c.code, n.code),
               coalesce(c.community_id, n.community_id), c.id IS NULL)::routing_anchor
    FROM req
    LEFT JOIN LATERAL (
        SELECT g.id, g.code, g.community_id FROM geo_grid g
        WHERE g.retired_at IS NULL AND ST_Covers(g.boundary, req.geom)
        ORDER BY g.code LIMIT 1
    ) c ON true
    LEFT JOIN LATERAL (
        SELECT k.id, k.code, k.community_id FROM (
            SELECT g.id, g.code, g.community_id,
                   ST_Distance(g.boundary::geography, req.geom::geography) AS d
            FROM geo_grid g WHERE g.retired_at IS NULL AND c.id IS NULL
            ORDER BY g.boundary <-> req.geom LIMIT 8
        ) k
        WHERE k.d <= p_max_m
        ORDER BY k.d, k.code LIMIT 1
    ) n ON true
    WHERE c.id IS NOT NULL OR n.id IS NOT NULL
);
-- tier 1: the anchor grid's agents assigned on the window's day, with their figures
t1 := ARRAY(
    SELECT ROW(an.appt, an.code, an.outside, 1, an.code, ga.kind, ga.staff_id, c.*)::routing_row
    FROM unnest(anchors) an
    JOIN people_gridassignment ga
      ON ga.grid_id = an.grid_id AND ga.valid_from <= an.day
     AND (ga.valid_to IS NULL OR ga.valid_to > an.day)
    CROSS JOIN LATERAL routing_candidate(ga.staff_id, an.geom, an.ws, an.we, an.default_time,
                                         an.excluded, p_max_age, p_max_acc, p_cap) c
);
-- tier 2, only where an anchor's grid has nobody eligible: the community's nearest other grids
-- (anti-joins as NOT IN: hashed once, never a loop over t1 per anchor at a backlog's size)
IF p_all_tiers OR EXISTS (
    SELECT 1 FROM unnest(anchors) an
    WHERE an.appt NOT IN (SELECT t.appt FROM unnest(t1) t WHERE t.eligible)
) THEN
    t2 := ARRAY(
        SELECT DISTINCT ON (an.appt, ga.staff_id)
               ROW(an.appt, an.code, an.outside, 2, g.code, ga.kind, ga.staff_id, c.*)::routing_row
        FROM unnest(anchors) an
        CROSS JOIN LATERAL (
            SELECT g.id, g.code FROM geo_grid g
            WHERE g.community_id = an.community_id AND g.retired_at IS NULL AND g.id <> an.grid_id
            ORDER BY g.boundary <-> an.geom
            LIMIT p_community_grids
        ) g
        JOIN people_gridassignment ga
          ON ga.grid_id = g.id AND ga.valid_from <= an.day
         AND (ga.valid_to IS NULL OR ga.valid_to > an.day)
        CROSS JOIN LATERAL routing_candidate(ga.staff_id, an.geom, an.ws, an.we, an.default_time,
                                             an.excluded, p_max_age, p_max_acc, p_cap) c
        WHERE (p_all_tiers OR an.appt NOT IN (SELECT t.appt FROM unnest(t1) t WHERE t.eligible))
          AND (an.appt, ga.staff_id) NOT IN (SELECT t.appt, t.staff_id FROM unnest(t1) t)
        ORDER BY an.appt, ga.staff_id, (ga.kind = 'primary') DESC, g.code
    );
END IF;
-- ranked: eligible, tier, primary before backup, distance, open work, staff id; an anchor grid
-- nobody is assigned to comes back as one row without a candidate
RETURN QUERY
SELECT c.appt, c.anchor_code, c.outside, c.tier, c.grid_code, c.kind, c.staff_id, c.full_name,
       c.phone, c.user_id, c.distance_m, c.from_position, c.load, c.cap, c.active, c.available,
       c.excluded, c.eligible, row_number() OVER (
           PARTITION BY c.appt
           ORDER BY c.eligible DESC, c.tier, (c.kind = 'primary') DESC, c.distance_m NULLS LAST,
                    c.load, c.staff_id)
FROM unnest(t1 || t2) c
UNION ALL
SELECT an.appt, an.code, an.outside, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, 1
FROM unnest(anchors) an
WHERE an.appt NOT IN (SELECT t.appt FROM unnest(t1 || t2) t);
END $$;
"""

_ONE_STATEMENT = import_module("appointments.migrations.0005_routing_rank_function").FORWARD
BACKWARD = (
    "DROP FUNCTION routing_rank(bigint[], float8[], float8[], timestamptz[], timestamptz[], "
    "text[], boolean, float8, integer, float8, integer, integer);\n"
    + _ONE_STATEMENT[_ONE_STATEMENT.index("CREATE FUNCTION routing_rank(") :]
    + "\nDROP TYPE routing_row;\nDROP TYPE routing_anchor;\n"
)


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0009_lean_indexes"),
        ("people", "0010_availability_own_periods_on_call"),
    ]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
