"""The working-time functions in PL/pgSQL (plans cached per session; a SQL function is planned
on every call, which made ranking 27 candidates cost ~20 ms). Same definitions as 0005."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION people_periods_time(p_staff bigint, ws timestamptz, we timestamptz)
RETURNS tstzmultirange LANGUAGE plpgsql STABLE AS $$
DECLARE
    result tstzmultirange;
BEGIN
    SELECT coalesce(range_agg(tstzrange(
               greatest((d::date + p.start) AT TIME ZONE 'Asia/Shanghai', ws),
               least((d::date + p."end") AT TIME ZONE 'Asia/Shanghai', we))), '{}'::tstzmultirange)
    INTO result
    FROM generate_series((ws AT TIME ZONE 'Asia/Shanghai')::date,
                         (we AT TIME ZONE 'Asia/Shanghai')::date, interval '1 day') AS d
    JOIN people_workperiod p
      ON p.weekday = extract(isodow FROM d)
     AND p.staff_id IS NOT DISTINCT FROM p_staff
    WHERE workdays_is_workday(d::date)
      AND (d::date + p.start) AT TIME ZONE 'Asia/Shanghai' < we
      AND (d::date + p."end") AT TIME ZONE 'Asia/Shanghai' > ws;
    RETURN result;
END $$;

CREATE OR REPLACE FUNCTION people_default_working_time(ws timestamptz, we timestamptz)
RETURNS tstzmultirange LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN people_periods_time(NULL, ws, we);
END $$;

CREATE OR REPLACE FUNCTION people_working_time(p_staff bigint, ws timestamptz, we timestamptz,
                                               default_time tstzmultirange DEFAULT NULL)
RETURNS tstzmultirange LANGUAGE plpgsql STABLE AS $$
DECLARE
    work tstzmultirange;
    away tstzmultirange;
BEGIN
    IF EXISTS (SELECT 1 FROM people_workperiod WHERE staff_id = p_staff) THEN
        work := people_periods_time(p_staff, ws, we);
    ELSE
        work := coalesce(default_time, people_default_working_time(ws, we));
    END IF;
    IF isempty(work) THEN
        RETURN work;
    END IF;
    SELECT range_agg(tstzrange(l.start, l."end")) INTO away FROM people_leave l
    WHERE l.staff_id = p_staff AND l.start < we AND l."end" > ws;
    RETURN work - coalesce(away, '{}'::tstzmultirange);
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("people", "0005_working_time_with_default"), ("workdays", "0004_workday_function_plpgsql")]
    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
