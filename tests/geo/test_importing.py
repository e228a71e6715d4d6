"""import_boundaries / export_boundaries with real files GDAL reads, made here by ogr2ogr."""

import json
import subprocess

import pytest
from django.core.management import CommandError, call_command

from geo.models import Area, Grid

from .helpers import lonlat, rect, rect_geojson


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
