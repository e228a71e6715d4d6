-- tiles_gap_cells: rewritten gap pieces bump the gap layer's cells over them
CREATE OR REPLACE FUNCTION tiles_gap_cells()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tiles_bump_cells('gaps', ARRAY(SELECT geom FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tiles_bump_cells('gaps', ARRAY(SELECT geom FROM new_rows
                                               UNION ALL SELECT geom FROM old_rows));
    ELSE
        PERFORM tiles_bump_cells('gaps', ARRAY(SELECT geom FROM old_rows));
    END IF;
    RETURN NULL;
END $function$;

CREATE OR REPLACE TRIGGER tiles_cells_insert AFTER INSERT ON tiles_gap REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_gap_cells();
CREATE OR REPLACE TRIGGER tiles_cells_update AFTER UPDATE ON tiles_gap REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_gap_cells();
CREATE OR REPLACE TRIGGER tiles_cells_delete AFTER DELETE ON tiles_gap REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_gap_cells();
