-- tiles_mark_gaps_dirty: marks communities whose coverage gaps must be recomputed
CREATE OR REPLACE FUNCTION tiles_mark_gaps_dirty(communities bigint[])
 RETURNS void
 LANGUAGE sql
AS $function$
    INSERT INTO tiles_gapdirty (community_id, dirtied_at, version)
    SELECT DISTINCT c, now(), 1 FROM unnest(communities) AS c WHERE c IS NOT NULL
    ON CONFLICT (community_id) DO UPDATE
        SET dirtied_at = EXCLUDED.dirtied_at, version = tiles_gapdirty.version + 1;
$function$;
