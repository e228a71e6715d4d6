"""The sync triggers, generated from one spec per entity (`sync/sql/sync_record.sql`).

`sync_record()` is a statement-level trigger reading the statement's transition tables
(`sync_new`, `sync_old`): one INSERT … SELECT per statement into `sync_change`, with hints of
who may see the record, from the row before and after the change (so a record that left someone's
scope still reaches them as a tombstone): staff ids, area ids (community or station areas) and user
ids. The hints say exactly what each app's scoped selector says, no more: an area hint names the
areas whose MANAGERS see the record (`sync.feed.audience` matches it against managed areas only),
a staff or user hint the people who see it as theirs. A wider hint would send a tombstone of a
record the requester never could see (a colleague's case reached every agent of the station).
Whoever is named before or after the change hears of it; nobody else hears anything. The body is generated from `SPEC`: a static statement per entity and operation, so
PL/pgSQL plans each once per session (a statement assembled with EXECUTE was planned at every
write). Areas are looked up by one index probe per row (`LIMIT 1` keeps each a lookup: as a
plain join the planner hashed the whole staff table for every statement).

PostgreSQL allows transition tables only on single-event triggers: each synced table gets three
(`sync_insert`, `sync_update`, `sync_delete`).

Change the spec here, run `scripts/sql-generate`, and add a migration that loads the file;
`tests/core/test_sql_files.py` fails while the file and this spec disagree. (Generated first by
sync migration 0005, which keeps its own copy: history that already ran.)
"""

from __future__ import annotations

from core.sqlfiles import GENERATED_HEADER

# (table, entity): every synced table
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


# the agents who see a grid as theirs (people.scope: assigned to it today, Asia/Shanghai); one
# index probe per grid id, like the lookups above
GRID_AGENTS = (
    " LEFT JOIN LATERAL (SELECT array_agg(ga.staff_id) AS staff_ids"
    " FROM people_gridassignment ga WHERE ga.grid_id IN ({ids})"
    " AND ga.valid_from <= (now() AT TIME ZONE 'Asia/Shanghai')::date"
    " AND (ga.valid_to IS NULL OR ga.valid_to > (now() AT TIME ZONE 'Asia/Shanghai')::date))"
    " {alias} ON true"
)


def _distinct(ids: str) -> str:
    """Distinct ids without NULLs (the area hints of one row, from several lookups)."""
    return f"ARRAY(SELECT DISTINCT x FROM unnest(ARRAY[{ids}]::bigint[]) AS x WHERE x IS NOT NULL)"


# entity → (staff ids, area ids, user ids, joins, filter); r: the row after the change (before,
# for a removal), o: the row before (after, for a new one). Each line mirrors the selector the
# feed asks (sync/feed.py ENTITIES).
SPEC = {
    # appointments.selectors.appointments_for: the agent, whoever entered it; managers of the
    # grid's community, of the queue's station, of the agent's station
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
    # cases.access.visible_cases: the responsible agent, the opener; managers of its station
    "case": (
        "ARRAY[o.responsible_id, r.responsible_id]",
        _distinct("co.area_id, cr.area_id"),
        "ARRAY[r.opened_by_id]",
        _lookup("co", "o.centre_id", "centre") + _lookup("cr", "r.centre_id", "centre"),
        "",
    ),
    # sync.feed._events: whoever sees the case
    "case_event": (
        "ARRAY[k.responsible_id]",
        _distinct("kc.area_id"),
        "ARRAY[k.opened_by_id]",
        " LEFT JOIN LATERAL (SELECT k.responsible_id, k.centre_id, k.opened_by_id"
        " FROM cases_case k WHERE k.id = r.case_id LIMIT 1) k ON true"
        + _lookup("kc", "k.centre_id", "centre"),
        "",
    ),
    # visits.selectors.visits_for: the agent; managers of the agent's station
    "visit": (
        "ARRAY[o.agent_id, r.agent_id]",
        _distinct("so.area_id, sr.area_id"),
        "'{}'::bigint[]",
        _lookup("so", "o.agent_id", "staff") + _lookup("sr", "r.agent_id", "staff"),
        "",
    ),
    # people.scope.Scope.grids: managers of its community; the agents assigned to it
    "grid": (
        "coalesce(ag.staff_ids, '{}'::bigint[])",
        "ARRAY[o.community_id, r.community_id]",
        "'{}'::bigint[]",
        GRID_AGENTS.format(ids="o.id, r.id", alias="ag"),
        "",
    ),
    # sync.feed._assignments: managers of the grid's community, the assigned agent, the agents
    # of the grid
    "assignment": (
        "ARRAY[o.staff_id, r.staff_id] || coalesce(ag.staff_ids, '{}'::bigint[])",
        _distinct("go.area_id, gr.area_id"),
        "'{}'::bigint[]",
        _lookup("go", "o.grid_id", "grid")
        + _lookup("gr", "r.grid_id", "grid")
        + GRID_AGENTS.format(ids="o.grid_id, r.grid_id", alias="ag"),
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


def _triggers(table: str, entity: str) -> str:
    return f"""
CREATE OR REPLACE TRIGGER sync_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS sync_new
    FOR EACH STATEMENT EXECUTE FUNCTION sync_record('{entity}');
CREATE OR REPLACE TRIGGER sync_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS sync_old NEW TABLE AS sync_new
    FOR EACH STATEMENT EXECUTE FUNCTION sync_record('{entity}');
CREATE OR REPLACE TRIGGER sync_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS sync_old
    FOR EACH STATEMENT EXECUTE FUNCTION sync_record('{entity}');
"""


def render() -> str:
    return (
        GENERATED_HEADER.format(source="sync.sqlgen (SPEC, TABLES)")
        + "-- Every change to a synced table writes change-log rows (sync_change) in the same\n"
        + "-- statement: one statement-level trigger per table and operation.\n"
        + "CREATE OR REPLACE FUNCTION sync_record() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n"
        + f"{_statements()}\n    RETURN NULL;\nEND $$;\n"
        + "".join(_triggers(t, e) for t, e in TABLES)
    )


FILES = {"sync_record.sql": render}
