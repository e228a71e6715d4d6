-- geo_gridboundary_immutable: a grid's boundary history is never rewritten or deleted; only an
-- open version may be closed (valid_to set)
CREATE OR REPLACE FUNCTION geo_gridboundary_immutable()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'grid boundary versions are never deleted (grid %, version %)',
            OLD.grid_id, OLD.version USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.valid_to IS NOT NULL
       OR NEW.geom IS DISTINCT FROM OLD.geom
       OR NEW.grid_id <> OLD.grid_id OR NEW.version <> OLD.version
       OR NEW.valid_from <> OLD.valid_from THEN
        RAISE EXCEPTION 'grid boundary versions are immutable (grid %, version %)',
            OLD.grid_id, OLD.version USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $function$;

CREATE OR REPLACE TRIGGER geo_gridboundary_immutable BEFORE DELETE OR UPDATE ON geo_gridboundary FOR EACH ROW EXECUTE FUNCTION geo_gridboundary_immutable();
