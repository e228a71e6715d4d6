"""Which days are working days, as an inlinable SQL table function over a span of dates
(`workdays_days`): a statement that needs the working days of a window plans it with everything
else (one index probe of the special days per date) instead of calling a function per day.
`workdays_is_workday` and `workdays_count` read it: still one rule — an official holiday is off,
an adjusted working day (调休) is on, otherwise Monday to Friday."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION workdays_days(d0 date, d1 date) RETURNS TABLE (day date, workday boolean)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT g.d::date,
           CASE sd.kind WHEN 'holiday' THEN false
                        WHEN 'workday' THEN true
                        ELSE extract(isodow FROM g.d) < 6 END
    FROM generate_series(d0, d1, interval '1 day') AS g(d)
    LEFT JOIN workdays_specialday sd ON sd.date = g.d::date
$$;

CREATE OR REPLACE FUNCTION workdays_is_workday(d date) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT w.workday FROM workdays_days(d, d) w);
END $$;

CREATE OR REPLACE FUNCTION workdays_count(after date, upto date) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT count(*)::integer FROM workdays_days(after + 1, upto) w WHERE w.workday
$$;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION workdays_is_workday(d date) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    k text;
BEGIN
    SELECT kind INTO k FROM workdays_specialday WHERE date = d;
    IF k = 'holiday' THEN RETURN false; END IF;
    IF k = 'workday' THEN RETURN true; END IF;
    RETURN extract(isodow FROM d) < 6;
END $$;
CREATE OR REPLACE FUNCTION workdays_count(after date, upto date) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT count(*)::integer
    FROM generate_series(after + 1, upto, interval '1 day') AS d
    WHERE workdays_is_workday(d::date)
$$;
DROP FUNCTION IF EXISTS workdays_days(date, date);
"""


class Migration(migrations.Migration):
    dependencies = [("workdays", "0005_workdays_count")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
