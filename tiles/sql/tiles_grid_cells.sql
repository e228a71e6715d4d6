-- tiles_grid_cells: a change to grids bumps the grid layer's cells over them (old and new shape)
CREATE OR REPLACE FUNCTION tiles_grid_cells()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tiles_bump_cells('grids', ARRAY(SELECT boundary FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tiles_bump_cells('grids', ARRAY(SELECT boundary FROM new_rows
                                                UNION ALL SELECT boundary FROM old_rows));
    ELSE
        PERFORM tiles_bump_cells('grids', ARRAY(SELECT boundary FROM old_rows));
    END IF;
    RETURN NULL;
END $function$;

CREATE OR REPLACE TRIGGER tiles_cells_insert AFTER INSERT ON geo_grid REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_grid_cells();
CREATE OR REPLACE TRIGGER tiles_cells_update AFTER UPDATE ON geo_grid REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_grid_cells();
CREATE OR REPLACE TRIGGER tiles_cells_delete AFTER DELETE ON geo_grid REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_grid_cells();
