"""Open work counts open cases too: appointments still with the agent (one taken up as a case
leaves the appointment states for `in_case`), plus the cases they are responsible for that still
need work (returned, declined and closed do not)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION open_work(staff bigint) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (SELECT count(*) FROM appointments_appointment a
             WHERE a.agent_id = staff
               AND a.status IN ('awaiting_confirmation', 'confirmed'))::integer
         + (SELECT count(*) FROM cases_case c
             WHERE c.responsible_id = staff
               AND c.status IN ('consulting', 'awaiting_papers', 'accepted', 'forwarded',
                                'at_window', 'result_ready', 'refused', 'collected'))::integer
$$;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION open_work(staff bigint) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT count(*)::integer FROM appointments_appointment
    WHERE agent_id = staff AND status IN ('awaiting_confirmation', 'confirmed')
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_schedules"), ("appointments", "0004_open_work")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
