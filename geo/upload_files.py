"""Opening a boundary file that came with a request: only its own bytes, nothing they name.

ADR 0004 (amended) keeps spatial-reference strings from requests away from GDAL; a boundary
file uploaded from the browser (geo.uploads) is opened here, and only here, under these rules:

- limits first: size (checked by the view and again here), feature count
  (`GEO["UPLOAD_MAX_FEATURES"]`);
- a zipped Shapefile is unpacked by us, never by GDAL: no absolute names, no `..`, no
  backslashes or drive letters, no symbolic links, no encrypted members, at most
  `UPLOAD_ZIP_MAX_MEMBERS` members, each unpacked at most `UPLOAD_ZIP_MAX_RATIO` times its
  packed size and all together at most `UPLOAD_ZIP_MAX_BYTES` (counted while reading, not
  trusted from the headers); only the .shp, .shx, .dbf and a plain .cpg are written, under
  names of our own, into a fresh directory;
- the coordinate system must resolve to an EPSG code in `UPLOAD_ALLOWED_EPSG`: a `.prj` is read
  as plain WKT by us (a PROJ string, a file path, a URL or a WKT `EXTENSION` is refused
  outright) and never handed to GDAL's Shapefile driver; a GeoJSON `crs` member must *name* an
  allow-listed EPSG code (a `link` is refused); a GeoPackage's definitions are checked as a
  `.prj` is. Coordinates are then transformed from *our* `SpatialReference(epsg)`, never the
  file's text;
- files that reference other resources are refused: KML with a link, network link, icon,
  DOCTYPE or entity; GeoPackages with views, virtual tables other than the R-tree index, or
  triggers not of the GeoPackage standard;
- GDAL opens the one temporary file with one driver allowed (GeoJSON, ESRI Shapefile, GPKG,
  KML — a GeoJSON that is really a VRT is refused), with its HTTP layer and /vsicurl/ pointed
  at nothing (`gdal_offline`) and PROJ's network off.

Used by geo.uploads only; knows nothing of areas, grids or people.
"""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import stat
import zipfile
from contextlib import contextmanager
from ctypes import POINTER, byref, c_char_p, c_int, c_void_p
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.contrib.gis.gdal import DataSource, Driver, GDALException, SpatialReference
from django.contrib.gis.gdal.libgdal import lgdal
from django.contrib.gis.gdal.prototypes import ds as capi
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from .geometry import geo_setting

# format → (the one GDAL driver allowed to open it, the file name we give it)
FORMATS = {
    "geojson": ("GeoJSON", "boundary.geojson"),
    "shapefile": ("ESRI Shapefile", "boundary.shp"),
    "gpkg": ("GPKG", "boundary.gpkg"),
    "kml": ("KML", "boundary.kml"),
}
EXTENSIONS = {".geojson": "geojson", ".json": "geojson", ".zip": "shapefile"}
EXTENSIONS.update({".gpkg": "gpkg", ".kml": "kml"})

# GDAL configuration while an uploaded file is open (thread-local, restored afterwards)
GDAL_OFFLINE = {
    # every libcurl request goes to a proxy on the discard port of this host: nothing answers
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    # /vsicurl/ opens only names ending so, which no name does
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".gridproxy-no-network",
    "CPL_VSIL_CURL_USE_HEAD": "NO",
    # drivers do not list the directory to find siblings
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "PROJ_NETWORK": "OFF",
}

# multipart framing around a file of the largest size allowed
MULTIPART_SLACK_BYTES = 16 * 1024
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf"}
SHAPEFILE_EXTRAS = {".prj", ".cpg"}
PRJ_MAX_CHARS = 16_000
WKT_START = re.compile(
    r"^\s*(GEOGCS|PROJCS|GEOCCS|COMPD_CS|GEOGCRS|GEODCRS|PROJCRS|COMPOUNDCRS|GEOGRAPHICCRS|"
    r"PROJECTEDCRS|BOUNDCRS)\[",
    re.IGNORECASE,
)
# what a plain WKT never contains: URLs, paths (a slash in a name stands between spaces, as in
# "CGCS2000 / 3-degree Gauss-Kruger CM 123E"), PROJ strings or grids, extensions
WKT_FORBIDDEN = re.compile(r"://|/\S|[\\@]|\+proj|\+init|nadgrids|geoidgrids|EXTENSION\s*\[", re.I)
EPSG_NAME = re.compile(r"^(?:urn:ogc:def:crs:EPSG:[0-9.]*:|EPSG:)(\d{1,6})$", re.I)
CRS84_NAMES = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "OGC:CRS84"}
KML_FORBIDDEN = re.compile(r"<!DOCTYPE|<!ENTITY|href|<(?:\w+:)?(?:NetworkLink|Link|Icon)\b", re.I)
# a KML's styles (colours, widths, the icon of a point) say nothing the import reads; Google
# Earth and 奥维 exports give every style an icon link, so they are cut out before the file is
# checked and before GDAL sees it (`_without_styles`)
KML_STYLE_START = re.compile(rb"<(?:\w+:)?(StyleMap|Style)\b", re.I)
KML_STYLE_END = {
    name: re.compile(rb"</(?:\w+:)?" + name + rb"\s*>", re.I) for name in (b"style", b"stylemap")
}
GPKG_TRIGGER_PREFIXES = ("rtree_", "trigger_", "gpkg_")
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class OpenedFile:
    """An uploaded file open in GDAL: its first layer, and our spatial reference for it."""

    source: DataSource
    layer: object
    srs: SpatialReference | None  # built from `epsg`; None: WGS-84 as given
    epsg: int


def file_format(filename: str) -> str:
    """The format an upload's name says (.geojson/.json, .zip, .gpkg, .kml)."""
    fmt = EXTENSIONS.get(Path(filename or "").suffix.lower())
    if fmt is None:
        raise ApplicationError(
            "unsupported_format",
            _("Upload a GeoJSON, a zipped Shapefile, a GeoPackage or a KML file."),
            details={"extensions": sorted(EXTENSIONS)},
        )
    return fmt


def check_size(size: int) -> None:
    limit = geo_setting("UPLOAD_MAX_BYTES")
    if size > limit:
        raise ApplicationError(
            "file_too_large",
            _("The file is larger than %(limit)d bytes.") % {"limit": limit},
            details={"size": size, "limit": limit},
            status=413,
        )
    if size == 0:
        raise ApplicationError("empty_file", _("The file is empty."))


@contextmanager
def gdal_offline():
    """GDAL with nowhere to reach over the network, for the current thread; PROJ's network
    off for the process (it is never needed: the allow-listed systems need no grids)."""
    os.environ["PROJ_NETWORK"] = "OFF"
    _c_function("OSRSetPROJEnableNetwork", None, c_int)(0)
    set_option = _c_function("CPLSetThreadLocalConfigOption", None, c_char_p, c_char_p)
    get_option = _c_function("CPLGetThreadLocalConfigOption", c_char_p, c_char_p, c_char_p)
    before = {key: get_option(key.encode(), None) for key in GDAL_OFFLINE}
    try:
        for key, value in GDAL_OFFLINE.items():
            set_option(key.encode(), value.encode())
        yield
    finally:
        for key, value in before.items():
            set_option(key.encode(), value)


def proj_network_enabled() -> bool:
    return bool(_c_function("OSRGetPROJEnableNetwork", c_int)())


def boundary_file_open(content: bytes, *, fmt: str, workdir: Path) -> OpenedFile:
    """Check the bytes of an uploaded file, write what may be opened into `workdir` (empty,
    ours) and open it with its one driver. Call inside `gdal_offline()`, and read the layer
    there too (GDAL reads features lazily)."""
    check_size(len(content))
    driver, name = FORMATS[fmt]
    target = workdir / name
    epsg: int | None = None
    if fmt == "shapefile":
        epsg = _unpack_shapefile(content, target)
    else:
        if fmt == "geojson":
            epsg = _check_geojson(content)
        elif fmt == "kml":
            content = _check_kml(content)
            epsg = 4326
        target.write_bytes(content)
        if fmt == "gpkg":
            _check_geopackage(target)
    source = _open(target, driver)
    try:
        layer = source[0]
    except (GDALException, IndexError):
        raise _unreadable(_("the file has no layer")) from None
    limit = geo_setting("UPLOAD_MAX_FEATURES")
    count = len(layer)
    if count > limit:
        raise ApplicationError(
            "too_many_features",
            _("The file has %(count)d features; at most %(limit)d may be uploaded at once.")
            % {"count": count, "limit": limit},
            details={"features": count, "limit": limit},
        )
    if epsg is None:  # a GeoPackage, or a GeoJSON without `crs`: what GDAL read
        epsg = epsg_allowed(layer.srs) if layer.srs is not None else 4326
    srs = None if epsg == 4326 else SpatialReference(epsg)
    return OpenedFile(source=source, layer=layer, srs=srs, epsg=epsg)


def _unreadable(reason) -> ApplicationError:
    return ApplicationError(
        "unreadable_file", _("The file cannot be read: %(reason)s") % {"reason": reason}
    )


def _open(path: Path, driver: str) -> DataSource:
    Driver.ensure_registered()  # as DataSource(path) does
    allowed = (c_char_p * 2)(driver.encode(), None)
    try:
        handle = capi.open_ds(
            str(path).encode(), capi.GDAL_OF_READONLY | capi.GDAL_OF_VECTOR, allowed, None, None
        )
    except GDALException:
        raise _unreadable(_("not a valid %(format)s file") % {"format": driver}) from None
    return DataSource(handle, capi.get_dataset_driver(handle))


# --- coordinate systems ----------------------------------------------------------------------
def allowed_epsg_codes() -> tuple[int, ...]:
    return tuple(geo_setting("UPLOAD_ALLOWED_EPSG"))


def _crs_refused(found) -> ApplicationError:
    return ApplicationError(
        "crs_not_allowed",
        _(
            "The file's coordinate system (%(found)s) is not one of those allowed; convert it to "
            "WGS-84 or CGCS2000."
        )
        % {"found": found},
        details={"found": str(found)},
    )


def srs_from_prj(text: str) -> SpatialReference:
    """A `.prj` (or GeoPackage definition) read as plain WKT, or refused (`prj_not_allowed`)."""
    if len(text) > PRJ_MAX_CHARS or not WKT_START.match(text) or WKT_FORBIDDEN.search(text):
        raise ApplicationError(
            "prj_not_allowed",
            _(
                "The coordinate system definition (.prj) is not a plain WKT definition; it may "
                "not name files, addresses, grids or PROJ strings."
            ),
            details={"prj": text[:200]},
        )
    try:
        return SpatialReference(text, srs_type="wkt")
    except (GDALException, ValueError):
        raise _crs_refused(text[:60]) from None


def epsg_allowed(srs: SpatialReference) -> int:
    """The EPSG code `srs` is (named, or matched at full confidence), if allow-listed."""
    code = _epsg_of(srs)
    if code not in allowed_epsg_codes():
        raise _crs_refused(f"EPSG:{code}" if code else srs.name or "?")
    return code


def _c_function(name: str, restype, *argtypes):
    """A ctypes function of libgdal of our own: `lgdal[name]` is a new object each time, so
    Django's prototypes on `lgdal.<name>` stay as they are."""
    function = lgdal[name]
    function.restype, function.argtypes = restype, list(argtypes)
    return function


def _epsg_of(srs: SpatialReference) -> int | None:
    if (srs.auth_name(None) or "").upper() == "EPSG" and srs.srid:
        return srs.srid
    find = _c_function(
        "OSRFindMatches",
        POINTER(c_void_p),
        c_void_p,
        POINTER(c_char_p),
        POINTER(c_int),
        POINTER(POINTER(c_int)),
    )
    authority_name = _c_function("OSRGetAuthorityName", c_char_p, c_void_p, c_char_p)
    authority_code = _c_function("OSRGetAuthorityCode", c_char_p, c_void_p, c_char_p)
    count, confidence = c_int(0), POINTER(c_int)()
    matches = find(srs.ptr, None, byref(count), byref(confidence))
    try:
        for i in range(count.value):
            if confidence[i] < 100:
                continue
            authority = (authority_name(matches[i], None) or b"").decode()
            code = (authority_code(matches[i], None) or b"").decode()
            if authority.upper() == "EPSG" and code.isdigit():
                return int(code)
        return None
    finally:
        if matches:
            _c_function("OSRFreeSRSArray", None, POINTER(c_void_p))(matches)
        if confidence:
            _c_function("VSIFree", None, c_void_p)(confidence)


# --- formats ---------------------------------------------------------------------------------
def _check_geojson(content: bytes) -> int | None:
    """The allow-listed EPSG code a `crs` member names (None: no member, GDAL's reading)."""
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise _unreadable(_("not valid JSON")) from None
    if not isinstance(data, dict) or data.get("type") not in ("FeatureCollection", "Feature"):
        raise _unreadable(_("not a GeoJSON FeatureCollection"))
    features = data.get("features")
    limit = geo_setting("UPLOAD_MAX_FEATURES")
    if isinstance(features, list) and len(features) > limit:
        raise ApplicationError(
            "too_many_features",
            _("The file has %(count)d features; at most %(limit)d may be uploaded at once.")
            % {"count": len(features), "limit": limit},
            details={"features": len(features), "limit": limit},
        )
    if "crs" not in data:
        return None
    crs = data["crs"]
    name = ""
    if isinstance(crs, dict) and crs.get("type") == "name":
        name = str((crs.get("properties") or {}).get("name") or "")
    if name in CRS84_NAMES:
        return 4326
    match = EPSG_NAME.match(name)
    if match is None:
        raise ApplicationError(
            "crs_not_allowed",
            _("A GeoJSON `crs` member may only name an EPSG code."),
            details={"crs": json.dumps(crs)[:200]},
        )
    code = int(match.group(1))
    if code not in allowed_epsg_codes():
        raise _crs_refused(f"EPSG:{code}")
    return code


def _check_kml(content: bytes) -> bytes:
    """The KML without its styles, once nothing in what is left refers to other files."""
    content = _without_styles(content)
    text = content.decode("utf-8", errors="replace")
    found = KML_FORBIDDEN.search(text)
    if found:
        raise ApplicationError(
            "external_reference",
            _("The file refers to other files or addresses (%(what)s); remove them.")
            % {"what": found.group(0)},
            details={"found": found.group(0)},
        )
    if "<kml" not in text[:2000].lower():
        raise _unreadable(_("not a KML document"))
    return content


def _without_styles(content: bytes) -> bytes:
    """The KML without its <Style> and <StyleMap> elements (neither nests in itself; a Style may
    sit inside a StyleMap, never the reverse, so the first opening found ends at its own close).
    One pass: each search starts where the last cut ended, and an element that is never closed
    ends the cutting (what is left is checked as it is)."""
    kept, pos = [], 0
    while (start := KML_STYLE_START.search(content, pos)) is not None:
        tag_end = content.find(b">", start.end())
        if tag_end < 0:
            break
        if content[tag_end - 1 : tag_end] == b"/":
            end = tag_end + 1
        else:
            close = KML_STYLE_END[start.group(1).lower()].search(content, tag_end)
            if close is None:
                break
            end = close.end()
        kept.append(content[pos : start.start()])
        pos = end
    kept.append(content[pos:])
    return b"".join(kept)


def _check_geopackage(path: Path) -> None:
    with path.open("rb") as f:
        if f.read(16) != SQLITE_MAGIC:
            raise _unreadable(_("not a GeoPackage"))
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            objects = db.execute(
                "SELECT type, name, coalesce(sql, '') FROM sqlite_master"
            ).fetchall()
            definitions = [
                row[0]
                for row in db.execute(
                    "SELECT definition FROM gpkg_spatial_ref_sys WHERE srs_id IN "
                    "(SELECT srs_id FROM gpkg_geometry_columns)"
                )
            ]
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise _unreadable(str(exc)) from None
    for kind, name, sql in objects:
        virtual = kind == "table" and sql.upper().startswith("CREATE VIRTUAL TABLE")
        if (
            kind == "view"
            or (virtual and not re.search(r"USING\s+rtree\s*\(", sql, re.I))
            or (kind == "trigger" and not name.lower().startswith(GPKG_TRIGGER_PREFIXES))
        ):
            raise ApplicationError(
                "external_reference",
                _("The GeoPackage holds a %(kind)s (%(name)s) that is not plain data; remove it.")
                % {"kind": "virtual table" if virtual else kind, "name": name},
                details={"kind": kind, "name": name},
            )
    for definition in definitions:
        if definition and definition.strip().lower() != "undefined":
            srs_from_prj(definition)


def _member_refused(info: zipfile.ZipInfo, reason: str) -> ApplicationError:
    return ApplicationError(
        "zip_unsafe_member",
        _("The archive member %(name)s is refused: %(reason)s.")
        % {"name": info.filename, "reason": reason},
        details={"member": info.filename, "reason": reason},
    )


def _check_member(info: zipfile.ZipInfo) -> None:
    name = info.filename
    parts = PurePosixPath(name).parts
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise _member_refused(info, "absolute path")
    if ".." in parts:
        raise _member_refused(info, "parent directory (..)")
    if "\\" in name or "\x00" in name:
        raise _member_refused(info, "backslash or NUL in the name")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _member_refused(info, "symbolic link")
    if info.flag_bits & 0x1:
        raise _member_refused(info, "encrypted")
    ratio = geo_setting("UPLOAD_ZIP_MAX_RATIO")
    if info.file_size > ratio * max(info.compress_size, 1):
        raise _zip_bomb(info, ratio)


def _zip_bomb(info: zipfile.ZipInfo, ratio: float) -> ApplicationError:
    return ApplicationError(
        "zip_ratio_exceeded",
        _("The archive member %(name)s unpacks to more than %(ratio)s times its size.")
        % {"name": info.filename, "ratio": ratio},
        details={"member": info.filename, "limit_ratio": ratio},
    )


def _unpack_shapefile(content: bytes, target: Path) -> int:
    """Writes the Shapefile's parts next to `target` (our names); answers its EPSG code."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _unreadable(_("not a zip archive")) from None
    limit = geo_setting("UPLOAD_ZIP_MAX_MEMBERS")
    if len(members) > limit:
        raise ApplicationError(
            "zip_too_many_members",
            _("The archive has %(count)d members; at most %(limit)d are allowed.")
            % {"count": len(members), "limit": limit},
            details={"members": len(members), "limit": limit},
        )
    for info in members:
        _check_member(info)
    files = [info for info in members if not info.is_dir()]
    shps = [info for info in files if info.filename.lower().endswith(".shp")]
    if len(shps) != 1:
        raise ApplicationError(
            "zip_not_one_shapefile",
            _("The archive must hold exactly one Shapefile (.shp); it holds %(count)d.")
            % {"count": len(shps)},
            details={"shapefiles": [info.filename for info in shps]},
        )
    stem = shps[0].filename[:-4].lower()
    parts = {}
    for info in files:
        base, ext = info.filename[:-4].lower(), info.filename[-4:].lower()
        if base == stem and ext in SHAPEFILE_PARTS | SHAPEFILE_EXTRAS:
            parts[ext] = info
    missing = sorted(SHAPEFILE_PARTS - parts.keys())
    if missing:
        raise ApplicationError(
            "zip_incomplete_shapefile",
            _("The Shapefile lacks its %(parts)s.") % {"parts": ", ".join(missing)},
            details={"missing": missing},
        )
    budget = [geo_setting("UPLOAD_ZIP_MAX_BYTES")]
    ratio = geo_setting("UPLOAD_ZIP_MAX_RATIO")
    epsg = 4326
    for ext, info in sorted(parts.items()):
        data = _read_member(archive, info, budget, ratio)
        if ext == ".prj":
            epsg = epsg_allowed(srs_from_prj(data.decode("utf-8", errors="replace").strip()))
        elif ext == ".cpg":
            encoding = data.decode("ascii", errors="replace").strip()
            if re.fullmatch(r"[A-Za-z0-9_-]{1,32}", encoding):
                target.with_suffix(".cpg").write_text(encoding, encoding="ascii")
        else:
            target.with_suffix(ext).write_bytes(data)
    return epsg


def _read_member(archive, info, budget: list[int], ratio: float) -> bytes:
    """A member's bytes, read in pieces: the total and the ratio are counted as they come."""
    chunks, total = [], 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(64 * 1024):
                total += len(chunk)
                if total > ratio * max(info.compress_size, 1):
                    raise _zip_bomb(info, ratio)
                if total > budget[0]:
                    raise ApplicationError(
                        "zip_too_large",
                        _("The archive unpacks to more than %(limit)d bytes.")
                        % {"limit": geo_setting("UPLOAD_ZIP_MAX_BYTES")},
                        details={"limit": geo_setting("UPLOAD_ZIP_MAX_BYTES")},
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise _unreadable(str(exc)) from None
    budget[0] -= total
    return b"".join(chunks)
