-- people_default_working_time: the default schedule's working time in a window (rows of people_workperiod without staff)
CREATE OR REPLACE FUNCTION people_default_working_time(ws timestamp with time zone, we timestamp with time zone)
 RETURNS tstzmultirange
 LANGUAGE plpgsql
 STABLE
AS $function$
BEGIN
    RETURN people_periods_time(NULL, ws, we);
END $function$;
