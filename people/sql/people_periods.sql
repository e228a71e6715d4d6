-- people_periods: an agent's own working periods (NULL: the default schedule's) that meet a
-- window, on working days (workdays_days), as one multirange; inlinable
CREATE OR REPLACE FUNCTION people_periods(p_staff bigint, ws timestamp with time zone, we timestamp with time zone)
 RETURNS TABLE(working tstzmultirange)
 LANGUAGE sql
 STABLE
AS $function$
    SELECT coalesce(range_agg(tstzrange(
               greatest((w.day + p.start) AT TIME ZONE 'Asia/Shanghai', ws),
               least((w.day + p."end") AT TIME ZONE 'Asia/Shanghai', we))), '{}'::tstzmultirange)
    FROM workdays_days((ws AT TIME ZONE 'Asia/Shanghai')::date,
                       (we AT TIME ZONE 'Asia/Shanghai')::date) w
    JOIN people_workperiod p
      ON p.weekday = extract(isodow FROM w.day)
     AND ((p_staff IS NULL AND p.staff_id IS NULL) OR p.staff_id = p_staff)
    WHERE w.workday
      AND (w.day + p.start) AT TIME ZONE 'Asia/Shanghai' < we
      AND (w.day + p."end") AT TIME ZONE 'Asia/Shanghai' > ws
$function$;
