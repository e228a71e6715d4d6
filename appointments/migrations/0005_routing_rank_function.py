"""Routing's ranking as one PL/pgSQL function, `routing_rank`, for one appointment and set-based
for many (arrays in, one row per candidate out): the rule lives here, `appointments.routing`
calls it.

Why a function: its statement is planned once per session and kept (`plan_cache_mode =
force_generic_plan` on the function; planning the statement cost more than running it), with no
transaction or `SET` round trips around each call; and the figures of a candidate are inlinable
SQL table functions planned with it, so nothing is a per-candidate function call:

- `open_work_of(staff)`: an agent's open work (the cap's count), two index-only counts. The cases
  app replaces it to count open cases as well (cases 0006). `open_work(staff)` reads it.
- `routing_candidate(...)`: one agent's figures for one appointment: distance from a fresh
  position (else their station), open work, cap, availability in the window
  (`people_availability`), excluded, eligible.

Ranking: the grid covering the point (smallest code on a shared edge), else the nearest grid
within `p_max_m` (outside coverage); its agents assigned on the window's day — tier 1 — and, only
where none of them is eligible (or for a backlog, `p_all_tiers`), the agents of the
`p_community_grids` nearest other grids of its community — tier 2. Order: eligible, tier, primary
before backup, distance, open work, staff id. An anchored appointment nobody is assigned to comes
back as one row without a candidate (staff_id NULL); an appointment without an anchor grid does
not come back. Rows come in no particular order: `rank` orders an appointment's candidates.
"""

from django.db import migrations

OPEN_WORK_OF = """
CREATE OR REPLACE FUNCTION open_work_of(p_staff bigint) RETURNS TABLE (load integer)
LANGUAGE sql STABLE AS $$
    SELECT (SELECT count(*) FROM appointments_appointment a
             WHERE a.agent_id = p_staff
               AND a.status IN ('awaiting_confirmation', 'confirmed'))::integer
$$;
"""

OPEN_WORK = """
CREATE OR REPLACE FUNCTION open_work(staff bigint) RETURNS integer
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT o.load FROM open_work_of(staff) o);
END $$;
"""

FORWARD = (
    OPEN_WORK_OF
    + OPEN_WORK
    + """
CREATE FUNCTION routing_candidate(
    p_staff bigint, p_geom geometry, p_ws timestamptz, p_we timestamptz,
    p_default tstzmultirange, p_excluded text, p_max_age integer, p_max_acc float8, p_cap integer)
RETURNS TABLE (full_name text, phone text, user_id bigint, active boolean, from_position boolean,
               distance_m float8, load integer, cap integer, available boolean, excluded boolean,
               eligible boolean)
LANGUAGE sql STABLE AS $$
    SELECT s.full_name::text, s.phone::text, s.user_id, s.active, f.fresh,
           -- on the sphere: within half a percent of the spheroid, and a fraction of its cost
           ST_DistanceSphere(CASE WHEN f.fresh THEN s.last_position ELSE ctr.location END, p_geom),
           x.load, f.cap, x.available, f.excluded,
           s.active AND x.available AND NOT f.excluded AND x.load < f.cap
    FROM people_staff s
    LEFT JOIN geo_servicecentre ctr ON ctr.id = s.centre_id
    CROSS JOIN LATERAL (
        SELECT (s.last_position IS NOT NULL
                AND s.last_position_at >= now() - make_interval(mins => p_max_age)
                AND s.last_position_accuracy_m <= p_max_acc) AS fresh,
               coalesce(s.open_work_cap::integer, p_cap) AS cap,
               -- NULL: nobody excluded (a backlog passes no list at all)
               coalesce(p_staff::text = ANY (string_to_array(p_excluded, ',')), false)
                   AS excluded
    ) f
    CROSS JOIN LATERAL (
        -- OFFSET 0 keeps this subquery whole, so each figure is computed once, not once per use
        SELECT ow.load, NOT isempty(av.working) AS available
        FROM open_work_of(s.id) ow, people_availability(s.id, p_ws, p_we, p_default) av
        OFFSET 0
    ) x
    WHERE s.id = p_staff
$$;

CREATE FUNCTION routing_rank(
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
BEGIN
RETURN QUERY
WITH wins AS (  -- the default working time once per distinct window, not per appointment
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
),
anchor AS (
    -- the grid covering the point; for a point in no grid, the nearest grid within range (KNN
    -- on 8, then exact metres; not looked for when a grid covers the point)
    SELECT req.*, coalesce(c.id, n.id) AS grid_id, coalesce(c.code, n.code) AS code,
           coalesce(c.community_id, n.community_id) AS community_id, c.id IS NULL AS outside
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
),
t1 AS MATERIALIZED (  -- the anchor grid's agents
    SELECT an.appt, an.code AS anchor_code, an.outside, 1 AS tier, an.code AS grid_code, ga.kind,
           ga.staff_id, c.*
    FROM anchor an
    JOIN people_gridassignment ga
      ON ga.grid_id = an.grid_id AND ga.valid_from <= an.day
     AND (ga.valid_to IS NULL OR ga.valid_to > an.day)
    CROSS JOIN LATERAL routing_candidate(ga.staff_id, an.geom, an.ws, an.we, an.default_time,
                                         an.excluded, p_max_age, p_max_acc, p_cap) c
),
need2 AS MATERIALIZED (  -- anchors whose grid has nobody eligible (every anchor with all_tiers)
    SELECT an.* FROM anchor an
    WHERE p_all_tiers OR an.appt NOT IN (SELECT t1.appt FROM t1 WHERE t1.eligible)
),
t2 AS MATERIALIZED (  -- the agents of the community's nearest other grids
    SELECT DISTINCT ON (an.appt, ga.staff_id)
           an.appt, an.code AS anchor_code, an.outside, 2 AS tier, g.code AS grid_code, ga.kind,
           ga.staff_id, c.*
    FROM need2 an
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
    WHERE (an.appt, ga.staff_id) NOT IN (SELECT t1.appt, t1.staff_id FROM t1)
    ORDER BY an.appt, ga.staff_id, (ga.kind = 'primary') DESC, g.code
),
cands AS (SELECT * FROM t1 UNION ALL SELECT * FROM t2)
SELECT c.appt, c.anchor_code::text, c.outside, c.tier, c.grid_code::text, c.kind::text,
       c.staff_id, c.full_name, c.phone, c.user_id, c.distance_m, c.from_position, c.load, c.cap,
       c.active, c.available, c.excluded, c.eligible,
       row_number() OVER (
           PARTITION BY c.appt
           ORDER BY c.eligible DESC, c.tier, (c.kind = 'primary') DESC, c.distance_m NULLS LAST,
                    c.load, c.staff_id
       )
FROM cands c
UNION ALL  -- an anchor grid nobody is assigned to: one row without a candidate
SELECT an.appt, an.code::text, an.outside, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, 1
FROM anchor an
WHERE an.appt NOT IN (SELECT c.appt FROM cands c);
END $$;
"""
)

BACKWARD = """
-- open_work_of and open_work stay: open_work reads open_work_of, which the cases app replaces
DROP FUNCTION IF EXISTS routing_rank(bigint[], float8[], float8[], timestamptz[], timestamptz[],
    text[], boolean, float8, integer, float8, integer, integer);
DROP FUNCTION IF EXISTS routing_candidate(bigint, geometry, timestamptz, timestamptz,
    tstzmultirange, text, integer, float8, integer);
"""


class Migration(migrations.Migration):
    dependencies = [("appointments", "0004_open_work"), ("people", "0008_availability_inlinable")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
