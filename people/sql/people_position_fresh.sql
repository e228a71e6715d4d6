-- people_position_fresh: is an agent's last known position fit to route by (and to measure a
-- visiting order from)? Taken at most p_max_age minutes before p_now, with an accuracy of at
-- most p_max_acc metres (PEOPLE POSITION_MAX_AGE_MINUTES, POSITION_MAX_ACCURACY_M). The one
-- definition: routing_candidate, the agents' map layer (tiles/layers.py) and
-- people.selectors.usable_position ask it. NULLs (no position) are not fresh. Inlinable.
CREATE OR REPLACE FUNCTION people_position_fresh(p_at timestamp with time zone, p_accuracy_m double precision, p_now timestamp with time zone, p_max_age integer, p_max_acc double precision)
 RETURNS boolean
 LANGUAGE sql
 STABLE
AS $function$
    SELECT coalesce(p_at >= p_now - make_interval(mins => p_max_age)
                    AND p_accuracy_m <= p_max_acc, false)
$function$;
