-- open_work(staff): open_work_of as a scalar (nothing in the code calls it today)
CREATE OR REPLACE FUNCTION open_work(staff bigint)
 RETURNS integer
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
AS $function$
BEGIN
    RETURN (SELECT o.load FROM open_work_of(staff) o);
END $function$;
