"""Open work counts open cases too, in the inlinable form routing plans with its ranking
(`open_work_of`, appointments 0005); `open_work(staff)` reads it. Appointments still with the
agent (one taken up as a case leaves the appointment states for `in_case`), plus the cases they
are responsible for that still need work (returned, declined and closed do not)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION open_work_of(p_staff bigint) RETURNS TABLE (load integer)
LANGUAGE sql STABLE AS $$
    SELECT (SELECT count(*) FROM appointments_appointment a
             WHERE a.agent_id = p_staff
               AND a.status IN ('awaiting_confirmation', 'confirmed'))::integer
         + (SELECT count(*) FROM cases_case c
             WHERE c.responsible_id = p_staff
               AND c.status IN ('consulting', 'awaiting_papers', 'accepted', 'forwarded',
                                'at_window', 'result_ready', 'refused', 'collected'))::integer
$$;

CREATE OR REPLACE FUNCTION open_work(staff bigint) RETURNS integer
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT o.load FROM open_work_of(staff) o);
END $$;
"""

# back to cases 0004: open_work counts open cases itself (open_work_of without them again)
BACKWARD = """
CREATE OR REPLACE FUNCTION open_work_of(p_staff bigint) RETURNS TABLE (load integer)
LANGUAGE sql STABLE AS $$
    SELECT (SELECT count(*) FROM appointments_appointment a
             WHERE a.agent_id = p_staff
               AND a.status IN ('awaiting_confirmation', 'confirmed'))::integer
$$;
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


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_case_client_uuid"),
        ("appointments", "0005_routing_rank_function"),
    ]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
