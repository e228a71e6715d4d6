-- tiles_figures_changed: grids whose map figures (agents, open work, overdue) a write changed:
-- marks them stale for the figures table (cleared by tiles/figures.py's refresh) and bumps the
-- grid layer's cells over them. Staff ids are turned into the grids they are assigned to. One
-- statement, and nothing at all for a write that names no grid and no agent.
CREATE OR REPLACE FUNCTION tiles_figures_changed(p_grids bigint[], p_staff bigint[])
 RETURNS void
 LANGUAGE plpgsql
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
DECLARE
    done integer;
BEGIN
    IF cardinality(array_remove(p_grids || p_staff, NULL)) = 0 THEN
        RETURN;
    END IF;
    WITH grids AS MATERIALIZED (
        SELECT g AS id FROM unnest(p_grids) AS g WHERE g IS NOT NULL
        UNION
        SELECT a.grid_id FROM people_gridassignment a
        WHERE a.staff_id = ANY (p_staff) AND (a.valid_to IS NULL OR a.valid_to >= current_date - 1)
    ), marked AS (
        INSERT INTO tiles_figuresstale (grid_id, txid)
        SELECT id, pg_current_xact_id()::text::bigint FROM grids
        ON CONFLICT (grid_id, txid) DO NOTHING
    )
    SELECT 1 FROM (SELECT tiles_bump_cells('grids', ARRAY(
        SELECT boundary FROM geo_grid WHERE id IN (SELECT id FROM grids)))) AS bumped
    INTO done;
END $function$;
