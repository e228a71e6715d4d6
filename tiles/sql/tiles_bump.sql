-- tiles_bump: records each writing transaction once per tile source (generation bumps for the tile cache)
CREATE OR REPLACE FUNCTION tiles_bump()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    INSERT INTO tiles_generationbump (source, txid)
    SELECT s, pg_current_xact_id()::text::bigint FROM unnest(TG_ARGV) AS s
    ON CONFLICT (source, txid) DO NOTHING;
    RETURN NULL;
END $function$;

CREATE OR REPLACE TRIGGER tiles_bump AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON appointments_appointment FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('work');
CREATE OR REPLACE TRIGGER tiles_bump AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON cases_case FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('work');
CREATE OR REPLACE TRIGGER tiles_bump AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON geo_area FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('areas');
CREATE OR REPLACE TRIGGER tiles_bump AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON geo_grid FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('grids');
CREATE OR REPLACE TRIGGER tiles_bump AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON geo_gridboundary FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('grids');
CREATE OR REPLACE TRIGGER tiles_bump AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON people_gridassignment FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('grids');
CREATE OR REPLACE TRIGGER tiles_bump AFTER INSERT OR DELETE OR TRUNCATE ON people_staff FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('staff', 'positions');
CREATE OR REPLACE TRIGGER tiles_bump_position AFTER UPDATE OF last_position, last_position_at, last_position_accuracy_m ON people_staff FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('positions');
CREATE OR REPLACE TRIGGER tiles_bump_roster AFTER UPDATE OF active, roles, centre_id, full_name ON people_staff FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('staff');
CREATE OR REPLACE TRIGGER tiles_bump AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON tiles_gap FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump('gaps');
