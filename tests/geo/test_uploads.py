"""Boundary files from the browser (/api/v1/boundary-uploads/, geo.uploads, geo.upload_files).

Files are made here at test time (by hand, or by ogr2ogr from GeoJSON as tests/geo/
test_importing.py does); hostile archives are built with zipfile. The worker task runs for real:
django-q2 in synchronous mode (the test settings) runs it in-process when the upload's
transaction commits (`django_capture_on_commit_callbacks(execute=True)`).
"""

from __future__ import annotations

import http.server
import io
import json
import stat
import threading
import zipfile

import pytest
from django.contrib.gis.gdal import DataSource, GDALException, SpatialReference
from django.contrib.gis.geos import GEOSGeometry
from django.core.files.uploadedfile import SimpleUploadedFile

from geo import tasks
from geo.models import BoundaryUpload, Grid
from geo.upload_files import GDAL_OFFLINE, gdal_offline, proj_network_enabled
from people.models import Role
from tests.factories import client_for, make_staff

from .helpers import rect, rect_geojson
from .test_importing import C1, ogr2ogr, twisted_corner, write_geojson

URL = "/api/v1/boundary-uploads/"
GRIDS = [
    ({"code": "G1", "name": "一网格"}, rect_geojson(0, 0, 500, 1000)),
    ({"code": "G2", "name": "二网格"}, rect_geojson(500, 0, 1000, 1000)),
]


@pytest.fixture
def district(tree):
    return make_staff("district", Role.DISTRICT_STAFF, centre=tree["district"].centre)


@pytest.fixture
def client(district):
    return client_for(district)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """POST, let the queued task run (at commit, as in production), answer the status."""

    def post(client, url, data=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data, **kwargs)
        if response.status_code != 202:
            return response
        return client.get(response.json()["url"])

    return post


def upload(send, client, name: str, content: bytes, **fields):
    data = {"level": "grid", "parent": C1, **fields}
    data["file"] = SimpleUploadedFile(name, content)
    return send(client, URL, data, format="multipart")


def geojson_bytes(tmp_path, features, **extra) -> bytes:
    path = write_geojson(tmp_path / "f.geojson", features)
    if extra:
        path.write_text(json.dumps({**json.loads(path.read_text()), **extra}))
    return path.read_bytes()


def zipped(members: dict[str, bytes], *, symlinks=()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def shapefile_members(tmp_path, features=GRIDS, srs="EPSG:4490") -> dict[str, bytes]:
    source = write_geojson(tmp_path / "s.geojson", features)
    ogr2ogr(tmp_path / "grids.shp", source, "ESRI Shapefile", srs, "-lco", "ENCODING=UTF-8")
    return {
        f"grids/grids{ext}": (tmp_path / f"grids{ext}").read_bytes()
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")
    }


def error_of(response) -> str:
    body = response.json()
    assert body["status"] == "failed", body
    return body["error"]["code"]


# --- every format, through the worker ---------------------------------------------------------
def _geojson(tmp_path):
    return "grids.geojson", geojson_bytes(tmp_path, GRIDS)


def _shapefile(tmp_path):
    return "grids.zip", zipped(shapefile_members(tmp_path))


def _geopackage(tmp_path):
    source = write_geojson(tmp_path / "s.geojson", GRIDS)
    return "grids.gpkg", ogr2ogr(tmp_path / "g.gpkg", source, "GPKG", "EPSG:4550").read_bytes()


def _kml(tmp_path):
    source = write_geojson(tmp_path / "s.geojson", GRIDS)
    return "grids.kml", ogr2ogr(tmp_path / "g.kml", source, "KML", "EPSG:4326").read_bytes()


@pytest.mark.parametrize(
    "make, epsg",
    [(_geojson, 4326), (_shapefile, 4490), (_geopackage, 4550), (_kml, 4326)],
    ids=["geojson", "shapefile", "geopackage", "kml"],
)
def test_each_format_is_previewed_and_nothing_saved(send, client, tmp_path, make, epsg):
    name, content = make(tmp_path)
    body = upload(send, client, name, content).json()
    assert body["status"] == "ready", body
    result = body["result"]
    assert (result["features"], result["accepted"], result["refused"]) == (2, 2, 0)
    assert result["epsg"] == epsg
    features = result["preview"]["features"]
    assert [f["properties"]["status"] for f in features] == ["accepted", "accepted"]
    assert {f["properties"]["action"] for f in features} == {"create"}
    # the preview is where the file says, in WGS-84 (within a metre or so after reprojection)
    drawn = GEOSGeometry(json.dumps(features[0]["geometry"]))
    assert drawn.extent == pytest.approx(rect(0, 0, 500, 1000).extent, abs=2e-5)
    assert Grid.objects.count() == 0


def test_a_refused_feature_is_marked_in_place_then_repaired_and_applied(send, client, tmp_path):
    content = geojson_bytes(
        tmp_path,
        [
            ({"code": "G1", "name": "一网格"}, rect_geojson(500, 0, 1000, 1000)),
            ({"code": "TWIST", "name": "扭角"}, twisted_corner(0, 0, 400, 20)),
        ],
    )
    body = upload(send, client, "g.geojson", content).json()
    assert body["status"] == "ready", body
    assert (body["result"]["accepted"], body["result"]["refused"]) == (1, 1)
    refused = body["result"]["preview"]["features"][1]
    assert refused["properties"]["status"] == "refused"
    assert refused["properties"]["error"] == "invalid_geometry"
    assert refused["properties"]["message"]
    assert refused["geometry"]["type"] in ("Polygon", "MultiPolygon")  # drawn where it is
    assert len(refused["properties"]["details"]["location"]) == 2

    apply_url = body["url"] + "apply/"
    response = send(client, apply_url)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "preview_has_refusals"

    body = send(client, body["url"] + "preview/", {"make_valid": True}, format="json").json()
    assert body["status"] == "ready" and body["make_valid"] is True
    assert (body["result"]["refused"], body["result"]["repaired"]) == (0, 1)
    assert body["result"]["preview"]["features"][1]["properties"]["repair"]["change_percent"] < 1
    assert Grid.objects.count() == 0

    body = send(client, apply_url).json()
    assert body["status"] == "applied", body
    assert sorted(body["result"]["created"]) == ["G1", "TWIST"]
    assert Grid.objects.filter(code__in=["G1", "TWIST"], boundaries__note="import").count() == 2
    # once applied, nothing more
    response = send(client, apply_url)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "upload_not_ready"


def test_apply_is_all_or_nothing(send, client, tmp_path, tree):
    body = upload(send, client, "g.geojson", geojson_bytes(tmp_path, GRIDS)).json()
    assert body["result"]["refused"] == 0
    # meanwhile someone draws a grid where G2 would go: applying refuses it and saves nothing
    from geo import services

    services.grid_create(
        community=tree["c1"], code="NEW", name="新", boundary=rect(600, 0, 900, 500)
    )
    body = send(client, body["url"] + "apply/").json()
    assert body["status"] == "ready"
    assert body["result"]["refused"] == 1
    problem = body["result"]["preview"]["features"][1]["properties"]
    assert problem["error"] == "grid_overlaps"
    assert list(Grid.objects.values_list("code", flat=True)) == ["NEW"]


def test_a_task_for_a_superseded_run_or_delivered_twice_does_nothing(send, client, tmp_path):
    body = upload(send, client, "g.geojson", geojson_bytes(tmp_path, GRIDS)).json()
    upload_id = body["id"]
    assert tasks.boundary_upload_preview(upload_id, 1) == "stale"  # done already
    body = send(client, body["url"] + "apply/").json()
    assert body["status"] == "applied"
    assert tasks.boundary_upload_apply(upload_id, 2) == "stale"
    assert Grid.objects.count() == 2


# --- hostile archives and coordinate systems --------------------------------------------------
@pytest.mark.parametrize(
    "name, reason",
    [
        ("../../grids.shp", "parent directory (..)"),
        ("/tmp/grids.shp", "absolute path"),
        ("C:/grids.shp", "absolute path"),
        ("grids\\..\\x.shp", "backslash or NUL in the name"),
    ],
)
def test_zip_slip_members_are_refused(send, client, tmp_path, name, reason):
    members = shapefile_members(tmp_path)
    members[name] = members.pop("grids/grids.shp")
    response = upload(send, client, "grids.zip", zipped(members))
    assert error_of(response) == "zip_unsafe_member"
    assert response.json()["error"]["details"] == {"member": name, "reason": reason}
    assert Grid.objects.count() == 0


def test_a_symlink_member_is_refused(send, client, tmp_path):
    members = shapefile_members(tmp_path)
    members["grids/grids.prj"] = b"/etc/passwd"
    response = upload(send, client, "g.zip", zipped(members, symlinks=["grids/grids.prj"]))
    assert error_of(response) == "zip_unsafe_member"
    assert response.json()["error"]["details"]["reason"] == "symbolic link"


def test_a_zip_bomb_is_refused_by_its_ratio(send, client, tmp_path):
    members = shapefile_members(tmp_path)
    members["grids/readme.txt"] = b"\0" * (4 * 1024 * 1024)  # packs about a thousandfold
    assert error_of(upload(send, client, "g.zip", zipped(members))) == "zip_ratio_exceeded"


def test_a_zip_bomb_lying_in_its_headers_is_stopped_while_reading(send, client, tmp_path):
    members = shapefile_members(tmp_path)
    members["grids/grids.dbf"] = b"\0" * (4 * 1024 * 1024)
    content = bytearray(zipped(members))
    # claim, in both headers, that the member unpacks to 100 bytes
    index = content.find(b"grids/grids.dbf")
    while index != -1:
        header = content.rfind(b"PK", 0, index)
        offset = 22 if content[header + 2 : header + 4] == b"\x03\x04" else 24
        content[header + offset : header + offset + 4] = (100).to_bytes(4, "little")
        index = content.find(b"grids/grids.dbf", index + 1)
    # zipfile reads no more than the header's 100 bytes, then the checksum fails: refused
    response = upload(send, client, "g.zip", bytes(content))
    assert error_of(response) == "unreadable_file"
    assert "CRC" in response.json()["error"]["message"]


def test_too_many_members_are_refused(send, client, tmp_path, settings):
    settings.GEO = {**settings.GEO, "UPLOAD_ZIP_MAX_MEMBERS": 5}
    members = shapefile_members(tmp_path)
    members["grids/extra.txt"] = b"x"
    assert error_of(upload(send, client, "g.zip", zipped(members))) == "zip_too_many_members"


@pytest.mark.parametrize(
    "prj",
    [
        "/etc/passwd",
        "file:///etc/passwd",
        "http://127.0.0.1:9/crs.prj",
        "+proj=longlat +nadgrids=@http://127.0.0.1:9/grid.tif",
        'GEOGCS["x",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
        'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],'
        'EXTENSION["PROJ4","+proj=longlat +nadgrids=/etc/passwd"]]',
        "EPSG:4326",
    ],
    ids=["path", "file-url", "http-url", "proj-grid", "wkt-extension", "user-input"],
)
def test_a_prj_naming_a_file_or_url_is_refused(send, client, tmp_path, prj):
    members = shapefile_members(tmp_path)
    members["grids/grids.prj"] = prj.encode()
    assert error_of(upload(send, client, "g.zip", zipped(members))) == "prj_not_allowed"


def test_a_crs_off_the_allow_list_is_refused(send, client, tmp_path):
    members = shapefile_members(tmp_path, srs="EPSG:32651")  # UTM 51N: real, not allow-listed
    response = upload(send, client, "g.zip", zipped(members))
    assert error_of(response) == "crs_not_allowed"
    assert response.json()["error"]["details"]["found"] == "EPSG:32651"


@pytest.mark.parametrize(
    "crs",
    [
        {"type": "link", "properties": {"href": "http://127.0.0.1:9/crs", "type": "proj4"}},
        {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32651"}},
        {"type": "name", "properties": {"name": "+proj=longlat +nadgrids=/etc/passwd"}},
    ],
    ids=["link", "not-allowed", "proj-string"],
)
def test_a_geojson_crs_must_name_an_allowed_epsg_code(send, client, tmp_path, crs):
    content = geojson_bytes(tmp_path, GRIDS, crs=crs)
    assert error_of(upload(send, client, "g.geojson", content)) == "crs_not_allowed"


def test_a_geojson_naming_cgcs2000_is_read(send, client, tmp_path):
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}}
    body = upload(send, client, "g.geojson", geojson_bytes(tmp_path, GRIDS, crs=crs)).json()
    assert body["status"] == "ready" and body["result"]["epsg"] == 4490


def test_a_vrt_dressed_as_geojson_is_not_opened(send, client):
    vrt = b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
    vrt += b"</OGRVRTLayer></OGRVRTDataSource>"
    assert error_of(upload(send, client, "g.geojson", vrt)) == "unreadable_file"


def test_kml_with_external_references_is_refused(send, client, tmp_path):
    _, kml = _kml(tmp_path)
    link = b"<NetworkLink><Link><href>http://127.0.0.1:9/more.kml</href></Link></NetworkLink>"
    hostile = kml.replace(b"<Document", link + b"<Document", 1)
    assert error_of(upload(send, client, "g.kml", hostile)) == "external_reference"
    entity = b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    assert error_of(upload(send, client, "g.kml", entity + kml)) == "external_reference"


def test_a_google_earth_kml_with_styled_icons_is_read(send, client, tmp_path):
    """Google Earth and 奥维 exports give every style an icon link: styles are dropped, the
    shapes read; a link outside a style is still refused."""
    _, kml = _kml(tmp_path)
    styles = (
        b'<Style id="s"><IconStyle><Icon><href>http://maps.google.com/mapfiles/kml/pushpin/'
        b"ylw-pushpin.png</href></Icon></IconStyle><LineStyle><color>ff0000ff</color>"
        b'</LineStyle></Style><gx:StyleMap id="m"><Pair><key>normal</key><Style><IconStyle>'
        b"<Icon><href>http://127.0.0.1:9/i.png</href></Icon></IconStyle></Style></Pair>"
        b"</gx:StyleMap><Style/>"
    )
    styled = kml.replace(b"<Folder>", styles + b"<Folder>", 1)
    assert styled.count(b"<href>") == 2
    body = upload(send, client, "earth.kml", styled).json()
    assert body["status"] == "ready", body
    assert (body["result"]["features"], body["result"]["accepted"]) == (2, 2)
    overlay = b"<GroundOverlay><Icon><href>http://127.0.0.1:9/x.png</href></Icon></GroundOverlay>"
    hostile = styled.replace(b"<Folder>", overlay + b"<Folder>", 1)
    assert error_of(upload(send, client, "g.kml", hostile)) == "external_reference"


def test_cutting_styles_is_one_pass_whatever_the_file():
    from geo.upload_files import _without_styles

    # a quadratic scan (a regex looking for each opening's close) would not end here
    unclosed = b"<kml><Style>" + b"<Style>" * 300_000
    assert _without_styles(unclosed) == unclosed
    nested = b"<kml><StyleMap><Pair><Style><Icon/></Style></Pair></StyleMap><a/><Style/><b/></kml>"
    assert _without_styles(nested) == b"<kml><a/><b/></kml>"


def test_a_geopackage_with_a_view_is_refused(send, client, tmp_path):
    import sqlite3

    _, content = _geopackage(tmp_path)
    path = tmp_path / "v.gpkg"
    path.write_bytes(content)
    db = sqlite3.connect(path)
    db.execute("CREATE VIEW sneaky AS SELECT * FROM sqlite_master")
    db.commit()
    db.close()
    response = upload(send, client, "g.gpkg", path.read_bytes())
    assert error_of(response) == "external_reference"
    assert response.json()["error"]["details"]["name"] == "sneaky"


# --- limits ----------------------------------------------------------------------------------
def test_a_file_too_large_is_refused_at_the_door(send, client, tmp_path, settings):
    content = geojson_bytes(tmp_path, GRIDS)
    settings.GEO = {**settings.GEO, "UPLOAD_MAX_BYTES": len(content) - 1}
    response = upload(send, client, "g.geojson", content)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"
    assert BoundaryUpload.objects.count() == 0


def test_too_many_features_are_refused(send, client, tmp_path, settings):
    settings.GEO = {**settings.GEO, "UPLOAD_MAX_FEATURES": 1}
    assert error_of(upload(send, client, "g.geojson", geojson_bytes(tmp_path, GRIDS))) == (
        "too_many_features"
    )
    assert error_of(upload(send, client, "g.zip", zipped(shapefile_members(tmp_path)))) == (
        "too_many_features"
    )
    assert Grid.objects.count() == 0


@pytest.mark.parametrize(
    "name, fields, code",
    [
        ("g.exe", {}, "unsupported_format"),
        ("g.geojson", {"level": "planet"}, "invalid_level"),
        ("g.geojson", {"parent": "219999999999"}, "unknown_area"),
        ("g.geojson", {"source_crs": "mars"}, "invalid_input"),
    ],
)
def test_bad_requests_are_refused_and_nothing_kept(send, client, tmp_path, name, fields, code):
    response = upload(send, client, name, geojson_bytes(tmp_path, GRIDS), **fields)
    assert response.status_code in (400, 404)
    assert response.json()["error"]["code"] == code
    assert BoundaryUpload.objects.count() == 0


# --- who ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role, centre",
    [
        (Role.STATION_MANAGER, "c1"),
        (Role.CENTRE_LEAD, "street"),
        (Role.SUPERVISOR, "district"),
        (Role.AGENT, "c1"),
        (Role.WINDOW_STAFF, None),
    ],
)
def test_only_district_staff_upload(send, client, tree, tmp_path, role, centre):
    mine = upload(send, client, "g.geojson", geojson_bytes(tmp_path, GRIDS)).json()
    staff = make_staff("other", role, centre=tree[centre].centre if centre else None, window="窗口")
    other = client_for(staff)
    response = upload(send, other, "g.geojson", geojson_bytes(tmp_path, GRIDS))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    for call in (other.get(mine["url"]), other.post(mine["url"] + "apply/")):
        assert call.status_code == 403
    assert BoundaryUpload.objects.count() == 1
    assert Grid.objects.count() == 0


def test_anonymous_is_refused(api_client):
    assert api_client.get(URL + "00000000-0000-0000-0000-000000000000/").status_code in (401, 403)


def test_another_district_users_upload_looks_missing(send, client, tree, tmp_path):
    mine = upload(send, client, "g.geojson", geojson_bytes(tmp_path, GRIDS)).json()
    colleague = client_for(
        make_staff("district2", Role.DISTRICT_STAFF, centre=tree["district"].centre)
    )
    for response in (
        colleague.get(mine["url"]),
        colleague.post(mine["url"] + "apply/"),
        colleague.get(URL + "not-a-uuid/"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "unknown_upload"
    assert Grid.objects.count() == 0


# --- GDAL and PROJ off the network -------------------------------------------------------------
def test_gdal_reaches_no_network_while_an_upload_is_open():
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"/vsicurl/http://127.0.0.1:{server.server_port}/grids.geojson"
        with gdal_offline():
            assert not proj_network_enabled()
            with pytest.raises(GDALException):
                DataSource(url)
        assert hits == []
        # outside, the same call does reach the server: the test would notice a leak
        with pytest.raises(GDALException):
            DataSource(url)
        assert hits
    finally:
        server.shutdown()
        server.server_close()


def test_gdal_options_are_restored_afterwards():
    from ctypes import c_char_p

    from django.contrib.gis.gdal.libgdal import lgdal

    get = lgdal["CPLGetConfigOption"]
    get.argtypes, get.restype = [c_char_p, c_char_p], c_char_p
    with gdal_offline():
        assert get(b"CPL_VSIL_CURL_ALLOWED_EXTENSIONS", None) == b".gridproxy-no-network"
    assert get(b"CPL_VSIL_CURL_ALLOWED_EXTENSIONS", None) is None
    assert "GDAL_HTTP_PROXY" in GDAL_OFFLINE
    assert SpatialReference(4490).srid == 4490  # the EPSG database is local
