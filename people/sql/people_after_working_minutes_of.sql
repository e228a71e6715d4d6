-- people_after_working_minutes_of: people_after_working_minutes for many agents at once (a backlog's deadlines)
CREATE OR REPLACE FUNCTION people_after_working_minutes_of(p_staff bigint[], t timestamp with time zone, p_minutes integer[])
 RETURNS TABLE(staff bigint, deadline timestamp with time zone)
 LANGUAGE sql
 STABLE
AS $function$
    WITH x AS MATERIALIZED (
        SELECT u.staff, u.minutes,
               EXISTS (SELECT 1 FROM people_workperiod w WHERE w.staff_id = u.staff)
               -- the horizon people_after_working_minutes looks at
               OR EXISTS (SELECT 1 FROM people_leave l WHERE l.staff_id = u.staff
                          AND l.start < t + interval '30 days' AND l."end" > t) AS own
        FROM unnest(p_staff, p_minutes) AS u(staff, minutes)
    ),
    by_default AS (
        SELECT m.minutes, people_after_working_minutes(NULL, t, m.minutes) AS deadline
        FROM (SELECT DISTINCT x.minutes FROM x WHERE NOT x.own) m
    )
    SELECT x.staff,
           CASE WHEN x.own THEN people_after_working_minutes(x.staff, t, x.minutes)
                ELSE d.deadline END
    FROM x LEFT JOIN by_default d ON d.minutes = x.minutes
$function$;
