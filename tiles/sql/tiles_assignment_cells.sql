-- tiles_assignment_cells: an assignment made, ended or removed changes its grid's figures
CREATE OR REPLACE FUNCTION tiles_assignment_cells()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tiles_figures_changed(ARRAY(SELECT grid_id FROM new_rows), '{}');
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tiles_figures_changed(ARRAY(SELECT grid_id FROM new_rows
                                            UNION SELECT grid_id FROM old_rows), '{}');
    ELSE
        PERFORM tiles_figures_changed(ARRAY(SELECT grid_id FROM old_rows), '{}');
    END IF;
    RETURN NULL;
END $function$;

CREATE OR REPLACE TRIGGER tiles_cells_insert AFTER INSERT ON people_gridassignment REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_assignment_cells();
CREATE OR REPLACE TRIGGER tiles_cells_update AFTER UPDATE ON people_gridassignment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_assignment_cells();
CREATE OR REPLACE TRIGGER tiles_cells_delete AFTER DELETE ON people_gridassignment REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_assignment_cells();
