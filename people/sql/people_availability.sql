-- people_availability: an agent's working time in a window, less leave, with the window's default time passed in
-- (routing computes it once per window). Inlinable: planned into routing_candidate.
CREATE OR REPLACE FUNCTION people_availability(p_staff bigint, ws timestamp with time zone, we timestamp with time zone, default_time tstzmultirange)
 RETURNS TABLE(working tstzmultirange)
 LANGUAGE sql
 STABLE
AS $function$
    SELECT (CASE WHEN EXISTS (SELECT 1 FROM people_workperiod w WHERE w.staff_id = p_staff)
                 THEN people_periods_time(p_staff, ws, we)
                 ELSE default_time END)
           - coalesce((SELECT range_agg(tstzrange(l.start, l."end")) FROM people_leave l
                       WHERE l.staff_id = p_staff AND l.start < we AND l."end" > ws),
                      '{}'::tstzmultirange)
$function$;
