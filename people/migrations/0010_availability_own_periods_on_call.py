"""`people_availability` reaches an agent's own weekly periods through the PL/pgSQL
`people_periods_time` (its plan kept per session) instead of inlining them.

Inlined, the own-period branch (working days, periods, the range aggregate) sat in the plan of
every statement that ranks agents and was set up at each execution even though nearly every agent
works the default schedule; now only an agent with periods of their own pays for a call. Same
rule, same definition (`people_periods`)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION people_availability(p_staff bigint, ws timestamptz, we timestamptz,
                                               default_time tstzmultirange)
RETURNS TABLE (working tstzmultirange) LANGUAGE sql STABLE AS $$
    SELECT (CASE WHEN EXISTS (SELECT 1 FROM people_workperiod w WHERE w.staff_id = p_staff)
                 THEN people_periods_time(p_staff, ws, we)
                 ELSE default_time END)
           - coalesce((SELECT range_agg(tstzrange(l.start, l."end")) FROM people_leave l
                       WHERE l.staff_id = p_staff AND l.start < we AND l."end" > ws),
                      '{}'::tstzmultirange)
$$;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION people_availability(p_staff bigint, ws timestamptz, we timestamptz,
                                               default_time tstzmultirange)
RETURNS TABLE (working tstzmultirange) LANGUAGE sql STABLE AS $$
    SELECT (CASE WHEN EXISTS (SELECT 1 FROM people_workperiod w WHERE w.staff_id = p_staff)
                 THEN (SELECT o.working FROM people_periods(p_staff, ws, we) o)
                 ELSE default_time END)
           - coalesce((SELECT range_agg(tstzrange(l.start, l."end")) FROM people_leave l
                       WHERE l.staff_id = p_staff AND l.start < we AND l."end" > ws),
                      '{}'::tstzmultirange)
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("people", "0009_after_working_minutes_of")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
