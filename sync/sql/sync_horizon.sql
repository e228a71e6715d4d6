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
