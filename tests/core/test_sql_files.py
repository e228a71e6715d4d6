"""The `.sql` files and the migrated database agree (core/sqlfiles.py, docs/sql.md).

- each file, executed on the migrated database (in a savepoint, rolled back), changes nothing:
  every function, trigger and composite type reads back exactly as before (pg_get_functiondef,
  pg_get_triggerdef, the type's attributes), so the file holds the definition the migrations
  left — and a file whose text was changed without a migration that loads it fails here;
- every user-defined function, trigger and composite type of the database (not PostGIS's or
  another extension's) is defined by some file: one defined only in a migration fails;
- each file is loaded by a migration, and the latest migration loading it was written for the
  file's current text (its digest): a file changed without a new migration fails, since the
  databases that already ran that migration would never see the change;
- each generated file equals its generator's output (the sync triggers, the status sets);
- the status sets reach SQL from the enums, and no hand-written file spells a status value.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

from appointments.models import WITH_AGENT_STATUSES
from appointments.models import Status as AppointmentStatus
from cases.models import WITH_AGENT
from cases.models import Status as CaseStatus
from core.sqlfiles import GENERATED_HEADER, RunSQLFile, digest, generators, sql_files
from people.models import GridAssignment

pytestmark = pytest.mark.django_db

# every user-defined object: its identity → its definition as the database reads it back
SNAPSHOT = """
SELECT 'function ' || p.proname, pg_get_functiondef(p.oid)
       || coalesce(E'\\n-- comment: ' || obj_description(p.oid, 'pg_proc'), '')
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public' AND NOT EXISTS (
    SELECT 1 FROM pg_depend d
    WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT 'trigger ' || t.tgname || ' on ' || t.tgrelid::regclass::text,
       pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
FROM pg_trigger t WHERE NOT t.tgisinternal
UNION ALL
SELECT 'type ' || t.typname,
       string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = 'public' AND NOT EXISTS (
    SELECT 1 FROM pg_depend d
    WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
GROUP BY t.typname
"""

FILES = sql_files()
DEFINES = {
    "function": re.compile(r"CREATE OR REPLACE FUNCTION\s+(\w+)\s*\(", re.I),
    "trigger": re.compile(r"CREATE OR REPLACE TRIGGER\s+(\w+)\s.*?\sON\s+(\w+)\s", re.I | re.S),
    "type": re.compile(r"CREATE TYPE\s+(\w+)\s", re.I),
}


def _snapshot() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(SNAPSHOT)
        return dict(cursor.fetchall())


def _defined_by(text: str) -> set[str]:
    found = {f"function {m}" for m in DEFINES["function"].findall(text)}
    found |= {f"trigger {name} on {table}" for name, table in DEFINES["trigger"].findall(text)}
    return found | {f"type {m}" for m in DEFINES["type"].findall(text)}


@pytest.mark.parametrize(("app", "path"), FILES, ids=[f"{a}/{p.name}" for a, p in FILES])
def test_executing_the_file_changes_nothing(app, path):
    text = path.read_text(encoding="utf-8")
    defined = _defined_by(text)
    assert defined, f"{path} defines no function, trigger or type"
    before = _snapshot()
    assert defined <= before.keys(), f"not in the database: {sorted(defined - before.keys())}"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(text)
        after = _snapshot()
        transaction.set_rollback(True)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"{path} disagrees with the migrated database on {changed}"


def test_every_function_trigger_and_type_has_its_file():
    defined: dict[str, list[str]] = {}
    for app, path in FILES:
        for key in _defined_by(path.read_text(encoding="utf-8")):
            defined.setdefault(key, []).append(f"{app}/sql/{path.name}")
    missing = sorted(_snapshot().keys() - defined.keys())
    assert not missing, f"defined in the database but in no .sql file: {missing}"
    # one file per object: a function's text lives in exactly one place
    twice = {k: v for k, v in defined.items() if k.startswith("function") and len(v) > 1}
    assert not twice, f"functions defined in more than one file: {twice}"


def _latest_loads() -> dict[tuple[str, str], tuple[str, RunSQLFile]]:
    """(app, file) → (migration, operation) of the last migration loading it, in migrate order."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    latest = {}
    seen = set()
    for leaf in sorted(graph.leaf_nodes()):
        for key in graph.forwards_plan(leaf):
            if key in seen:
                continue
            seen.add(key)
            for op in graph.nodes[key].operations:
                if isinstance(op, RunSQLFile):
                    latest[(op.app_label, op.name)] = (f"{key[0]} {key[1]}", op)
    return latest


def test_the_latest_migration_loading_each_file_was_written_for_its_text():
    latest = _latest_loads()
    for app, path in FILES:
        current = digest(path.read_text(encoding="utf-8"))
        assert (app, path.name) in latest, (
            f"{app}/sql/{path.name} is loaded by no migration: add one with "
            f'RunSQLFile("{app}", "{path.name}", digest="{current}")'
        )
        migration, op = latest[(app, path.name)]
        assert op.digest == current, (
            f"{app}/sql/{path.name} changed since {migration} loaded it: add a migration with "
            f'RunSQLFile("{app}", "{path.name}", digest="{current}")'
        )


@pytest.mark.parametrize("path, render", list(generators()), ids=lambda v: getattr(v, "name", ""))
def test_generated_file_equals_its_generator(path, render):
    assert path.read_text(encoding="utf-8") == render(), (
        f"{path} is stale: run scripts/sql-generate and add a migration that loads it"
    )


def test_status_sets_in_sql_are_the_enums():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT appointment_statuses_with_agent(), case_statuses_with_agent(),"
            " assignment_kind_primary()"
        )
        appointments, cases, primary = cursor.fetchone()
    assert appointments == [str(s) for s in WITH_AGENT_STATUSES]
    assert cases == [str(s) for s in WITH_AGENT]
    assert primary == GridAssignment.Kind.PRIMARY


def test_no_hand_written_file_spells_a_status():
    values = {*AppointmentStatus.values, *CaseStatus.values, *GridAssignment.Kind.values}
    literal = re.compile(r"'(" + "|".join(map(re.escape, sorted(values))) + r")'")
    header = GENERATED_HEADER.split("{")[0]
    for app, path in FILES:
        text = path.read_text(encoding="utf-8")
        if text.startswith(header):
            continue
        found = literal.findall(text)
        assert not found, f"{app}/sql/{path.name} spells {found}: use a generated status set"


def _plan(sql: str, params: list) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (COSTS OFF, VERBOSE) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_grid_at_and_open_work_of_are_inlined():
    """Both are planned with their callers (routing_rank, geo.selectors, the tiles): a function
    scan here would mean a call per row and a plan the caller cannot see into."""
    plan = _plan(
        "SELECT * FROM grid_at(ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s)", [121.0, 40.0, 500.0]
    )
    assert "Function Scan" not in plan and "geo_grid" in plan
    plan = _plan("SELECT * FROM open_work_of(%s)", [1])
    assert "Function Scan" not in plan and "appointments_appointment" in plan
    # the status sets are folded to constants, as the literals were
    assert "statuses_with_agent" not in plan and "awaiting_confirmation" in plan
