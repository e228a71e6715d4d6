-- feedback_append_only: complaint events are append-only and complaints are never deleted
CREATE OR REPLACE FUNCTION feedback_append_only()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    RAISE EXCEPTION '% rows are never %d (id %)', TG_TABLE_NAME, lower(TG_OP), OLD.id
        USING ERRCODE = 'restrict_violation';
END $function$;

CREATE OR REPLACE TRIGGER feedback_complaint_no_delete BEFORE DELETE ON feedback_complaint FOR EACH ROW EXECUTE FUNCTION feedback_append_only();
CREATE OR REPLACE TRIGGER feedback_complaintevent_append_only BEFORE DELETE OR UPDATE ON feedback_complaintevent FOR EACH ROW EXECUTE FUNCTION feedback_append_only();
