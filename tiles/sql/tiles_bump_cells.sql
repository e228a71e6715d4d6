-- tiles_bump_cells: records the writing transaction once per source and zoom-16 cell that the
-- geometries cover (generation bumps for the tile cache, per tile range). A statement covering
-- more than 4,096 cells (a bulk import, a district's boundary) bumps the source's generation
-- as a whole instead (tiles_generationbump): every tile of it changes. One statement, its
-- generic plan kept by PL/pgSQL (a custom plan per call cost more than the insert itself). No
-- DISTINCT: `ON CONFLICT DO NOTHING` skips a cell repeated within the statement too, and the
-- generic plan guesses 10 geometries × 1,000 × 1,000 cells, for which a DISTINCT's hash table
-- was sized on every call (~1.6 MB, 40,000 groups: 0.4 ms, ten times the insert of a booking's
-- one or two cells). Nothing at all for no geometry.
CREATE OR REPLACE FUNCTION tiles_bump_cells(p_source text, p_geoms geometry[])
 RETURNS void
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
BEGIN
    IF cardinality(p_geoms) = 0 THEN
        RETURN;
    END IF;
    WITH r AS MATERIALIZED (
        SELECT tiles_cell_range(g) AS r FROM unnest(p_geoms) AS g WHERE g IS NOT NULL
    ),
    n AS (
        SELECT coalesce(sum((r[3] - r[1] + 1)::bigint * (r[4] - r[2] + 1)), 0) AS cells,
               pg_current_xact_id()::text::bigint AS tx
        FROM r
    ),
    whole AS (
        INSERT INTO tiles_generationbump (source, txid)
        SELECT p_source, n.tx FROM n WHERE n.cells > 4096
        ON CONFLICT (source, txid) DO NOTHING
    )
    INSERT INTO tiles_cellbump (source, x, y, txid)
    SELECT p_source, cx, cy, n.tx
    FROM n, r, generate_series(r.r[1], r.r[3]) AS cx, generate_series(r.r[2], r.r[4]) AS cy
    WHERE n.cells BETWEEN 1 AND 4096
    ON CONFLICT (source, x, y, txid) DO NOTHING;
END $function$;
