"""The change log written once per statement instead of once per row: `sync_record()` is now a
statement-level trigger reading the statement's transition tables (`sync_new`, `sync_old`), one
INSERT … SELECT per statement (a routed backlog wrote a thousand PL/pgSQL calls, ~0.5 ms a row).
Same rows and hints as 0002 (areas gathered by joins planned with the statement instead of the
per-row helpers, duplicates removed): staff, area and user ids from the row before and after the change
(so a record that left someone's scope still reaches them as a tombstone), `delete` for removals,
a resident's text message (no recipient) not logged.

PostgreSQL allows transition tables only on single-event triggers: each synced table gets three
(`sync_insert`, `sync_update`, `sync_delete`). The hint expressions name each entity's columns;
the statement is put together per entity and operation (EXECUTE, planned once per statement, not
per row)."""

from importlib import import_module

from django.db import migrations

_0002 = import_module("sync.migrations.0002_triggers").FUNCTION
ROW_LEVEL_FUNCTION = "CREATE OR REPLACE" + _0002[_0002.index("CREATE FUNCTION sync_record()") + 6 :]

TABLES = [
    ("appointments_appointment", "appointment"),
    ("cases_case", "case"),
    ("cases_caseevent", "case_event"),
    ("visits_visit", "visit"),
    ("geo_grid", "grid"),
    ("people_gridassignment", "assignment"),
    ("notifications_notification", "notification"),
]

FUNCTION = """
-- distinct, without NULLs (the area hints of one row, gathered from several lookups)
CREATE OR REPLACE FUNCTION sync_ids(ids bigint[]) RETURNS bigint[] LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(DISTINCT x), '{}') FROM unnest(ids) AS x WHERE x IS NOT NULL
$$;

-- one row's area by its id, as <alias>.area_id (a grid's community, a centre's area, a staff
-- member's station area): an index probe per row (LIMIT 1 keeps it a lookup; as a plain join the
-- planner hashes the whole staff table, 300,000 rows at district scale, for every statement)
CREATE OR REPLACE FUNCTION sync_lookup(alias text, id text, kind text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format(' LEFT JOIN LATERAL (%s LIMIT 1) %I ON true',
                  CASE kind
                      WHEN 'grid' THEN format(
                          'SELECT g.community_id AS area_id FROM geo_grid g WHERE g.id = %s', id)
                      WHEN 'centre' THEN format(
                          'SELECT c.area_id FROM geo_servicecentre c WHERE c.id = %s', id)
                      ELSE format('SELECT c.area_id FROM people_staff s '
                                  'JOIN geo_servicecentre c ON c.id = s.centre_id '
                                  'WHERE s.id = %s', id)
                  END, alias)
$$;

CREATE OR REPLACE FUNCTION sync_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entity text := TG_ARGV[0];
    op text := CASE TG_OP WHEN 'DELETE' THEN 'delete' ELSE 'upsert' END;
    -- r: the row after the change (before, for a removal); o: the row before (after, for a new one)
    source text := CASE TG_OP
        WHEN 'INSERT' THEN 'sync_new r JOIN sync_new o ON o.id = r.id'
        WHEN 'UPDATE' THEN 'sync_new r JOIN sync_old o ON o.id = r.id'
        ELSE 'sync_old r JOIN sync_old o ON o.id = r.id' END;
    hints text;  -- staff ids, area ids, user ids
    extra text := '';
BEGIN
    -- areas: one index probe per row and reference (sync_lookup)
    IF entity = 'appointment' THEN
        hints := 'array_remove(ARRAY[o.agent_id, r.agent_id], NULL),
                  sync_ids(ARRAY[go.area_id, gr.area_id, qo.area_id, qr.area_id,
                                 so.area_id, sr.area_id]),
                  array_remove(ARRAY[r.created_by_id], NULL)';
        extra := sync_lookup('go', 'o.grid_id', 'grid') || sync_lookup('gr', 'r.grid_id', 'grid')
                 || sync_lookup('qo', 'o.queue_centre_id', 'centre')
                 || sync_lookup('qr', 'r.queue_centre_id', 'centre')
                 || sync_lookup('so', 'o.agent_id', 'staff')
                 || sync_lookup('sr', 'r.agent_id', 'staff');
    ELSIF entity = 'case' THEN
        hints := 'ARRAY[o.responsible_id, r.responsible_id],
                  sync_ids(ARRAY[co.area_id, cr.area_id, so.area_id, sr.area_id]),
                  ARRAY[r.opened_by_id]';
        extra := sync_lookup('co', 'o.centre_id', 'centre')
                 || sync_lookup('cr', 'r.centre_id', 'centre')
                 || sync_lookup('so', 'o.responsible_id', 'staff')
                 || sync_lookup('sr', 'r.responsible_id', 'staff');
    ELSIF entity = 'case_event' THEN
        hints := 'ARRAY[k.responsible_id], sync_ids(ARRAY[kc.area_id, sk.area_id]),
                  ARRAY[k.opened_by_id]';
        extra := ' LEFT JOIN LATERAL (SELECT k.responsible_id, k.centre_id, k.opened_by_id'
                 ' FROM cases_case k WHERE k.id = r.case_id LIMIT 1) k ON true'
                 || sync_lookup('kc', 'k.centre_id', 'centre')
                 || sync_lookup('sk', 'k.responsible_id', 'staff');
    ELSIF entity = 'visit' THEN
        hints := 'ARRAY[o.agent_id, r.agent_id], sync_ids(ARRAY[so.area_id, sr.area_id]),
                  ARRAY[r.created_by_id]';
        extra := sync_lookup('so', 'o.agent_id', 'staff') || sync_lookup('sr', 'r.agent_id', 'staff');
    ELSIF entity = 'grid' THEN
        hints := '''{}''::bigint[], ARRAY[o.community_id, r.community_id], ''{}''::bigint[]';
    ELSIF entity = 'assignment' THEN
        hints := 'ARRAY[o.staff_id, r.staff_id],
                  sync_ids(ARRAY[go.area_id, gr.area_id, so.area_id, sr.area_id]),
                  ''{}''::bigint[]';
        extra := sync_lookup('go', 'o.grid_id', 'grid') || sync_lookup('gr', 'r.grid_id', 'grid')
                 || sync_lookup('so', 'o.staff_id', 'staff')
                 || sync_lookup('sr', 'r.staff_id', 'staff');
    ELSIF entity = 'notification' THEN
        hints := '''{}''::bigint[], ''{}''::bigint[], ARRAY[r.recipient_id]';
        extra := ' WHERE r.recipient_id IS NOT NULL';  -- a resident's text message: in no app
    ELSE
        hints := '''{}''::bigint[], ''{}''::bigint[], ''{}''::bigint[]';
    END IF;
    EXECUTE format(
        'INSERT INTO sync_change (txid, entity, entity_id, op, staff_ids, area_ids, user_ids, at) '
        'SELECT pg_current_xact_id()::text::bigint, %L, r.id, %L, %s, now() FROM %s%s',
        entity, op, hints, source, extra);
    RETURN NULL;
END $$;
"""


def _detach(table: str, entity: str) -> str:
    return "".join(
        f"DROP TRIGGER IF EXISTS sync_{op} ON {table};" for op in ("insert", "update", "delete")
    )


def _attach(table: str, entity: str) -> str:
    return _detach(table, entity) + f"""
DROP TRIGGER IF EXISTS sync_record ON {table};
CREATE TRIGGER sync_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS sync_new
    FOR EACH STATEMENT EXECUTE FUNCTION sync_record('{entity}');
CREATE TRIGGER sync_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS sync_old NEW TABLE AS sync_new
    FOR EACH STATEMENT EXECUTE FUNCTION sync_record('{entity}');
CREATE TRIGGER sync_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS sync_old
    FOR EACH STATEMENT EXECUTE FUNCTION sync_record('{entity}');
"""


class Migration(migrations.Migration):
    dependencies = [("sync", "0004_area_helpers_plpgsql")]
    operations = [
        *(
            migrations.RunSQL(
                _attach(t, e),
                _detach(t, e)
                + f"CREATE TRIGGER sync_record AFTER INSERT OR UPDATE OR DELETE ON {t} "
                f"FOR EACH ROW EXECUTE FUNCTION sync_record('{e}');",
            )
            for t, e in TABLES
        ),
        # backwards (run first when unapplying): 0002's row-level function
        migrations.RunSQL(FUNCTION, ROW_LEVEL_FUNCTION
            + "DROP FUNCTION IF EXISTS sync_ids(bigint[]);"
            + "DROP FUNCTION IF EXISTS sync_lookup(text, text, text);"),
    ]
