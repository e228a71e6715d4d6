-- open_work_of(staff): an agent's open work, the load routing caps (routing_candidate) and the
-- maps and tiles show: appointments still with the agent, plus the cases they are responsible
-- for that still need work. Inlinable (LANGUAGE sql, one SELECT): planned with its caller; the
-- status sets are generated from the model enums (appointment_statuses.sql, case_statuses.sql)
-- and folded to constants at plan time.
CREATE OR REPLACE FUNCTION open_work_of(p_staff bigint)
 RETURNS TABLE(load integer)
 LANGUAGE sql
 STABLE
AS $function$
    SELECT (SELECT count(*) FROM appointments_appointment a
             WHERE a.agent_id = p_staff
               AND a.status = ANY (appointment_statuses_with_agent()))::integer
         + (SELECT count(*) FROM cases_case c
             WHERE c.responsible_id = p_staff
               AND c.status = ANY (case_statuses_with_agent()))::integer
$function$;
