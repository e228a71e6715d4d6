"""Generations and dirty marks, written by triggers in the writer's own transaction.

`tiles_bump(sources…)` is a statement-level trigger: each writing transaction adds at most one
`tiles_generationbump` row per source (ON CONFLICT on (source, txid)). Inserts only: no
writer waits for another, and no lock order between sources can deadlock. A reader counts the
rows (tiles/generations.py): the count grows when any such transaction commits, in whatever
order they commit, so a cache key made from it changes whenever the data does.

Grid and community-boundary changes also mark their community's gaps for recomputation
(`tiles_gapdirty`, read by the debounced refresh in tiles/gaps.py). Transition tables allow one
event per trigger, hence three triggers per table.
"""

from django.db import migrations

FUNCTIONS = """
CREATE FUNCTION tiles_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tiles_generationbump (source, txid)
    SELECT s, pg_current_xact_id()::text::bigint FROM unnest(TG_ARGV) AS s
    ON CONFLICT (source, txid) DO NOTHING;
    RETURN NULL;
END $$;

CREATE FUNCTION tiles_mark_gaps_dirty(communities bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO tiles_gapdirty (community_id, dirtied_at, version)
    SELECT DISTINCT c, now(), 1 FROM unnest(communities) AS c WHERE c IS NOT NULL
    ON CONFLICT (community_id) DO UPDATE
        SET dirtied_at = EXCLUDED.dirtied_at, version = tiles_gapdirty.version + 1;
$$;

CREATE FUNCTION tiles_grid_gaps_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tiles_mark_gaps_dirty(ARRAY(SELECT community_id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tiles_mark_gaps_dirty(ARRAY(SELECT community_id FROM new_rows
                                            UNION SELECT community_id FROM old_rows));
    ELSE
        PERFORM tiles_mark_gaps_dirty(ARRAY(SELECT community_id FROM old_rows));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION tiles_area_gaps_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tiles_mark_gaps_dirty(ARRAY(SELECT id FROM new_rows WHERE level = 'community'));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tiles_mark_gaps_dirty(ARRAY(SELECT id FROM new_rows WHERE level = 'community'
                                            UNION SELECT id FROM old_rows WHERE level = 'community'));
    ELSE
        PERFORM tiles_mark_gaps_dirty(ARRAY(SELECT id FROM old_rows WHERE level = 'community'));
    END IF;
    RETURN NULL;
END $$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS tiles_area_gaps_dirty();
DROP FUNCTION IF EXISTS tiles_grid_gaps_dirty();
DROP FUNCTION IF EXISTS tiles_mark_gaps_dirty(bigint[]);
DROP FUNCTION IF EXISTS tiles_bump();
"""

ALL_ROWS = "INSERT OR UPDATE OR DELETE OR TRUNCATE"
STAFF_ROSTER = "active, roles, centre_id, full_name"
STAFF_POSITION = "last_position, last_position_at, last_position_accuracy_m"

# (trigger name, table, events, sources)
BUMPS = [
    ("tiles_bump", "geo_area", ALL_ROWS, ["areas"]),
    ("tiles_bump", "geo_grid", ALL_ROWS, ["grids"]),
    ("tiles_bump", "geo_gridboundary", ALL_ROWS, ["grids"]),
    ("tiles_bump", "people_gridassignment", ALL_ROWS, ["grids"]),
    ("tiles_bump", "people_staff", "INSERT OR DELETE OR TRUNCATE", ["staff", "positions"]),
    ("tiles_bump_roster", "people_staff", f"UPDATE OF {STAFF_ROSTER}", ["staff"]),
    ("tiles_bump_position", "people_staff", f"UPDATE OF {STAFF_POSITION}", ["positions"]),
    ("tiles_bump", "appointments_appointment", ALL_ROWS, ["work"]),
    ("tiles_bump", "cases_case", ALL_ROWS, ["work"]),
    ("tiles_bump", "tiles_gap", ALL_ROWS, ["gaps"]),
]


def _bump(name, table, events, sources):
    arguments = ", ".join(f"'{s}'" for s in sources)
    return migrations.RunSQL(
        f"CREATE TRIGGER {name} AFTER {events} ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION tiles_bump({arguments});",
        f"DROP TRIGGER IF EXISTS {name} ON {table};",
    )


def _dirty(table, function):
    operations = []
    for event, refs in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "NEW TABLE AS new_rows OLD TABLE AS old_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        name = f"tiles_gaps_dirty_{event.lower()}"
        operations.append(
            migrations.RunSQL(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {refs} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();",
                f"DROP TRIGGER IF EXISTS {name} ON {table};",
            )
        )
    return operations


SEED = """
INSERT INTO tiles_generation (source, compacted, last_bump)
SELECT s, 0, 0 FROM unnest(ARRAY['areas', 'grids', 'staff', 'positions', 'work', 'gaps']) AS s
ON CONFLICT DO NOTHING;
-- every existing community gets its gaps computed by the first refresh
INSERT INTO tiles_gapdirty (community_id, dirtied_at, version)
SELECT id, now() - interval '1 day', 1 FROM geo_area WHERE level = 'community'
ON CONFLICT DO NOTHING;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("tiles", "0001_initial"),
        ("geo", "0002_boundary_history_is_immutable"),
        ("people", "0007_position_client_uuid"),
        ("appointments", "0004_open_work"),
        ("cases", "0005_case_client_uuid"),
    ]
    operations = [
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        *(_bump(*row) for row in BUMPS),
        *_dirty("geo_grid", "tiles_grid_gaps_dirty"),
        *_dirty("geo_area", "tiles_area_gaps_dirty"),
        migrations.RunSQL(SEED, "DELETE FROM tiles_gapdirty; DELETE FROM tiles_generation;"),
    ]
