-- grid_at(point, max_m): the active grid that covers the point, else the nearest one within
-- max_m metres (flagged outside coverage); no row when there is none. The one home of the
-- grid-lookup rules, called by geo.selectors (grid_for_point, nearest_grid, locate) and by
-- routing_rank (each appointment's anchor grid):
--   * shared edge: a point covered by several grids (on a shared edge or vertex) belongs to the
--     grid with the smallest code (codes never change, so the answer is stable);
--   * nearest: the 8 nearest by the indexed KNN operator (<->, on the boundaries' GiST index),
--     then the exact distance in metres on the spheroid, ties by code; only when no grid covers
--     the point, and only when max_m is given (NULL: covering grid only).
-- LANGUAGE sql, STABLE, one SELECT, not STRICT, no SET: PostgreSQL inlines it into the caller's
-- query, so a caller plans it with its own (a LATERAL call per row costs no function call).
CREATE OR REPLACE FUNCTION grid_at(p_geom geometry, p_max_m float8)
RETURNS TABLE (grid_id bigint, code text, name text, community_id bigint, outside boolean,
               distance_m float8)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(c.id, n.id), coalesce(c.code, n.code), coalesce(c.name, n.name),
           coalesce(c.community_id, n.community_id), c.id IS NULL, coalesce(n.d, 0)
    FROM (SELECT) AS one
    LEFT JOIN LATERAL (
        SELECT g.id, g.code::text, g.name::text, g.community_id FROM geo_grid g
        WHERE g.retired_at IS NULL AND ST_Covers(g.boundary, p_geom)
        ORDER BY g.code LIMIT 1
    ) c ON true
    LEFT JOIN LATERAL (
        SELECT k.id, k.code, k.name, k.community_id, k.d FROM (
            SELECT g.id, g.code::text, g.name::text, g.community_id,
                   ST_Distance(g.boundary::geography, p_geom::geography) AS d
            FROM geo_grid g WHERE g.retired_at IS NULL AND c.id IS NULL AND p_max_m IS NOT NULL
            ORDER BY g.boundary <-> p_geom LIMIT 8
        ) k
        WHERE k.d <= p_max_m
        ORDER BY k.d, k.code LIMIT 1
    ) n ON true
    WHERE c.id IS NOT NULL OR n.id IS NOT NULL
$$;
