"""The same rule in PL/pgSQL: its query plan is cached for the session, where a SQL function is
planned again on every call (routing calls it for every candidate's window)."""

from django.db import migrations

FORWARD = """
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
"""


class Migration(migrations.Migration):
    dependencies = [("workdays", "0003_workday_function")]
    operations = [migrations.RunSQL(FORWARD, migrations.RunSQL.noop)]
