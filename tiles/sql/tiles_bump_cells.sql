-- tiles_bump_cells: records the writing transaction once per source and zoom-16 cell that the
-- geometries cover (generation bumps for the tile cache, per tile range). A statement covering
-- more than 4,096 cells (a bulk import, a district's boundary) bumps the source's generation
-- as a whole instead (tiles_generationbump): every tile of it changes.
CREATE OR REPLACE FUNCTION tiles_bump_cells(p_source text, p_geoms geometry[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
DECLARE
    cells bigint;
    tx bigint := pg_current_xact_id()::text::bigint;
BEGIN
    SELECT coalesce(sum((r[3] - r[1] + 1)::bigint * (r[4] - r[2] + 1)), 0) INTO cells
    FROM (SELECT tiles_cell_range(g) AS r FROM unnest(p_geoms) AS g WHERE g IS NOT NULL) s;
    IF cells = 0 THEN
        RETURN;
    ELSIF cells > 4096 THEN
        INSERT INTO tiles_generationbump (source, txid) VALUES (p_source, tx)
        ON CONFLICT (source, txid) DO NOTHING;
        RETURN;
    END IF;
    INSERT INTO tiles_cellbump (source, x, y, txid)
    SELECT DISTINCT p_source, cx, cy, tx
    FROM (SELECT tiles_cell_range(g) AS r FROM unnest(p_geoms) AS g WHERE g IS NOT NULL) s,
         generate_series(s.r[1], s.r[3]) AS cx, generate_series(s.r[2], s.r[4]) AS cy
    ON CONFLICT (source, x, y, txid) DO NOTHING;
END $function$;
