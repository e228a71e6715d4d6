-- tiles_area_cells: a change to areas bumps the areas' cells (their boundaries, old and new)
CREATE OR REPLACE FUNCTION tiles_area_cells()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tiles_bump_cells('areas', ARRAY(SELECT boundary FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tiles_bump_cells('areas', ARRAY(SELECT boundary FROM new_rows
                                                UNION ALL SELECT boundary FROM old_rows));
    ELSE
        PERFORM tiles_bump_cells('areas', ARRAY(SELECT boundary FROM old_rows));
    END IF;
    RETURN NULL;
END $function$;

CREATE OR REPLACE TRIGGER tiles_cells_insert AFTER INSERT ON geo_area REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_area_cells();
CREATE OR REPLACE TRIGGER tiles_cells_update AFTER UPDATE ON geo_area REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_area_cells();
CREATE OR REPLACE TRIGGER tiles_cells_delete AFTER DELETE ON geo_area REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_area_cells();
