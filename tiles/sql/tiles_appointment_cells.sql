-- tiles_appointment_cells: a change to appointments bumps the work layer's cells where they are
-- (old and new location); a change of agent or status changes the figures of the agents' grids
CREATE OR REPLACE FUNCTION tiles_appointment_cells()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tiles_bump_cells('work', ARRAY(SELECT location FROM new_rows));
        PERFORM tiles_figures_changed('{}', ARRAY(SELECT agent_id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM tiles_bump_cells('work', ARRAY(SELECT location FROM new_rows
                                               UNION ALL SELECT location FROM old_rows));
        PERFORM tiles_figures_changed('{}', ARRAY(
            SELECT v.agent FROM new_rows n JOIN old_rows o ON o.id = n.id,
                                LATERAL (VALUES (n.agent_id), (o.agent_id)) AS v(agent)
            WHERE (n.agent_id, n.status) IS DISTINCT FROM (o.agent_id, o.status)));
    ELSE
        PERFORM tiles_bump_cells('work', ARRAY(SELECT location FROM old_rows));
        PERFORM tiles_figures_changed('{}', ARRAY(SELECT agent_id FROM old_rows));
    END IF;
    RETURN NULL;
END $function$;

CREATE OR REPLACE TRIGGER tiles_cells_insert AFTER INSERT ON appointments_appointment REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_appointment_cells();
CREATE OR REPLACE TRIGGER tiles_cells_update AFTER UPDATE ON appointments_appointment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_appointment_cells();
CREATE OR REPLACE TRIGGER tiles_cells_delete AFTER DELETE ON appointments_appointment REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_appointment_cells();
