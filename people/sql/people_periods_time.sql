-- people_periods_time: the working time of people_periods as one multirange
CREATE OR REPLACE FUNCTION people_periods_time(p_staff bigint, ws timestamp with time zone, we timestamp with time zone)
 RETURNS tstzmultirange
 LANGUAGE plpgsql
 STABLE
AS $function$
BEGIN
    RETURN (SELECT o.working FROM people_periods(p_staff, ws, we) o);
END $function$;
