-- workdays_is_workday: whether one day is a working day
CREATE OR REPLACE FUNCTION workdays_is_workday(d date)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
AS $function$
BEGIN
    RETURN (SELECT w.workday FROM workdays_days(d, d) w);
END $function$;
