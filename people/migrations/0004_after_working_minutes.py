"""`people_after_working_minutes(staff, t, minutes)`: the moment an agent has had `minutes`
of working time after `t` (how long they have to answer a routed appointment)."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION people_after_working_minutes(p_staff bigint, t timestamptz, minutes int)
RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
DECLARE
    r tstzrange;
    remaining interval := make_interval(mins => minutes);
BEGIN
    FOR r IN SELECT unnest(people_working_time(p_staff, t, t + interval '30 days')) LOOP
        IF upper(r) - lower(r) >= remaining THEN
            RETURN lower(r) + remaining;
        END IF;
        remaining := remaining - (upper(r) - lower(r));
    END LOOP;
    RETURN t + make_interval(mins => minutes);
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("people", "0003_default_work_periods")]
    operations = [
        migrations.RunSQL(
            FORWARD, "DROP FUNCTION IF EXISTS people_after_working_minutes(bigint, timestamptz, int);"
        )
    ]
