-- sync_horizon(): the highest transaction id below which every transaction of THIS database has finished, as
-- of the calling statement's snapshot: the smallest running xid of the snapshot, leaving out
-- transactions known to belong to other databases of the cluster (they cannot write here, and
-- a long test or report in another database must not hold this one's sync back). A running
-- xid not found in pg_stat_activity (finished meanwhile, or not visible to this role) counts:
-- it could only delay a change, never lose one. Read by sync/log.py.
CREATE OR REPLACE FUNCTION sync_horizon()
 RETURNS bigint
 LANGUAGE sql
 STABLE
AS $function$
    WITH snap AS (SELECT pg_current_snapshot() AS s),
    elsewhere AS (
        SELECT backend_xid FROM pg_stat_activity
        WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database()
    )
    SELECT coalesce(
        (SELECT min(x::text::bigint) FROM snap, pg_snapshot_xip(snap.s) AS x
          WHERE NOT EXISTS (SELECT 1 FROM elsewhere e WHERE e.backend_xid = xid(x))),
        (SELECT pg_snapshot_xmax(s)::text::bigint FROM snap))
$function$;
