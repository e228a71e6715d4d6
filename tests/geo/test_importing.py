"""import_boundaries / export_boundaries with real files GDAL reads, made here by ogr2ogr.

Files like those published on the web are made here too: coordinates quantised to 5 decimal
places (about a metre, as DataV and TopoJSON exports are), rings that touch or cross themselves,
an exclave, and a file traced on a Chinese web map (GCJ-02, BD-09) made from a WGS-84 one.
"""

import io
import json
import logging
import math
import subprocess

import pytest
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils.log import configure_logging

from core import coords
from geo.importing import import_boundaries
from geo.models import Area, Grid

from .helpers import M_PER_DEG_LAT, M_PER_DEG_LON, lonlat, rect, rect_geojson

C1 = "210000001001"  # the west community of the test tree, 1000 m × 1000 m


def write_geojson(path, features):
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": props, "geometry": geometry}
            for props, geometry in features
        ],
    }
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def ogr2ogr(target, source, driver, srs, *options):
    subprocess.run(
        ["ogr2ogr", "-f", driver, "-t_srs", srs, *options, str(target), str(source)],
        check=True,
        capture_output=True,
    )
    return target


def bowtie():
    a, b, c, d = (list(lonlat(*p)) for p in ((0, 0), (100, 100), (100, 0), (0, 100)))
    return {"type": "Polygon", "coordinates": [[a, b, c, d, a]]}


def test_grids_from_a_geopackage_in_gauss_krueger(tree, tmp_path):
    # CGCS2000 / 3-degree Gauss-Kruger CM 123E (EPSG:4550): projected metres, as surveys deliver
    source = write_geojson(
        tmp_path / "grids.geojson",
        [
            ({"code": "G1", "name": "一网格"}, rect_geojson(0, 0, 500, 1000)),
            ({"code": "G2", "name": "二网格"}, rect_geojson(500, 0, 1000, 1000)),
        ],
    )
    gpkg = ogr2ogr(tmp_path / "grids.gpkg", source, "GPKG", "EPSG:4550")
    call_command("import_boundaries", str(gpkg), "--level", "grid", "--parent", "210000001001")
    g1 = Grid.objects.get(code="G1")
    assert g1.name == "一网格"
    # back in WGS-84 within a centimetre or so of where it was drawn
    assert g1.boundary.extent == pytest.approx(rect(0, 0, 500, 1000).extent, abs=2e-7)
    assert Grid.objects.count() == 2


def test_areas_from_a_shapefile_in_cgcs2000(tree, tmp_path):
    source = write_geojson(
        tmp_path / "c.geojson",
        [
            (
                {
                    "code": "210000001002",
                    "name": "二村（新）",
                    "kind": "village",
                    "parent": "210000001",
                },
                rect_geojson(1000, 0, 2000, 1000),
            ),
        ],
    )
    shp = ogr2ogr(
        tmp_path / "c.shp", source, "ESRI Shapefile", "EPSG:4490", "-lco", "ENCODING=UTF-8"
    )
    call_command("import_boundaries", str(shp), "--level", "community", "--parent-field", "parent")
    assert Area.objects.get(code="210000001002").name == "二村（新）"


def test_dry_run_lists_every_bad_feature_and_saves_nothing(tree, tmp_path, capsys):
    source = write_geojson(
        tmp_path / "bad.geojson",
        [
            ({"code": "OK", "name": "ok"}, rect_geojson(0, 0, 400, 400)),
            ({"code": "OVER", "name": "overlaps OK"}, rect_geojson(300, 300, 600, 600)),
            ({"code": "OUT", "name": "outside"}, rect_geojson(900, 0, 1500, 100)),
            ({"code": "BOW", "name": "self-intersecting"}, bowtie()),
        ],
    )
    with pytest.raises(CommandError, match="3 of 4 features refused"):
        call_command(
            "import_boundaries",
            str(source),
            "--level",
            "grid",
            "--parent",
            "210000001001",
            "--dry-run",
        )
    out = capsys.readouterr().out
    assert "feature 2 (OVER): grid_overlaps" in out
    assert "feature 3 (OUT): outside_parent" in out
    assert "feature 4 (BOW): invalid_geometry" in out
    assert Grid.objects.count() == 0


def test_clean_dry_run_saves_nothing(tree, tmp_path, capsys):
    source = write_geojson(
        tmp_path / "ok.geojson", [({"code": "OK", "name": "ok"}, rect_geojson(0, 0, 400, 400))]
    )
    call_command(
        "import_boundaries", str(source), "--level", "grid", "--parent", "210000001001", "--dry-run"
    )
    assert "would create 1" in capsys.readouterr().out
    assert Grid.objects.count() == 0


def test_import_is_all_or_nothing(tree, tmp_path):
    source = write_geojson(
        tmp_path / "mixed.geojson",
        [
            ({"code": "OK", "name": "ok"}, rect_geojson(0, 0, 400, 400)),
            ({"code": "OUT", "name": "outside"}, rect_geojson(900, 0, 1500, 100)),
        ],
    )
    with pytest.raises(CommandError, match="nothing saved"):
        call_command(
            "import_boundaries", str(source), "--level", "grid", "--parent", "210000001001"
        )
    assert Grid.objects.count() == 0


def test_reimport_adds_a_boundary_version(tree, tmp_path):
    first = write_geojson(
        tmp_path / "v1.geojson", [({"code": "G", "name": "g"}, rect_geojson(0, 0, 400, 400))]
    )
    second = write_geojson(
        tmp_path / "v2.geojson", [({"code": "G", "name": "g"}, rect_geojson(0, 0, 300, 400))]
    )
    for path in (first, second):
        call_command("import_boundaries", str(path), "--level", "grid", "--parent", "210000001001")
    assert list(Grid.objects.get(code="G").boundaries.values_list("version", flat=True)) == [1, 2]


def test_unreadable_file_and_unknown_parent(tree, tmp_path):
    with pytest.raises(CommandError, match="unreadable_file"):
        call_command("import_boundaries", str(tmp_path / "missing.gpkg"), "--level", "grid")
    source = write_geojson(tmp_path / "x.geojson", [({"code": "G"}, rect_geojson(0, 0, 10, 10))])
    with pytest.raises(CommandError, match="unknown_area"):
        call_command("import_boundaries", str(source), "--level", "grid", "--parent", "123456")


def test_export_round_trip(two_grids, tmp_path):
    out = tmp_path / "grids.geojson"
    call_command(
        "export_boundaries", "--level", "grid", "--area", "210000001", "--output", str(out)
    )
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert [f["properties"]["code"] for f in collection["features"]] == ["A", "B"]
    assert collection["features"][0]["properties"]["parent_code"] == "210000001001"


# Files as they are published: quantised, touching and crossing themselves, in GCJ-02.


def q(x: float, y: float) -> list[float]:
    """A point x, y metres from the origin, quantised to 5 decimal places as published."""
    return [round(v, 5) for v in lonlat(x, y)]


def north_of(position: list[float], metres: float) -> list[float]:
    return [position[0], position[1] + metres / M_PER_DEG_LAT]


def quantise(geometry: dict) -> dict:
    def walk(value):
        if value and isinstance(value[0], float | int):
            return [round(v, 5) for v in value]
        return [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def polygon(*rings) -> dict:
    return {"type": "Polygon", "coordinates": [list(r) for r in rings]}


def pinched() -> dict:
    """Two triangles whose apexes were 0.3 m apart: one vertex once quantised (ring touches)."""
    apex = q(200, 200)
    return polygon([q(0, 0), q(400, 0), apex, q(400, 400), q(0, 400), north_of(apex, 0.3), q(0, 0)])


def spiked() -> dict:
    """A square with a spike 0.3 m wide at its base: a line, out and back, once quantised."""
    base = q(900, 200)
    ring = [q(500, 0), q(900, 0), base, q(980, 200), north_of(base, 0.3), q(900, 400), q(500, 400)]
    return polygon([*ring, q(500, 0)])


def twisted_corner(x0: float, y0: float, size: float, cut: float) -> dict:
    """A square whose chamfered corner was drawn in the wrong order: a small bow-tie loop."""
    corners = [(x0, y0), (x0 + size, y0), (x0 + size, y0 + size)]
    corners += [(x0, y0 + size - cut), (x0 + cut, y0 + size), (x0, y0)]
    return polygon([q(x, y) for x, y in corners])


def geos(geometry: dict) -> GEOSGeometry:
    return GEOSGeometry(json.dumps(geometry), srid=4326)


def geography_area(geom: GEOSGeometry) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_Area(ST_GeomFromEWKB(%s)::geography)", [bytes(geom.ewkb)])
        return cursor.fetchone()[0]


def import_grids(path, *options):
    call_command("import_boundaries", str(path), "--level", "grid", "--parent", C1, *options)


def test_the_quantised_files_are_like_real_ones():
    for made in (pinched(), spiked()):
        assert geos(made).valid, "before quantisation the rings neither touch nor cross"
        assert not geos(quantise(made)).valid
    assert "Self-intersection" in geos(twisted_corner(0, 0, 400, 20)).valid_reason


def test_quantised_rings_that_touch_themselves_are_refused_without_make_valid(
    tree, tmp_path, capsys
):
    source = write_geojson(
        tmp_path / "web.geojson",
        [({"code": "PINCH"}, quantise(pinched())), ({"code": "SPIKE"}, quantise(spiked()))],
    )
    with pytest.raises(CommandError, match="2 of 2 features refused"):
        import_grids(source)
    out = capsys.readouterr().out
    assert "feature 1 (PINCH): invalid_geometry" in out
    assert "feature 2 (SPIKE): invalid_geometry" in out
    assert "--make-valid repairs invalid rings" in out
    assert Grid.objects.count() == 0


def test_make_valid_repairs_quantised_rings_and_reports_each_feature(tree, tmp_path, capsys):
    source = write_geojson(
        tmp_path / "web.geojson",
        [
            ({"code": "PINCH"}, quantise(pinched())),
            ({"code": "SPIKE"}, quantise(spiked())),
            ({"code": "FINE"}, quantise(rect_geojson(0, 500, 400, 900))),
        ],
    )
    import_grids(source, "--make-valid")
    out = capsys.readouterr().out
    assert "created 3" in out
    assert "feature 1 (PINCH) repaired: Ring Self-intersection" in out
    assert "feature 2 (SPIKE) repaired:" in out
    assert "FINE" not in out  # valid features are not repaired, so not reported
    pinch = Grid.objects.get(code="PINCH").boundary
    assert pinch.valid and len(pinch) == 2  # the two triangles, touching at the apex
    spike = Grid.objects.get(code="SPIKE").boundary
    assert spike.valid and len(spike) == 1  # the collapsed spike (a line) is not kept
    assert spike.extent[2] == pytest.approx(q(900, 0)[0])

    report = import_boundaries(source, level="grid", parent_code=C1, make_valid=True, dry_run=True)
    figures = {item.code: item.repair for item in report.repairs}
    assert set(figures) == {"PINCH", "SPIKE"}
    assert figures["PINCH"].area_before_m2 == pytest.approx(80_000, rel=5e-3)
    assert figures["SPIKE"].area_before_m2 == pytest.approx(160_000, rel=5e-3)
    for repair in figures.values():  # touching and collapsed rings lose no area
        assert abs(repair.change_m2) < 0.01
        assert repair.area_after_m2 == pytest.approx(repair.area_before_m2, abs=0.01)
    assert geography_area(pinch) == pytest.approx(figures["PINCH"].area_after_m2)


def test_make_valid_keeps_both_lobes_of_a_bow_tie_and_reports_the_change(tree, tmp_path, capsys):
    source = write_geojson(
        tmp_path / "bowtie.geojson", [({"code": "BOW"}, twisted_corner(0, 0, 400, 20))]
    )
    report = import_boundaries(source, level="grid", parent_code=C1, make_valid=True)
    assert report.ok and report.created == ["BOW"]
    (item,) = report.repairs
    repair = item.repair
    # as drawn, the loop counts against the square; repaired, it is added: +2 × the loop
    assert repair.reason.startswith("Self-intersection")
    assert 0 < repair.change_m2 < 400
    assert repair.change_percent == pytest.approx(100 * repair.change_m2 / repair.area_before_m2)
    assert repair.change_percent < 1
    bow = Grid.objects.get(code="BOW").boundary
    assert bow.valid and len(bow) == 2
    assert geography_area(bow) == pytest.approx(repair.area_after_m2)
    assert repair.as_dict()["change_percent"] == round(repair.change_percent, 4)


def test_make_valid_keeps_an_exclave(tree, tmp_path):
    # a community's grid with an exclave across the community; the main part's ring touches itself
    main = quantise(pinched())["coordinates"]
    exclave = quantise(rect_geojson(700, 700, 900, 900))["coordinates"]
    source = write_geojson(
        tmp_path / "exclave.geojson",
        [({"code": "EX"}, {"type": "MultiPolygon", "coordinates": [main, exclave]})],
    )
    report = import_boundaries(source, level="grid", parent_code=C1, make_valid=True)
    assert report.ok, report.problems
    (item,) = report.repairs
    assert abs(item.repair.change_m2) < 0.01
    boundary = Grid.objects.get(code="EX").boundary
    assert len(boundary) == 3  # two triangles and the exclave
    exclave_polygon = geos(polygon(*exclave))
    assert any(part.equals(exclave_polygon) for part in boundary)


def test_a_repair_beyond_the_tolerance_is_refused_and_nothing_saved(tree, tmp_path, capsys):
    source = write_geojson(
        tmp_path / "broken.geojson",
        [
            ({"code": "OK"}, quantise(rect_geojson(500, 500, 900, 900))),
            # the corner drawn in the wrong order cuts 100 m: the loop is 4.8 % of the square
            ({"code": "TWIST"}, twisted_corner(0, 0, 400, 100)),
        ],
    )
    with pytest.raises(CommandError, match="1 of 2 features refused; nothing saved"):
        import_grids(source, "--make-valid")
    out = capsys.readouterr().out
    assert "feature 2 (TWIST): repair_changes_area:" in out
    assert "1.0 %" in out  # the limit, in whichever language the message is
    assert Grid.objects.count() == 0

    report = import_boundaries(source, level="grid", parent_code=C1, make_valid=True)
    (problem,) = report.problems
    assert problem.error == "repair_changes_area"
    assert problem.details["change_percent"] == pytest.approx(4.8, abs=0.1)
    assert problem.details["limit_percent"] == 1.0
    assert Grid.objects.count() == 0


def test_the_repair_tolerance_is_a_setting(tree, tmp_path, settings):
    settings.GEO = {**settings.GEO, "REPAIR_MAX_AREA_CHANGE_PERCENT": 5}
    source = write_geojson(
        tmp_path / "broken.geojson", [({"code": "TWIST"}, twisted_corner(0, 0, 400, 100))]
    )
    import_grids(source, "--make-valid")
    assert Grid.objects.get(code="TWIST").boundary.valid


def test_a_bow_tie_that_enclosed_nothing_as_drawn_is_refused(tree, tmp_path):
    source = write_geojson(tmp_path / "bow.geojson", [({"code": "BOW"}, bowtie())])
    report = import_boundaries(source, level="grid", parent_code=C1, make_valid=True)
    (problem,) = report.problems
    assert problem.error == "repair_changes_area"
    assert problem.details["area_before_m2"] == 0
    assert problem.details["change_percent"] is None  # infinite: no JSON number
    assert Grid.objects.count() == 0


def max_vertex_distance_m(a: GEOSGeometry, b: GEOSGeometry) -> float:
    """The largest distance between corresponding vertices of two geometries of one shape."""

    def flat(geom):
        return [p for poly in geom.coords for ring in poly for p in ring]

    pairs = list(zip(flat(a), flat(b), strict=True))
    return max(
        math.hypot((p[0] - r[0]) * M_PER_DEG_LON, (p[1] - r[1]) * M_PER_DEG_LAT) for p, r in pairs
    )


@pytest.mark.parametrize("crs", [coords.GCJ02, coords.BD09])
def test_a_file_traced_on_a_chinese_web_map_lands_on_its_wgs84_original(tree, tmp_path, crs):
    original = {
        "W": rect_geojson(0, 0, 500, 1000),
        "E": {
            "type": "MultiPolygon",  # with an exclave
            "coordinates": [
                rect_geojson(500, 0, 1000, 600)["coordinates"],
                rect_geojson(600, 700, 900, 950)["coordinates"],
            ],
        },
    }

    def shifted(geometry):
        def walk(value):
            if value and isinstance(value[0], float):
                return list(coords.from_wgs84(value[0], value[1], crs))
            return [walk(v) for v in value]

        return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}

    traced = {code: shifted(geometry) for code, geometry in original.items()}
    offset = max_vertex_distance_m(
        MultiPolygon(geos(original["W"])), MultiPolygon(geos(traced["W"]))
    )
    assert offset > 100  # the file really is where a Chinese map draws it
    source = write_geojson(
        tmp_path / f"{crs}.geojson", [({"code": c}, g) for c, g in traced.items()]
    )

    with pytest.raises(CommandError):  # read as WGS-84 the grids stick out of the community
        import_grids(source)
    import_grids(source, "--source-crs", crs)

    for code, geometry in original.items():
        stored = Grid.objects.get(code=code).boundary
        expected = geos(geometry)
        if isinstance(expected, Polygon):
            expected = MultiPolygon(expected)
        assert max_vertex_distance_m(stored, expected) < 1.0
        assert max_vertex_distance_m(stored, expected) < 0.01  # the inverse is sub-millimetre


def test_source_crs_refuses_a_projected_file(tree, tmp_path):
    source = write_geojson(tmp_path / "g.geojson", [({"code": "G"}, rect_geojson(0, 0, 400, 400))])
    gpkg = ogr2ogr(tmp_path / "g.gpkg", source, "GPKG", "EPSG:4550")
    with pytest.raises(CommandError, match="source_crs_conflict"):
        import_grids(gpkg, "--source-crs", "gcj02")
    with pytest.raises(CommandError, match="invalid choice"):
        import_grids(source, "--source-crs", "wgs-84")


def test_source_crs_and_make_valid_together(tree, tmp_path):
    # a quantised GCJ-02 file: converted first, then repaired, then the rules
    traced = {
        "type": "Polygon",
        "coordinates": [
            [list(coords.wgs84_to_gcj02(*p)) for p in ring]
            for ring in quantise(pinched())["coordinates"]
        ],
    }
    source = write_geojson(tmp_path / "gcj.geojson", [({"code": "P"}, quantise(traced))])
    report = import_boundaries(
        source, level="grid", parent_code=C1, make_valid=True, source_crs="gcj02"
    )
    assert report.ok, report.problems
    assert report.source_crs == "gcj02"
    assert [item.code for item in report.repairs] == ["P"]


@pytest.fixture
def logging_as_make_run_has_it(settings):
    """Logging configured as under `make run` (DEBUG on), every handler writing into one buffer."""
    loggers = [logging.getLogger(name) for name in ("", "django", "django.contrib.gis")]
    saved = [(lg, lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    settings.DEBUG = True
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    buffer = io.StringIO()
    for lg in loggers:
        for handler in lg.handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(buffer)
    yield buffer
    for lg, handlers, level, propagate in saved:
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate = propagate


def test_a_geos_notice_is_logged_once(tree, tmp_path, logging_as_make_run_has_it):
    source = write_geojson(tmp_path / "bow.geojson", [({"code": "BOW"}, bowtie())])
    report = import_boundaries(source, level="grid", parent_code=C1)
    assert report.problems[0].error == "invalid_geometry"
    assert logging_as_make_run_has_it.getvalue().count("GEOS_NOTICE: Self-intersection") == 1
