"""Item versions are history: a case points at the version it was accepted under."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION catalogue_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'service item versions are immutable (item %, version %)',
        OLD.item_id, OLD.version USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER catalogue_version_immutable
    BEFORE UPDATE OR DELETE ON catalogue_serviceitemversion
    FOR EACH ROW EXECUTE FUNCTION catalogue_version_immutable();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS catalogue_version_immutable ON catalogue_serviceitemversion;
DROP FUNCTION IF EXISTS catalogue_version_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
