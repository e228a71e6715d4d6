"""The change log written once per statement instead of once per row: `sync_record()` is now a
statement-level trigger reading the statement's transition tables (`sync_new`, `sync_old`), one
INSERT … SELECT per statement (a routed backlog wrote a thousand PL/pgSQL calls, ~0.5 ms a row).
Same rows and hints as 0002: staff, area and user ids from the row before and after the change
(so a record that left someone's scope still reaches them as a tombstone), `delete` for removals,
a resident's text message (no recipient) not logged; duplicates in the area hints removed.

PostgreSQL allows transition tables only on single-event triggers: each synced table gets three
(`sync_insert`, `sync_update`, `sync_delete`). The function body is generated below from one
spec per entity: a static statement per entity and operation, so PL/pgSQL plans each once per
session (a statement assembled with EXECUTE was planned at every write). Areas are looked up by
one index probe per row (`LIMIT 1` keeps each a lookup: as a plain join the planner hashed the
whole staff table, 300,000 rows at district scale, for every statement)."""

from importlib import import_module

from django.db import migrations

_0002 = import_module("sync.migrations.0002_triggers").FUNCTION
ROW_LEVEL_FUNCTION = "CREATE OR REPLACE" + _0002[_0002.index("CREATE FUNCTION sync_record()") + 6 :]
# the row-level function's scope helpers, which nothing else uses: dropped, restored going back
HELPERS = _0002[_0002.index("CREATE FUNCTION sync_centre_areas") : _0002.index("CREATE FUNCTION sync_record()")]

TABLES = [
    ("appointments_appointment", "appointment"),
    ("cases_case", "case"),
    ("cases_caseevent", "case_event"),
    ("visits_visit", "visit"),
    ("geo_grid", "grid"),
    ("people_gridassignment", "assignment"),
    ("notifications_notification", "notification"),
]

LOOKUP = {
    "grid": "SELECT g.community_id AS area_id FROM geo_grid g WHERE g.id = {id}",
    "centre": "SELECT c.area_id FROM geo_servicecentre c WHERE c.id = {id}",
    "staff": (
        "SELECT c.area_id FROM people_staff s JOIN geo_servicecentre c ON c.id = s.centre_id "
        "WHERE s.id = {id}"
    ),
}


def _lookup(alias: str, id_sql: str, kind: str) -> str:
    return f" LEFT JOIN LATERAL ({LOOKUP[kind].format(id=id_sql)} LIMIT 1) {alias} ON true"


def _distinct(ids: str) -> str:
    """Distinct ids without NULLs (the area hints of one row, from several lookups)."""
    return f"ARRAY(SELECT DISTINCT x FROM unnest(ARRAY[{ids}]::bigint[]) AS x WHERE x IS NOT NULL)"


# entity → (staff ids, area ids, user ids, joins, filter); r: the row after the change (before,
# for a removal), o: the row before (after, for a new one)
SPEC = {
    "appointment": (
        "array_remove(ARRAY[o.agent_id, r.agent_id], NULL)",
        _distinct("go.area_id, gr.area_id, qo.area_id, qr.area_id, so.area_id, sr.area_id"),
        "array_remove(ARRAY[r.created_by_id], NULL)",
        _lookup("go", "o.grid_id", "grid")
        + _lookup("gr", "r.grid_id", "grid")
        + _lookup("qo", "o.queue_centre_id", "centre")
        + _lookup("qr", "r.queue_centre_id", "centre")
        + _lookup("so", "o.agent_id", "staff")
        + _lookup("sr", "r.agent_id", "staff"),
        "",
    ),
    "case": (
        "ARRAY[o.responsible_id, r.responsible_id]",
        _distinct("co.area_id, cr.area_id, so.area_id, sr.area_id"),
        "ARRAY[r.opened_by_id]",
        _lookup("co", "o.centre_id", "centre")
        + _lookup("cr", "r.centre_id", "centre")
        + _lookup("so", "o.responsible_id", "staff")
        + _lookup("sr", "r.responsible_id", "staff"),
        "",
    ),
    "case_event": (
        "ARRAY[k.responsible_id]",
        _distinct("kc.area_id, sk.area_id"),
        "ARRAY[k.opened_by_id]",
        " LEFT JOIN LATERAL (SELECT k.responsible_id, k.centre_id, k.opened_by_id"
        " FROM cases_case k WHERE k.id = r.case_id LIMIT 1) k ON true"
        + _lookup("kc", "k.centre_id", "centre")
        + _lookup("sk", "k.responsible_id", "staff"),
        "",
    ),
    "visit": (
        "ARRAY[o.agent_id, r.agent_id]",
        _distinct("so.area_id, sr.area_id"),
        "ARRAY[r.created_by_id]",
        _lookup("so", "o.agent_id", "staff") + _lookup("sr", "r.agent_id", "staff"),
        "",
    ),
    "grid": ("'{}'::bigint[]", "ARRAY[o.community_id, r.community_id]", "'{}'::bigint[]", "", ""),
    "assignment": (
        "ARRAY[o.staff_id, r.staff_id]",
        _distinct("go.area_id, gr.area_id, so.area_id, sr.area_id"),
        "'{}'::bigint[]",
        _lookup("go", "o.grid_id", "grid")
        + _lookup("gr", "r.grid_id", "grid")
        + _lookup("so", "o.staff_id", "staff")
        + _lookup("sr", "r.staff_id", "staff"),
        "",
    ),
    # a resident's text message (no recipient) is in no app
    "notification": (
        "'{}'::bigint[]",
        "'{}'::bigint[]",
        "ARRAY[r.recipient_id]",
        "",
        " WHERE r.recipient_id IS NOT NULL",
    ),
}

SOURCES = {
    "INSERT": ("upsert", "sync_new r JOIN sync_new o ON o.id = r.id"),
    "UPDATE": ("upsert", "sync_new r JOIN sync_old o ON o.id = r.id"),
    "DELETE": ("delete", "sync_old r JOIN sync_old o ON o.id = r.id"),
}


def _statements() -> str:
    branches = []
    for n, (entity, (staff, areas, users, joins, where)) in enumerate(SPEC.items()):
        ops = []
        for m, (tg_op, (op, source)) in enumerate(SOURCES.items()):
            ops.append(
                f"""        {"IF" if m == 0 else "ELSIF"} TG_OP = '{tg_op}' THEN
            INSERT INTO sync_change (txid, entity, entity_id, op, staff_ids, area_ids, user_ids, at)
            SELECT pg_current_xact_id()::text::bigint, '{entity}', r.id, '{op}',
                   {staff}, {areas}, {users}, now()
            FROM {source}{joins}{where};"""
            )
        branches.append(
            f"    {'IF' if n == 0 else 'ELSIF'} TG_ARGV[0] = '{entity}' THEN\n"
            + "\n".join(ops)
            + "\n        END IF;"
        )
    return "\n".join(branches) + "\n    END IF;"


FUNCTION = f"""
DROP FUNCTION IF EXISTS sync_centre_areas(bigint[]);
DROP FUNCTION IF EXISTS sync_staff_areas(bigint[]);
DROP FUNCTION IF EXISTS sync_grid_areas(bigint[]);

CREATE OR REPLACE FUNCTION sync_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{_statements()}
    RETURN NULL;
END $$;
"""


def _detach(table: str) -> str:
    return "".join(
        f"DROP TRIGGER IF EXISTS sync_{op} ON {table};" for op in ("insert", "update", "delete")
    )


def _attach(table: str, entity: str) -> str:
    return (
        _detach(table)
        + f"""
DROP TRIGGER IF EXISTS sync_record ON {table};
CREATE TRIGGER sync_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS sync_new
    FOR EACH STATEMENT EXECUTE FUNCTION sync_record('{entity}');
CREATE TRIGGER sync_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS sync_old NEW TABLE AS sync_new
    FOR EACH STATEMENT EXECUTE FUNCTION sync_record('{entity}');
CREATE TRIGGER sync_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS sync_old
    FOR EACH STATEMENT EXECUTE FUNCTION sync_record('{entity}');
"""
    )


class Migration(migrations.Migration):
    dependencies = [("sync", "0003_schedule")]
    operations = [
        *(
            migrations.RunSQL(
                _attach(t, e),
                _detach(t)
                + f"CREATE TRIGGER sync_record AFTER INSERT OR UPDATE OR DELETE ON {t} "
                f"FOR EACH ROW EXECUTE FUNCTION sync_record('{e}');",
            )
            for t, e in TABLES
        ),
        # backwards (run first when unapplying): 0002's row-level function
        migrations.RunSQL(
            FUNCTION,
            HELPERS + ROW_LEVEL_FUNCTION,
        ),
    ]
