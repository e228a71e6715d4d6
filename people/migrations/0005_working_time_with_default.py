"""Split the default schedule out of `people_working_time`, so a caller ranking many agents for
one window computes the default working time once (`people_default_working_time`) and passes
it in. Still one definition: the two-argument form is the same function with the default
computed inside."""

from django.db import migrations

FORWARD = """
DROP FUNCTION IF EXISTS people_after_working_minutes(bigint, timestamptz, int);
DROP FUNCTION IF EXISTS people_working_time(bigint, timestamptz, timestamptz);

CREATE FUNCTION people_periods_time(p_staff bigint, ws timestamptz, we timestamptz)
RETURNS tstzmultirange LANGUAGE sql STABLE AS $$
    SELECT coalesce(range_agg(tstzrange(
               greatest((d::date + p.start) AT TIME ZONE 'Asia/Shanghai', ws),
               least((d::date + p."end") AT TIME ZONE 'Asia/Shanghai', we))), '{}'::tstzmultirange)
    FROM generate_series((ws AT TIME ZONE 'Asia/Shanghai')::date,
                         (we AT TIME ZONE 'Asia/Shanghai')::date, interval '1 day') AS d
    JOIN people_workperiod p
      ON p.weekday = extract(isodow FROM d)
     AND p.staff_id IS NOT DISTINCT FROM p_staff
    WHERE workdays_is_workday(d::date)
      AND (d::date + p.start) AT TIME ZONE 'Asia/Shanghai' < we
      AND (d::date + p."end") AT TIME ZONE 'Asia/Shanghai' > ws
$$;

-- the default schedule's working time in a window (rows of people_workperiod without staff)
CREATE FUNCTION people_default_working_time(ws timestamptz, we timestamptz)
RETURNS tstzmultirange LANGUAGE sql STABLE AS $$
    SELECT people_periods_time(NULL, ws, we)
$$;

-- an agent's working time: their own hours if they have any, else the default (computed here
-- unless the caller passes it), on working days, less leave
CREATE FUNCTION people_working_time(p_staff bigint, ws timestamptz, we timestamptz,
                                    default_time tstzmultirange DEFAULT NULL)
RETURNS tstzmultirange LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN EXISTS (SELECT 1 FROM people_workperiod WHERE staff_id = p_staff)
                THEN people_periods_time(p_staff, ws, we)
                ELSE coalesce(default_time, people_default_working_time(ws, we)) END
         - coalesce((SELECT range_agg(tstzrange(l.start, l."end")) FROM people_leave l
                     WHERE l.staff_id = p_staff AND l.start < we AND l."end" > ws),
                    '{}'::tstzmultirange)
$$;

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
    dependencies = [("people", "0004_after_working_minutes")]
    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
