"""Grid boundary versions are history: no update but closing the current one, no delete."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION geo_gridboundary_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
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
END $$;
CREATE TRIGGER geo_gridboundary_immutable
    BEFORE UPDATE OR DELETE ON geo_gridboundary
    FOR EACH ROW EXECUTE FUNCTION geo_gridboundary_immutable();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS geo_gridboundary_immutable ON geo_gridboundary;
DROP FUNCTION IF EXISTS geo_gridboundary_immutable();
"""


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
