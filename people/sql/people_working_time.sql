-- people_working_time: an agent's working time: their own hours if they have any, else the default (computed here
-- unless the caller passes it), on working days, less leave
CREATE OR REPLACE FUNCTION people_working_time(p_staff bigint, ws timestamp with time zone, we timestamp with time zone, default_time tstzmultirange DEFAULT NULL::tstzmultirange)
 RETURNS tstzmultirange
 LANGUAGE plpgsql
 STABLE
AS $function$
BEGIN
    RETURN (SELECT a.working FROM people_availability(
                p_staff, ws, we, coalesce(default_time, people_default_working_time(ws, we))) a);
END $function$;
