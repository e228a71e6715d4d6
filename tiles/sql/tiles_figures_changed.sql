-- tiles_figures_changed: grids whose map figures (agents, open work, overdue) a write changed:
-- marks them stale for the figures table (cleared by tiles/figures.py's refresh) and bumps the
-- grid layer's cells over them. Staff ids are turned into the grids they are assigned to.
CREATE OR REPLACE FUNCTION tiles_figures_changed(p_grids bigint[], p_staff bigint[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
    grids bigint[];
BEGIN
    grids := ARRAY(
        SELECT g FROM unnest(p_grids) AS g WHERE g IS NOT NULL
        UNION
        SELECT a.grid_id FROM people_gridassignment a
        WHERE a.staff_id = ANY (p_staff) AND (a.valid_to IS NULL OR a.valid_to >= current_date - 1));
    IF cardinality(grids) = 0 THEN
        RETURN;
    END IF;
    INSERT INTO tiles_figuresstale (grid_id, txid)
    SELECT g, pg_current_xact_id()::text::bigint FROM unnest(grids) AS g
    ON CONFLICT (grid_id, txid) DO NOTHING;
    PERFORM tiles_bump_cells('grids', ARRAY(SELECT boundary FROM geo_grid WHERE id = ANY (grids)));
END $function$;
