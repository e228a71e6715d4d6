-- audit_record: the audit trail: one statement-level trigger per audited table and operation writes the
-- changed rows to audit_change (arguments: columns never copied into the trail)
CREATE OR REPLACE FUNCTION audit_record()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
    ctx jsonb := NULLIF(current_setting('audit.context', true), '')::jsonb;
    skipped text[] := COALESCE(TG_ARGV, '{}');
    geoms text[];
    blank jsonb;
    pairs text;
BEGIN
    SELECT coalesce(array_agg(a.attname::text), '{}') INTO geoms FROM pg_attribute a
     WHERE a.attrelid = TG_RELID AND a.atttypid = 'geometry'::regtype
       AND a.attnum > 0 AND NOT a.attisdropped;
    SELECT jsonb_object_agg(c, NULL) INTO blank FROM unnest(skipped || geoms) AS c;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO audit_change (table_name, row_id, op, changes, actor_id, request_id, context)
        SELECT TG_TABLE_NAME, r.j ->> 'id', TG_OP, r.j, (ctx ->> 'user')::bigint,
               COALESCE(ctx ->> 'request_id', ''), COALESCE(ctx - 'user' - 'request_id', '{}')
        FROM (SELECT audit_row(n, blank, skipped, geoms) AS j FROM audit_new n) r;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO audit_change (table_name, row_id, op, changes, actor_id, request_id, context)
        SELECT TG_TABLE_NAME, r.j ->> 'id', TG_OP, r.j, (ctx ->> 'user')::bigint,
               COALESCE(ctx ->> 'request_id', ''), COALESCE(ctx - 'user' - 'request_id', '{}')
        FROM (SELECT audit_row(o, blank, skipped, geoms) AS j FROM audit_old o) r;
    ELSIF (SELECT count(*) FROM audit_new) <= 16 THEN
        -- a few rows (a save, an action): both rows as JSON, compared key by key
        INSERT INTO audit_change (table_name, row_id, op, changes, actor_id, request_id, context)
        SELECT TG_TABLE_NAME, d.id, TG_OP, d.changed, (ctx ->> 'user')::bigint,
               COALESCE(ctx ->> 'request_id', ''), COALESCE(ctx - 'user' - 'request_id', '{}')
        FROM (
            SELECT n.j ->> 'id' AS id, c.changed
            -- OFFSET 0: each row converted once, not once per reference
            FROM (SELECT audit_row(x, blank, skipped, geoms) AS j FROM audit_new x OFFSET 0) n
            JOIN (SELECT audit_row(x, blank, skipped, geoms) AS j FROM audit_old x OFFSET 0) o
              ON o.j -> 'id' = n.j -> 'id' AND o.j <> n.j  -- nothing changed: nothing to record
            CROSS JOIN LATERAL (
                SELECT jsonb_object_agg(e.key, jsonb_build_array(o.j -> e.key, e.value)) AS changed
                FROM jsonb_each(n.j) AS e
                WHERE e.value IS DISTINCT FROM o.j -> e.key
            ) c
        ) d;
    ELSE
        -- many rows (a routed backlog): column by column, each compared in its own type and
        -- converted to JSON only when it changed (converting both whole rows costs ~0.1 ms a
        -- row; planning this statement ~1.5 ms, once). The columns are read from the catalogue
        -- at each statement, so a column added later is compared too. Same changes as above.
        SELECT string_agg(format(
                   '(%L, CASE WHEN n.%I IS DISTINCT FROM o.%I THEN jsonb_build_array(%s, %s) END)',
                   a.attname, a.attname, a.attname,
                   CASE WHEN a.attname = ANY(geoms)
                        THEN format('ST_AsGeoJSON(o.%I, 20, 2)::jsonb', a.attname)
                        ELSE format('to_jsonb(o.%I)', a.attname) END,
                   CASE WHEN a.attname = ANY(geoms)
                        THEN format('ST_AsGeoJSON(n.%I, 20, 2)::jsonb', a.attname)
                        ELSE format('to_jsonb(n.%I)', a.attname) END), ', ' ORDER BY a.attnum)
          INTO pairs
          FROM pg_attribute a
         WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped
           AND NOT (a.attname = ANY(skipped));
        EXECUTE format(
            'INSERT INTO audit_change (table_name, row_id, op, changes, actor_id, request_id, '
            'context) SELECT %L, n.id::text, %L, d.changed, $1, $2, $3 '
            'FROM audit_new n JOIN audit_old o ON o.id = n.id '
            'CROSS JOIN LATERAL (SELECT jsonb_object_agg(v.k, v.d) AS changed '
            'FROM (VALUES %s) AS v(k, d) WHERE v.d IS NOT NULL) d '
            'WHERE d.changed IS NOT NULL',  -- nothing changed: nothing to record
            TG_TABLE_NAME, TG_OP, pairs)
        USING (ctx ->> 'user')::bigint, COALESCE(ctx ->> 'request_id', ''),
              COALESCE(ctx - 'user' - 'request_id', '{}');
    END IF;
    RETURN NULL;
END $function$;

CREATE OR REPLACE TRIGGER audit_delete AFTER DELETE ON appointments_appointment REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit_record('resident_id_encrypted', 'routing');
CREATE OR REPLACE TRIGGER audit_insert AFTER INSERT ON appointments_appointment REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_record('resident_id_encrypted', 'routing');
CREATE OR REPLACE TRIGGER audit_update AFTER UPDATE ON appointments_appointment REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_record('resident_id_encrypted', 'routing');
CREATE OR REPLACE TRIGGER audit_delete AFTER DELETE ON cases_case REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit_record('resident_id_encrypted');
CREATE OR REPLACE TRIGGER audit_insert AFTER INSERT ON cases_case REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_record('resident_id_encrypted');
CREATE OR REPLACE TRIGGER audit_update AFTER UPDATE ON cases_case REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_record('resident_id_encrypted');
CREATE OR REPLACE TRIGGER audit_delete AFTER DELETE ON cases_registerentry REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
CREATE OR REPLACE TRIGGER audit_insert AFTER INSERT ON cases_registerentry REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
CREATE OR REPLACE TRIGGER audit_update AFTER UPDATE ON cases_registerentry REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
CREATE OR REPLACE TRIGGER audit_delete AFTER DELETE ON geo_grid REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
CREATE OR REPLACE TRIGGER audit_insert AFTER INSERT ON geo_grid REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
CREATE OR REPLACE TRIGGER audit_update AFTER UPDATE ON geo_grid REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
CREATE OR REPLACE TRIGGER audit_delete AFTER DELETE ON geo_gridboundary REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
CREATE OR REPLACE TRIGGER audit_insert AFTER INSERT ON geo_gridboundary REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
CREATE OR REPLACE TRIGGER audit_update AFTER UPDATE ON geo_gridboundary REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
CREATE OR REPLACE TRIGGER audit_delete AFTER DELETE ON geo_gridproposal REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
CREATE OR REPLACE TRIGGER audit_insert AFTER INSERT ON geo_gridproposal REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
CREATE OR REPLACE TRIGGER audit_update AFTER UPDATE ON geo_gridproposal REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
CREATE OR REPLACE TRIGGER audit_delete AFTER DELETE ON people_gridassignment REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
CREATE OR REPLACE TRIGGER audit_insert AFTER INSERT ON people_gridassignment REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
CREATE OR REPLACE TRIGGER audit_update AFTER UPDATE ON people_gridassignment REFERENCING OLD TABLE AS audit_old NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit_record();
