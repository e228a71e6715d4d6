"""An agent's open work, one definition for routing's cap and ranking: here the appointments
with them; the cases app replaces it to add open cases (cases 0004)."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION open_work(staff bigint) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT count(*)::integer FROM appointments_appointment
    WHERE agent_id = staff AND status IN ('awaiting_confirmation', 'confirmed')
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("appointments", "0003_cases")]
    operations = [migrations.RunSQL(FORWARD, "DROP FUNCTION IF EXISTS open_work(bigint);")]
