-- tiles_cell_range: the zoom-16 cells (slippy-map tile numbers) a geometry's bounding box covers,
-- as {x0, y0, x1, y1}; latitudes are clamped to Web Mercator's ±85.0511°. Cells are what tile
-- generations are counted per (tiles/cells.py reads the same numbering). One expression without
-- FROM, so that it is inlined into its caller's plan (a SQL function that is not is planned
-- again at every call).
CREATE OR REPLACE FUNCTION tiles_cell_range(p_geom geometry)
 RETURNS integer[]
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT ARRAY[
        greatest(0, least(65535, floor((ST_XMin(p_geom) + 180.0) / 360.0 * 65536)::integer)),
        greatest(0, least(65535, floor((1.0 - asinh(tan(radians(greatest(-85.0511, least(85.0511, ST_YMax(p_geom))))))
                                             / pi()) / 2.0 * 65536)::integer)),
        greatest(0, least(65535, floor((ST_XMax(p_geom) + 180.0) / 360.0 * 65536)::integer)),
        greatest(0, least(65535, floor((1.0 - asinh(tan(radians(greatest(-85.0511, least(85.0511, ST_YMin(p_geom))))))
                                             / pi()) / 2.0 * 65536)::integer))]
$function$;
