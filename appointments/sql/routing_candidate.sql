-- routing_candidate: one candidate's figures for routing_rank: fresh position (people_position_fresh) or station, distance, open work
-- (open_work_of), cap, working time in the window (people_availability), exclusion, eligibility.
-- Inlinable (LANGUAGE sql, one SELECT): planned into routing_rank's statements.
CREATE OR REPLACE FUNCTION routing_candidate(p_staff bigint, p_geom geometry, p_ws timestamp with time zone, p_we timestamp with time zone, p_default tstzmultirange, p_excluded text, p_max_age integer, p_max_acc double precision, p_cap integer)
 RETURNS TABLE(full_name text, phone text, user_id bigint, active boolean, from_position boolean, distance_m double precision, load integer, cap integer, available boolean, excluded boolean, eligible boolean)
 LANGUAGE sql
 STABLE
AS $function$
    SELECT s.full_name::text, s.phone::text, s.user_id, s.active, f.fresh,
           -- on the sphere: within half a percent of the spheroid, and a fraction of its cost
           ST_DistanceSphere(CASE WHEN f.fresh THEN s.last_position ELSE ctr.location END, p_geom),
           x.load, f.cap, x.available, f.excluded,
           s.active AND x.available AND NOT f.excluded AND x.load < f.cap
    FROM people_staff s
    LEFT JOIN geo_servicecentre ctr ON ctr.id = s.centre_id
    CROSS JOIN LATERAL (
        SELECT (s.last_position IS NOT NULL
                AND people_position_fresh(s.last_position_at, s.last_position_accuracy_m, now(),
                                          p_max_age, p_max_acc)) AS fresh,
               coalesce(s.open_work_cap::integer, p_cap) AS cap,
               -- NULL: nobody excluded (a backlog passes no list at all)
               coalesce(p_staff::text = ANY (string_to_array(p_excluded, ',')), false)
                   AS excluded
    ) f
    CROSS JOIN LATERAL (
        -- OFFSET 0 keeps this subquery whole, so each figure is computed once, not once per use
        SELECT ow.load, NOT isempty(av.working) AS available
        FROM open_work_of(s.id) ow, people_availability(s.id, p_ws, p_we, p_default) av
        OFFSET 0
    ) x
    WHERE s.id = p_staff
$function$;
