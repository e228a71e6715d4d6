-- workdays_days: the working days of a range under the statutory calendar (holidays, adjusted weekend workdays)
CREATE OR REPLACE FUNCTION workdays_days(d0 date, d1 date)
 RETURNS TABLE(day date, workday boolean)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    SELECT g.d::date,
           CASE sd.kind WHEN 'holiday' THEN false
                        WHEN 'workday' THEN true
                        ELSE extract(isodow FROM g.d) < 6 END
    FROM generate_series(d0, d1, interval '1 day') AS g(d)
    LEFT JOIN workdays_specialday sd ON sd.date = g.d::date
$function$;
