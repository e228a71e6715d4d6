-- cases_issued_append_only: what was issued outside is append-only — the register heads published daily and the applicants' copies issued with the return code
CREATE OR REPLACE FUNCTION cases_issued_append_only()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    RAISE EXCEPTION '% rows are never %d (id %)', TG_TABLE_NAME, lower(TG_OP), OLD.id
        USING ERRCODE = 'restrict_violation';
END $function$;

CREATE OR REPLACE TRIGGER cases_registerhead_append_only BEFORE DELETE OR UPDATE ON cases_registerhead FOR EACH ROW EXECUTE FUNCTION cases_issued_append_only();
CREATE OR REPLACE TRIGGER cases_applicantcopy_append_only BEFORE DELETE OR UPDATE ON cases_applicantcopy FOR EACH ROW EXECUTE FUNCTION cases_issued_append_only();
