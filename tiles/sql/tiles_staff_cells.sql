-- tiles_staff_cells: staff shown on the agents layer bump the positions' cells where they are
-- (old and new position) when their position or roster fields change; a change of `active`
-- changes the figures of the grids they are assigned to. Other columns change no tile.
CREATE OR REPLACE FUNCTION tiles_staff_cells()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tiles_bump_cells('positions', ARRAY(SELECT last_position FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tiles_bump_cells('positions', ARRAY(
            SELECT p FROM new_rows n JOIN old_rows o ON o.id = n.id,
                          LATERAL (VALUES (n.last_position), (o.last_position)) AS v(p)
            WHERE (n.last_position_at, n.last_position_accuracy_m, n.active, n.roles, n.centre_id,
                   n.full_name)
                  IS DISTINCT FROM
                  (o.last_position_at, o.last_position_accuracy_m, o.active, o.roles, o.centre_id,
                   o.full_name)
               OR NOT ST_OrderingEquals(coalesce(n.last_position, 'POINT EMPTY'::geometry),
                                        coalesce(o.last_position, 'POINT EMPTY'::geometry))));
        PERFORM tiles_figures_changed('{}', ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.active <> o.active));
    ELSE
        PERFORM tiles_bump_cells('positions', ARRAY(SELECT last_position FROM old_rows));
    END IF;
    RETURN NULL;
END $function$;

CREATE OR REPLACE TRIGGER tiles_cells_insert AFTER INSERT ON people_staff REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_staff_cells();
CREATE OR REPLACE TRIGGER tiles_cells_update AFTER UPDATE ON people_staff REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_staff_cells();
CREATE OR REPLACE TRIGGER tiles_cells_delete AFTER DELETE ON people_staff REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_staff_cells();
