-- tiles_work_changed: what a write of appointments or cases changes on the tiles, in one
-- statement: the work layer's zoom-16 cells over `p_geoms` (their locations, old and new) and,
-- for the agents in `p_staff` (whose open work or red cases changed), a stale mark for each grid
-- they are assigned to and the grid layer's cells over those grids. The same rows as
-- tiles_bump_cells('work', …) followed by tiles_figures_changed('{}', …), one statement instead
-- of three (the booking path writes an appointment two or three times per request, and each
-- statement paid their fixed cost). Past 4,096 cells a source is bumped as a whole
-- (tiles_generationbump). Generic plan; cells repeated within the statement are skipped by
-- `ON CONFLICT DO NOTHING`, not by a DISTINCT (see tiles_bump_cells.sql: its hash table was sized
-- for the generic plan's guess of millions of cells).
CREATE OR REPLACE FUNCTION tiles_work_changed(p_geoms geometry[], p_staff bigint[])
 RETURNS void
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
BEGIN
    IF cardinality(p_geoms) = 0 AND cardinality(array_remove(p_staff, NULL)) = 0 THEN
        RETURN;
    END IF;
    WITH grids AS MATERIALIZED (
        SELECT DISTINCT a.grid_id AS id FROM people_gridassignment a
        WHERE a.staff_id = ANY (p_staff) AND (a.valid_to IS NULL OR a.valid_to >= current_date - 1)
    ), marked AS (
        INSERT INTO tiles_figuresstale (grid_id, txid)
        SELECT id, pg_current_xact_id()::text::bigint FROM grids
        ON CONFLICT (grid_id, txid) DO NOTHING
    ), r AS MATERIALIZED (
        SELECT 'work'::text AS source, tiles_cell_range(g) AS r
        FROM unnest(p_geoms) AS g WHERE g IS NOT NULL
        UNION ALL
        SELECT 'grids', tiles_cell_range(gg.boundary)
        FROM geo_grid gg WHERE gg.id IN (SELECT id FROM grids)
    ), n AS (
        SELECT r.source, sum((r[3] - r[1] + 1)::bigint * (r[4] - r[2] + 1)) AS cells,
               pg_current_xact_id()::text::bigint AS tx
        FROM r GROUP BY r.source
    ), whole AS (
        INSERT INTO tiles_generationbump (source, txid)
        SELECT n.source, n.tx FROM n WHERE n.cells > 4096
        ON CONFLICT (source, txid) DO NOTHING
    )
    INSERT INTO tiles_cellbump (source, x, y, txid)
    SELECT n.source, cx, cy, n.tx
    FROM n JOIN r ON r.source = n.source,
         generate_series(r.r[1], r.r[3]) AS cx, generate_series(r.r[2], r.r[4]) AS cy
    WHERE n.cells <= 4096
    ON CONFLICT (source, x, y, txid) DO NOTHING;
END $function$;
