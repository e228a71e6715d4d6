-- audit_change_append_only: the audit trail itself is append-only
CREATE OR REPLACE FUNCTION audit_change_append_only()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    RAISE EXCEPTION 'audit changes are never %d (id %)', lower(TG_OP), OLD.id
        USING ERRCODE = 'restrict_violation';
END $function$;

CREATE OR REPLACE TRIGGER audit_change_append_only BEFORE DELETE OR UPDATE ON audit_change FOR EACH ROW EXECUTE FUNCTION audit_change_append_only();
