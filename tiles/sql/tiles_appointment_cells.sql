-- tiles_appointment_cells: a change to appointments bumps the work layer's cells where they are
-- (old and new location) when a column a work tile shows or is scoped by changes; a change of
-- agent or status changes the figures of the agents' grids. One statement per write
-- (tiles_work_changed).
CREATE OR REPLACE FUNCTION tiles_appointment_cells()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tiles_work_changed(ARRAY(SELECT location FROM new_rows),
                                   ARRAY(SELECT agent_id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        -- only rows that change what a work tile shows (location, status, tracking code, the
        -- light's confirm_deadline) or who sees it (agent, grid, queue centre, creator: the
        -- requester's scope); a save of notes, routing or version bumps nothing
        PERFORM tiles_work_changed(
            ARRAY(SELECT v.location
                  FROM new_rows n JOIN old_rows o ON o.id = n.id,
                       LATERAL (VALUES (n.location),
                                       (CASE WHEN NOT ST_OrderingEquals(n.location, o.location)
                                             THEN o.location END)) AS v(location)
                  WHERE (n.status, n.tracking_code, n.confirm_deadline, n.agent_id, n.grid_id,
                         n.queue_centre_id, n.created_by_id)
                        IS DISTINCT FROM
                        (o.status, o.tracking_code, o.confirm_deadline, o.agent_id, o.grid_id,
                         o.queue_centre_id, o.created_by_id)
                     OR NOT ST_OrderingEquals(n.location, o.location)),
            ARRAY(SELECT v.agent FROM new_rows n JOIN old_rows o ON o.id = n.id,
                                  LATERAL (VALUES (n.agent_id), (o.agent_id)) AS v(agent)
                  WHERE (n.agent_id, n.status) IS DISTINCT FROM (o.agent_id, o.status)));
    ELSE
        PERFORM tiles_work_changed(ARRAY(SELECT location FROM old_rows),
                                   ARRAY(SELECT agent_id FROM old_rows));
    END IF;
    RETURN NULL;
END $function$;

CREATE OR REPLACE TRIGGER tiles_cells_insert AFTER INSERT ON appointments_appointment REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_appointment_cells();
CREATE OR REPLACE TRIGGER tiles_cells_update AFTER UPDATE ON appointments_appointment REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_appointment_cells();
CREATE OR REPLACE TRIGGER tiles_cells_delete AFTER DELETE ON appointments_appointment REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tiles_appointment_cells();
