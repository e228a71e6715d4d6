"""Every change to a synced table writes a change-log row in the same transaction.

`sync_record()` is one AFTER … FOR EACH ROW trigger function; the first trigger argument names
the entity. Hints say who may care, from the row before and after the change (so a record that
left someone's scope still reaches them, as a tombstone): staff ids (the agent it is with),
area ids (the community or station areas it lies in or is handled by) and user ids (who created
it, whom it is addressed to). The transaction id is pg_current_xact_id(): readers use it with
sync_horizon() to never pass a transaction that has not finished (sync/log.py).
"""

from django.db import migrations

FUNCTION = """
-- The highest transaction id below which every transaction of THIS database has finished, as
-- of the calling statement's snapshot: the smallest running xid of the snapshot, leaving out
-- transactions known to belong to other databases of the cluster (they cannot write here, and
-- a long test or report in another database must not hold this one's sync back). A running
-- xid not found in pg_stat_activity (finished meanwhile, or not visible to this role) counts:
-- it could only delay a change, never lose one.
CREATE FUNCTION sync_horizon() RETURNS bigint
LANGUAGE sql STABLE AS $$
    WITH snap AS (SELECT pg_current_snapshot() AS s),
    elsewhere AS (
        SELECT backend_xid FROM pg_stat_activity
        WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database()
    )
    SELECT coalesce(
        (SELECT min(x::text::bigint) FROM snap, pg_snapshot_xip(snap.s) AS x
          WHERE NOT EXISTS (SELECT 1 FROM elsewhere e WHERE e.backend_xid = xid(x))),
        (SELECT pg_snapshot_xmax(s)::text::bigint FROM snap))
$$;

CREATE FUNCTION sync_centre_areas(centres bigint[]) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT area_id), '{}') FROM geo_servicecentre WHERE id = ANY(centres)
$$;
CREATE FUNCTION sync_staff_areas(staff bigint[]) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT c.area_id), '{}')
    FROM people_staff s JOIN geo_servicecentre c ON c.id = s.centre_id WHERE s.id = ANY(staff)
$$;
CREATE FUNCTION sync_grid_areas(grids bigint[]) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT community_id), '{}') FROM geo_grid WHERE id = ANY(grids)
$$;

CREATE FUNCTION sync_record() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entity text := TG_ARGV[0];
    r record;
    o record;
    op text := CASE TG_OP WHEN 'DELETE' THEN 'delete' ELSE 'upsert' END;
    staff bigint[] := '{}';
    areas bigint[] := '{}';
    users bigint[] := '{}';
    kase record;
BEGIN
    r := CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
    o := CASE TG_OP WHEN 'INSERT' THEN NEW ELSE OLD END;
    IF entity = 'appointment' THEN
        staff := array_remove(ARRAY[o.agent_id, r.agent_id], NULL);
        areas := sync_grid_areas(array_remove(ARRAY[o.grid_id, r.grid_id], NULL))
              || sync_centre_areas(array_remove(ARRAY[o.queue_centre_id, r.queue_centre_id], NULL))
              || sync_staff_areas(staff);
        users := array_remove(ARRAY[r.created_by_id], NULL);
    ELSIF entity = 'case' THEN
        staff := ARRAY[o.responsible_id, r.responsible_id];
        areas := sync_centre_areas(ARRAY[o.centre_id, r.centre_id]) || sync_staff_areas(staff);
        users := ARRAY[r.opened_by_id];
    ELSIF entity = 'case_event' THEN
        SELECT responsible_id, centre_id, opened_by_id INTO kase FROM cases_case WHERE id = r.case_id;
        staff := ARRAY[kase.responsible_id];
        areas := sync_centre_areas(ARRAY[kase.centre_id]) || sync_staff_areas(staff);
        users := ARRAY[kase.opened_by_id];
    ELSIF entity = 'visit' THEN
        staff := ARRAY[o.agent_id, r.agent_id];
        areas := sync_staff_areas(staff);
        users := ARRAY[r.created_by_id];
    ELSIF entity = 'grid' THEN
        areas := ARRAY[o.community_id, r.community_id];
    ELSIF entity = 'assignment' THEN
        staff := ARRAY[o.staff_id, r.staff_id];
        areas := sync_grid_areas(ARRAY[o.grid_id, r.grid_id]) || sync_staff_areas(staff);
    ELSIF entity = 'notification' THEN
        IF r.recipient_id IS NULL THEN
            RETURN NULL;  -- a resident's text message: not in anyone's app
        END IF;
        users := ARRAY[r.recipient_id];
    END IF;
    INSERT INTO sync_change (txid, entity, entity_id, op, staff_ids, area_ids, user_ids, at)
    VALUES (pg_current_xact_id()::text::bigint, entity, r.id, op, staff, areas, users, now());
    RETURN NULL;
END $$;
"""

TABLES = [
    ("appointments_appointment", "appointment"),
    ("cases_case", "case"),
    ("cases_caseevent", "case_event"),
    ("visits_visit", "visit"),
    ("geo_grid", "grid"),
    ("people_gridassignment", "assignment"),
    ("notifications_notification", "notification"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0001_initial"),
        ("appointments", "0004_open_work"),
        ("cases", "0004_open_work"),
        ("visits", "0001_initial"),
        ("geo", "0002_boundary_history_is_immutable"),
        ("people", "0006_working_time_plpgsql"),
        ("notifications", "0002_notification_phone_alter_notification_recipient_and_more"),
    ]
    operations = [
        migrations.RunSQL(
            FUNCTION,
            "DROP FUNCTION IF EXISTS sync_horizon(); DROP FUNCTION IF EXISTS sync_record(); DROP FUNCTION IF EXISTS sync_centre_areas(bigint[]);"
            " DROP FUNCTION IF EXISTS sync_staff_areas(bigint[]); DROP FUNCTION IF EXISTS sync_grid_areas(bigint[]);",
        ),
        *(
            migrations.RunSQL(
                f"CREATE TRIGGER sync_record AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION sync_record('{entity}');",
                f"DROP TRIGGER IF EXISTS sync_record ON {table};",
            )
            for table, entity in TABLES
        ),
        migrations.RunSQL(
            "INSERT INTO sync_retention (id, purged_below) VALUES (1, 0);",
            "DELETE FROM sync_retention;",
        ),
    ]
