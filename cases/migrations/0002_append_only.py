"""Nothing deletes a case; events, register entries and custody hand-overs are never changed.

The API has no delete for any of them; these triggers hold the same line for the admin, the
shell and raw SQL (TRUNCATE, used only by test teardown, is not a row operation).
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION cases_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never %d (id %)', TG_TABLE_NAME, lower(TG_OP), OLD.id
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER cases_case_no_delete BEFORE DELETE ON cases_case
    FOR EACH ROW EXECUTE FUNCTION cases_append_only();
CREATE TRIGGER cases_caseevent_append_only BEFORE UPDATE OR DELETE ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION cases_append_only();
CREATE TRIGGER cases_registerentry_append_only BEFORE UPDATE OR DELETE ON cases_registerentry
    FOR EACH ROW EXECUTE FUNCTION cases_append_only();
CREATE TRIGGER cases_custodytransfer_append_only BEFORE UPDATE OR DELETE ON cases_custodytransfer
    FOR EACH ROW EXECUTE FUNCTION cases_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS cases_case_no_delete ON cases_case;
DROP TRIGGER IF EXISTS cases_caseevent_append_only ON cases_caseevent;
DROP TRIGGER IF EXISTS cases_registerentry_append_only ON cases_registerentry;
DROP TRIGGER IF EXISTS cases_custodytransfer_append_only ON cases_custodytransfer;
DROP FUNCTION IF EXISTS cases_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
