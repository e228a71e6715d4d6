"""The scope helpers of `sync_record()` in PL/pgSQL: as SQL functions with a FROM clause they were
planned again on every call — three plans per written row (~0.2 ms a row, most of the change
log's cost when a backlog is routed). Same definitions as 0002."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION sync_centre_areas(centres bigint[]) RETURNS bigint[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(DISTINCT area_id), '{}') FROM geo_servicecentre
            WHERE id = ANY(centres));
END $$;
CREATE OR REPLACE FUNCTION sync_staff_areas(staff bigint[]) RETURNS bigint[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(DISTINCT c.area_id), '{}')
            FROM people_staff s JOIN geo_servicecentre c ON c.id = s.centre_id
            WHERE s.id = ANY(staff));
END $$;
CREATE OR REPLACE FUNCTION sync_grid_areas(grids bigint[]) RETURNS bigint[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(DISTINCT community_id), '{}') FROM geo_grid
            WHERE id = ANY(grids));
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("sync", "0003_schedule")]
    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
