"""Complaints are never deleted and their events never changed.

The API has neither; these triggers hold the same line for the admin, the shell and raw SQL
(TRUNCATE, used only by test teardown, is not a row operation). Suggestions may be deleted:
a resident's personal data in one can be erased.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION feedback_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never %d (id %)', TG_TABLE_NAME, lower(TG_OP), OLD.id
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER feedback_complaint_no_delete BEFORE DELETE ON feedback_complaint
    FOR EACH ROW EXECUTE FUNCTION feedback_append_only();
CREATE TRIGGER feedback_complaintevent_append_only BEFORE UPDATE OR DELETE ON feedback_complaintevent
    FOR EACH ROW EXECUTE FUNCTION feedback_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS feedback_complaint_no_delete ON feedback_complaint;
DROP TRIGGER IF EXISTS feedback_complaintevent_append_only ON feedback_complaintevent;
DROP FUNCTION IF EXISTS feedback_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
