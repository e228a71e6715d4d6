-- tiles_bump: records each writing transaction once per tile source (generation bumps for the
-- tile cache, whole sources). Rows are bumped per tile range by the tiles_*_cells triggers
-- (tiles_bump_cells); a TRUNCATE empties a source everywhere, so it bumps the whole source.
CREATE OR REPLACE FUNCTION tiles_bump()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    INSERT INTO tiles_generationbump (source, txid)
    SELECT s, pg_current_xact_id()::text::bigint FROM unnest(TG_ARGV) AS s
    ON CONFLICT (source, txid) DO NOTHING;
    IF TG_TABLE_NAME IN ('appointments_appointment', 'cases_case', 'people_gridassignment',
                         'people_staff') THEN
        DELETE FROM tiles_gridfigures;  -- every kept figure may be wrong now
    END IF;
    RETURN NULL;
END $function$;

CREATE OR REPLACE TRIGGER tiles_bump AFTER TRUNCATE ON appointments_appointment FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('work');
CREATE OR REPLACE TRIGGER tiles_bump AFTER TRUNCATE ON cases_case FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('work');
CREATE OR REPLACE TRIGGER tiles_bump AFTER TRUNCATE ON geo_area FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('areas');
CREATE OR REPLACE TRIGGER tiles_bump AFTER TRUNCATE ON geo_grid FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('grids');
CREATE OR REPLACE TRIGGER tiles_bump AFTER TRUNCATE ON geo_gridboundary FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('grids');
CREATE OR REPLACE TRIGGER tiles_bump AFTER TRUNCATE ON people_gridassignment FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('grids');
CREATE OR REPLACE TRIGGER tiles_bump AFTER TRUNCATE ON people_staff FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('staff', 'positions');
CREATE OR REPLACE TRIGGER tiles_bump AFTER TRUNCATE ON tiles_gap FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('gaps');
