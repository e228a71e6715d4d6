-- audit_row: one row as the trail stores it: geometry as GeoJSON, skipped columns left out
CREATE OR REPLACE FUNCTION audit_row(r anyelement, blank jsonb, skipped text[], geoms text[])
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
AS $function$
DECLARE
    j jsonb;
    h hstore;
    g text;
BEGIN
    IF blank IS NULL THEN
        RETURN to_jsonb(r);
    END IF;
    j := to_jsonb(jsonb_populate_record(r, blank)) - skipped;
    IF cardinality(geoms) > 0 THEN
        h := hstore(r);
        FOREACH g IN ARRAY geoms LOOP
            j := jsonb_set(j, ARRAY[g],
                           coalesce(ST_AsGeoJSON((h -> g)::geometry, 20, 2)::jsonb, 'null'));
        END LOOP;
    END IF;
    RETURN j;
END $function$;
