-- catalogue_version_immutable: a published service item version is never changed
CREATE OR REPLACE FUNCTION catalogue_version_immutable()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    RAISE EXCEPTION 'service item versions are immutable (item %, version %)',
        OLD.item_id, OLD.version USING ERRCODE = 'restrict_violation';
END $function$;

CREATE OR REPLACE TRIGGER catalogue_version_immutable BEFORE DELETE OR UPDATE ON catalogue_serviceitemversion FOR EACH ROW EXECUTE FUNCTION catalogue_version_immutable();
