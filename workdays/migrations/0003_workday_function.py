"""`workdays_is_workday(date)`: the one definition of a working day, used by the Python
calendar and by SQL (agent availability in routing)."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION workdays_is_workday(d date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE (SELECT kind FROM workdays_specialday WHERE date = d)
        WHEN 'holiday' THEN false
        WHEN 'workday' THEN true
        ELSE extract(isodow FROM d) < 6
    END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("workdays", "0002_seed_from_library")]
    operations = [migrations.RunSQL(FORWARD, "DROP FUNCTION IF EXISTS workdays_is_workday(date);")]
