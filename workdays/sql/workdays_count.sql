-- workdays_count: the number of working days in a range (deadlines, supervision figures)
CREATE OR REPLACE FUNCTION workdays_count(after date, upto date)
 RETURNS integer
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    SELECT count(*)::integer FROM workdays_days(after + 1, upto) w WHERE w.workday
$function$;
