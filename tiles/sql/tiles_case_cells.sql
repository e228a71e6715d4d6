-- tiles_case_cells: a change to cases bumps the work layer's cells where they are (old and new
-- location); a change of responsible agent, status or due date changes the figures of the
-- agents' grids (open work, overdue). One statement per write (tiles_work_changed).
CREATE OR REPLACE FUNCTION tiles_case_cells()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tiles_work_changed(ARRAY(SELECT location FROM new_rows),
                                   ARRAY(SELECT responsible_id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tiles_work_changed(
            ARRAY(SELECT location FROM new_rows UNION ALL SELECT location FROM old_rows),
            ARRAY(SELECT v.agent FROM new_rows n JOIN old_rows o ON o.id = n.id,
                       LATERAL (VALUES (n.responsible_id), (o.responsible_id)) AS v(agent)
                  WHERE (n.responsible_id, n.status, n.due_date)
                        IS DISTINCT FROM (o.responsible_id, o.status, o.due_date)));
    ELSE
        PERFORM tiles_work_changed(ARRAY(SELECT location FROM old_rows),
                                   ARRAY(SELECT responsible_id FROM old_rows));
    END IF;
    RETURN NULL;
END $function$;

CREATE OR REPLACE TRIGGER tiles_cells_insert AFTER INSERT ON cases_case REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_case_cells();
CREATE OR REPLACE TRIGGER tiles_cells_update AFTER UPDATE ON cases_case REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_case_cells();
CREATE OR REPLACE TRIGGER tiles_cells_delete AFTER DELETE ON cases_case REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_case_cells();
