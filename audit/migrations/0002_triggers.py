"""Every change to the audited tables is written to audit_change by a trigger; the trail itself
is append-only.

`audit_record()` is generic: an AFTER … FOR EACH ROW trigger on each audited table. It writes
INSERT: the new row; UPDATE: only the changed columns as {"column": [old, new]} (an UPDATE that
changes nothing writes nothing); DELETE: the old row. Geometry columns come out as GeoJSON
(PostGIS casts geometry to json). Trigger arguments name columns never copied into the trail:
the encrypted resident ID numbers stay in their one place, where they can be erased; their
hash and masked form, which change with them, are recorded.

Who wrote comes from the session setting `audit.context` (JSON; '' or unset: no context), which
audit.context.record_context sets before each write to these tables: "user" → actor_id,
"request_id" → request_id, every other key → context.

The table list must match audit.context.AUDITED_TABLES (tests/audit checks it). TRUNCATE is not
a row operation and is not recorded (test teardown uses it).
"""

from django.db import migrations

# (table, columns never copied into the trail)
AUDITED = [
    # `routing` is the latest decision's explanation, kept whole in RoutingDecision rows
    ("appointments_appointment", ["resident_id_encrypted", "routing"]),
    ("cases_case", ["resident_id_encrypted"]),
    ("cases_registerentry", []),
    ("geo_grid", []),
    ("geo_gridboundary", []),
    ("people_gridassignment", []),
]

FUNCTIONS = """
CREATE FUNCTION audit_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ctx jsonb := NULLIF(current_setting('audit.context', true), '')::jsonb;
    skipped text[] := COALESCE(TG_ARGV, '{}');
    old_row jsonb;
    new_row jsonb;
    changed jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_row := to_jsonb(OLD) - skipped;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_row := to_jsonb(NEW) - skipped;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(n.key, jsonb_build_array(o.value, n.value))
          INTO changed
          FROM jsonb_each(new_row) AS n
          JOIN jsonb_each(old_row) AS o USING (key)
         WHERE n.value IS DISTINCT FROM o.value;
        IF changed IS NULL THEN
            RETURN NULL;  -- nothing changed: nothing to record
        END IF;
    ELSE
        changed := COALESCE(new_row, old_row);
    END IF;
    INSERT INTO audit_change (table_name, row_id, op, changes, actor_id, request_id, context)
    VALUES (
        TG_TABLE_NAME,
        COALESCE(new_row, old_row) ->> 'id',
        TG_OP,
        changed,
        (ctx ->> 'user')::bigint,
        COALESCE(ctx ->> 'request_id', ''),
        COALESCE(ctx - 'user' - 'request_id', '{}')
    );
    RETURN NULL;
END $$;

CREATE FUNCTION audit_change_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit changes are never %d (id %)', lower(TG_OP), OLD.id
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER audit_change_append_only BEFORE UPDATE OR DELETE ON audit_change
    FOR EACH ROW EXECUTE FUNCTION audit_change_append_only();
"""

DROP_FUNCTIONS = """
DROP TRIGGER IF EXISTS audit_change_append_only ON audit_change;
DROP FUNCTION IF EXISTS audit_change_append_only();
DROP FUNCTION IF EXISTS audit_record();
"""


def _attach(table: str, skipped: list[str]) -> str:
    arguments = ", ".join(f"'{column}'" for column in skipped)
    return (
        f"CREATE TRIGGER audit_record AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION audit_record({arguments});"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("appointments", "0002_schedules"),
        ("cases", "0003_schedules"),
        ("geo", "0002_boundary_history_is_immutable"),
        ("people", "0006_working_time_plpgsql"),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        *(
            migrations.RunSQL(
                _attach(table, skipped), f"DROP TRIGGER IF EXISTS audit_record ON {table};"
            )
            for table, skipped in AUDITED
        ),
    ]
