-- tiles_grid_gaps_dirty: a grid change marks its communities' gaps dirty
CREATE OR REPLACE FUNCTION tiles_grid_gaps_dirty()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tiles_mark_gaps_dirty(ARRAY(SELECT community_id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tiles_mark_gaps_dirty(ARRAY(SELECT community_id FROM new_rows
                                            UNION SELECT community_id FROM old_rows));
    ELSE
        PERFORM tiles_mark_gaps_dirty(ARRAY(SELECT community_id FROM old_rows));
    END IF;
    RETURN NULL;
END $function$;

CREATE OR REPLACE TRIGGER tiles_gaps_dirty_delete AFTER DELETE ON geo_grid REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_grid_gaps_dirty();
CREATE OR REPLACE TRIGGER tiles_gaps_dirty_insert AFTER INSERT ON geo_grid REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_grid_gaps_dirty();
CREATE OR REPLACE TRIGGER tiles_gaps_dirty_update AFTER UPDATE ON geo_grid REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_grid_gaps_dirty();
