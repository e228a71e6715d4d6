-- people_after_working_minutes: the moment an agent has worked the given minutes after a start (the confirm deadline)
CREATE OR REPLACE FUNCTION people_after_working_minutes(p_staff bigint, t timestamp with time zone, minutes integer)
 RETURNS timestamp with time zone
 LANGUAGE plpgsql
 STABLE
AS $function$
DECLARE
    r tstzrange;
    remaining interval := make_interval(mins => minutes);
BEGIN
    FOR r IN SELECT unnest(people_working_time(p_staff, t, t + interval '30 days')) LOOP
        IF upper(r) - lower(r) >= remaining THEN
            RETURN lower(r) + remaining;
        END IF;
        remaining := remaining - (upper(r) - lower(r));
    END LOOP;
    RETURN t + make_interval(mins => minutes);
END $function$;
