"""Working time and availability as inlinable SQL table functions, so a statement that ranks many
agents plans them once with everything else (index probes of own periods, leave and special
days) instead of calling nested PL/pgSQL functions per agent and per day:

- `people_periods(staff, ws, we)`: the working time in a window from weekly periods — the
  agent's own, or with `staff` NULL the default schedule — on working days (`workdays_days`);
- `people_availability(staff, ws, we, default_time)`: own periods if the agent has any, else the
  default working time passed in (computed once per window by the caller), less leave.

The scalar functions keep their signatures for other callers and read the same definitions: one
rule. Not STRICT, no SET clause, one SELECT: what PostgreSQL needs to inline them in `LATERAL`."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION people_periods(p_staff bigint, ws timestamptz, we timestamptz)
RETURNS TABLE (working tstzmultirange) LANGUAGE sql STABLE AS $$
    SELECT coalesce(range_agg(tstzrange(
               greatest((w.day + p.start) AT TIME ZONE 'Asia/Shanghai', ws),
               least((w.day + p."end") AT TIME ZONE 'Asia/Shanghai', we))), '{}'::tstzmultirange)
    FROM workdays_days((ws AT TIME ZONE 'Asia/Shanghai')::date,
                       (we AT TIME ZONE 'Asia/Shanghai')::date) w
    JOIN people_workperiod p
      ON p.weekday = extract(isodow FROM w.day)
     AND ((p_staff IS NULL AND p.staff_id IS NULL) OR p.staff_id = p_staff)
    WHERE w.workday
      AND (w.day + p.start) AT TIME ZONE 'Asia/Shanghai' < we
      AND (w.day + p."end") AT TIME ZONE 'Asia/Shanghai' > ws
$$;

CREATE FUNCTION people_availability(p_staff bigint, ws timestamptz, we timestamptz,
                                    default_time tstzmultirange)
RETURNS TABLE (working tstzmultirange) LANGUAGE sql STABLE AS $$
    SELECT (CASE WHEN EXISTS (SELECT 1 FROM people_workperiod w WHERE w.staff_id = p_staff)
                 THEN (SELECT o.working FROM people_periods(p_staff, ws, we) o)
                 ELSE default_time END)
           - coalesce((SELECT range_agg(tstzrange(l.start, l."end")) FROM people_leave l
                       WHERE l.staff_id = p_staff AND l.start < we AND l."end" > ws),
                      '{}'::tstzmultirange)
$$;

CREATE OR REPLACE FUNCTION people_periods_time(p_staff bigint, ws timestamptz, we timestamptz)
RETURNS tstzmultirange LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT o.working FROM people_periods(p_staff, ws, we) o);
END $$;

CREATE OR REPLACE FUNCTION people_working_time(p_staff bigint, ws timestamptz, we timestamptz,
                                               default_time tstzmultirange DEFAULT NULL)
RETURNS tstzmultirange LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT a.working FROM people_availability(
                p_staff, ws, we, coalesce(default_time, people_default_working_time(ws, we))) a);
END $$;
"""

BACKWARD = """
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
DROP FUNCTION IF EXISTS people_availability(bigint, timestamptz, timestamptz, tstzmultirange);
DROP FUNCTION IF EXISTS people_periods(bigint, timestamptz, timestamptz);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_position_client_uuid"),
        ("workdays", "0006_workdays_days"),
    ]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
