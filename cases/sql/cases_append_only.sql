-- cases_append_only: events, register entries and custody hand-overs are append-only, cases never deleted
CREATE OR REPLACE FUNCTION cases_append_only()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    RAISE EXCEPTION '% rows are never %d (id %)', TG_TABLE_NAME, lower(TG_OP), OLD.id
        USING ERRCODE = 'restrict_violation';
END $function$;

CREATE OR REPLACE TRIGGER cases_case_no_delete BEFORE DELETE ON cases_case FOR EACH ROW EXECUTE FUNCTION cases_append_only();
CREATE OR REPLACE TRIGGER cases_caseevent_append_only BEFORE DELETE OR UPDATE ON cases_caseevent FOR EACH ROW EXECUTE FUNCTION cases_append_only();
CREATE OR REPLACE TRIGGER cases_custodytransfer_append_only BEFORE DELETE OR UPDATE ON cases_custodytransfer FOR EACH ROW EXECUTE FUNCTION cases_append_only();
CREATE OR REPLACE TRIGGER cases_registerentry_append_only BEFORE DELETE OR UPDATE ON cases_registerentry FOR EACH ROW EXECUTE FUNCTION cases_append_only();
