-- routing_rank: the ranking of spatial routing, for one appointment or set-based for many
-- (arrays in, one row per candidate out, best first by `rank`); appointments/routing.py calls
-- it and explains the choice. A few statements, each run only when it has work: the anchor
-- grids (grid_at), their agents (tier 1), the community's other grids (tier 2) only when some
-- anchor's grid has nobody eligible (or for a backlog, p_all_tiers), then the ranking of both.
-- Intermediate rows pass between the statements as arrays of two composite types.
-- Calls: grid_at (geo), routing_candidate, people_periods, assignment_kind_primary (people).

-- an appointment's anchor: its window, default working time, point, day and grid
DO $$ BEGIN
CREATE TYPE routing_anchor AS (appt bigint, ws timestamptz, we timestamptz, excluded text,
    default_time tstzmultirange, geom geometry, day date, grid_id bigint, code text,
    community_id bigint, outside boolean);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;
-- a candidate's row: routing_candidate's figures behind the anchor, tier, grid and assignment
DO $$ BEGIN
CREATE TYPE routing_row AS (appt bigint, anchor_code text, outside boolean, tier integer,
    grid_code text, kind text, staff_id bigint, full_name text, phone text, user_id bigint,
    active boolean, from_position boolean, distance_m float8, load integer, cap integer,
    available boolean, excluded boolean, eligible boolean);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

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
AS $function$
#variable_conflict use_column
DECLARE
    anchors routing_anchor[];
    t1 routing_row[];
    t2 routing_row[];
BEGIN
-- each appointment's anchor grid (grid_at: the one covering the point, else the nearest within
-- p_max_m, outside coverage; none: no anchor); the default working time once per window
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
               ga.grid_id, ga.code, ga.community_id, ga.outside)::routing_anchor
    FROM req
    CROSS JOIN LATERAL grid_at(req.geom, p_max_m) ga
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
        ORDER BY an.appt, ga.staff_id, (ga.kind = assignment_kind_primary()) DESC, g.code
    );
END IF;
-- ranked: eligible, tier, primary before backup, distance, open work, staff id; an anchor grid
-- nobody is assigned to comes back as one row without a candidate
RETURN QUERY
SELECT c.appt, c.anchor_code, c.outside, c.tier, c.grid_code, c.kind, c.staff_id, c.full_name,
       c.phone, c.user_id, c.distance_m, c.from_position, c.load, c.cap, c.active, c.available,
       c.excluded, c.eligible, row_number() OVER (
           PARTITION BY c.appt
           ORDER BY c.eligible DESC, c.tier, (c.kind = assignment_kind_primary()) DESC, c.distance_m NULLS LAST,
                    c.load, c.staff_id)
FROM unnest(t1 || t2) c
UNION ALL
SELECT an.appt, an.code, an.outside, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, 1
FROM unnest(anchors) an
WHERE an.appt NOT IN (SELECT t.appt FROM unnest(t1 || t2) t);
END $function$;
