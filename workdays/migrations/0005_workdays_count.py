"""Working days after one date up to and including another, in SQL (deadline lights in lists
and the escalation sweep count in the database); which days count is still decided only by
workdays_is_workday."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION workdays_count(after date, upto date) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT count(*)::integer
    FROM generate_series(after + 1, upto, interval '1 day') AS d
    WHERE workdays_is_workday(d::date)
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("workdays", "0004_workday_function_plpgsql")]
    operations = [
        migrations.RunSQL(FORWARD, "DROP FUNCTION IF EXISTS workdays_count(date, date);")
    ]
