-- tiles_area_gaps_dirty: a community boundary change marks its gaps dirty
CREATE OR REPLACE FUNCTION tiles_area_gaps_dirty()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tiles_mark_gaps_dirty(ARRAY(SELECT id FROM new_rows WHERE level = 'community'));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tiles_mark_gaps_dirty(ARRAY(SELECT id FROM new_rows WHERE level = 'community'
                                            UNION SELECT id FROM old_rows WHERE level = 'community'));
    ELSE
        PERFORM tiles_mark_gaps_dirty(ARRAY(SELECT id FROM old_rows WHERE level = 'community'));
    END IF;
    RETURN NULL;
END $function$;

CREATE OR REPLACE TRIGGER tiles_gaps_dirty_delete AFTER DELETE ON geo_area REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_area_gaps_dirty();
CREATE OR REPLACE TRIGGER tiles_gaps_dirty_insert AFTER INSERT ON geo_area REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_area_gaps_dirty();
CREATE OR REPLACE TRIGGER tiles_gaps_dirty_update AFTER UPDATE ON geo_area REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_area_gaps_dirty();
