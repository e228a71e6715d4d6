"""Geometry input and output at the edge of the system.

Input is GeoJSON (RFC 7946: WGS-84 only, so a `crs` member is refused) plus our own `crs`
choice (wgs84, gcj02, bd09). Coordinates are checked and converted here, in plain Python, and
GEOS objects are built directly, so no spatial-reference string from a request ever reaches
GDAL (see docs/adr/0004). Every refusal is a `GeometryError` with a stable code and a pointer
to where the problem is.

Output geometry is converted back to the crs a client asks for with `?crs=`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import (
    GEOSGeometry,
    LinearRing,
    LineString,
    MultiPolygon,
    Point,
    Polygon,
)
from django.utils.translation import gettext as _

from core import coords
from core.errors import ApplicationError


class GeometryError(ApplicationError):
    """Bad geometry input: status 400, code says which rule."""


POLYGONAL = ("Polygon", "MultiPolygon")


def geo_setting(name: str):
    return settings.GEO[name]


def parse_crs(value: Any) -> str:
    if value in (None, ""):
        return coords.WGS84
    if not isinstance(value, str) or value.lower() not in coords.CRS_CHOICES:
        raise GeometryError(
            "unknown_crs",
            _("Unknown coordinate system %(crs)r; use wgs84, gcj02 or bd09.") % {"crs": value},
            details={"allowed": list(coords.CRS_CHOICES)},
        )
    return value.lower()


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GeometryError(
            "malformed_geometry",
            _("Coordinate at %(path)s is not a number.") % {"path": path},
            details={"path": path},
        )
    number = float(value)
    if not math.isfinite(number):
        raise GeometryError(
            "malformed_geometry",
            _("Coordinate at %(path)s is not a finite number.") % {"path": path},
            details={"path": path},
        )
    return number


def check_lon_lat(lon: float, lat: float, path: str = "coordinates") -> None:
    """Longitude in [-180, 180], latitude in [-90, 90]; hint when the two look swapped."""
    if -180 <= lon <= 180 and -90 <= lat <= 90:
        return
    details: dict[str, Any] = {"path": path, "position": [lon, lat]}
    message = _("Coordinates [%(lon)s, %(lat)s] at %(path)s are out of range.") % {
        "lon": lon,
        "lat": lat,
        "path": path,
    }
    if -90 <= lon <= 90 and -180 <= lat <= 180:
        details["hint"] = "swapped"
        message += " " + _("Longitude and latitude look swapped: GeoJSON is [longitude, latitude].")
    raise GeometryError("coordinates_out_of_range", message, details=details)


def _position(value: Any, path: str, crs: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) not in (2, 3):
        raise GeometryError(
            "malformed_geometry",
            _("Position at %(path)s must be [longitude, latitude].") % {"path": path},
            details={"path": path},
        )
    lon, lat = _number(value[0], f"{path}[0]"), _number(value[1], f"{path}[1]")
    check_lon_lat(lon, lat, path)
    return coords.to_wgs84(lon, lat, crs)


def _spend(budget: list[int], vertices: int) -> None:
    """Counts vertices against the geometry's budget (GEO_MAX_VERTICES)."""
    budget[0] -= vertices
    if budget[0] < 0:
        limit = geo_setting("MAX_VERTICES")
        raise GeometryError(
            "too_many_vertices",
            _("The geometry has more than %(limit)d vertices.") % {"limit": limit},
            details={"limit": limit},
        )


def _ring(value: Any, path: str, crs: str, budget: list[int]) -> LinearRing:
    if not isinstance(value, list) or len(value) < 4:
        raise GeometryError(
            "malformed_geometry",
            _("Ring at %(path)s needs at least 4 positions.") % {"path": path},
            details={"path": path},
        )
    _spend(budget, len(value))
    raw_first, raw_last = value[0], value[-1]
    points = [_position(p, f"{path}[{i}]", crs) for i, p in enumerate(value)]
    if list(raw_first[:2]) != list(raw_last[:2]):
        raise GeometryError(
            "malformed_geometry",
            _("Ring at %(path)s is not closed: its first and last positions differ.")
            % {"path": path},
            details={"path": path},
        )
    points[-1] = points[0]  # identical after conversion too
    return LinearRing(points)


def _line(value: Any, path: str, crs: str, budget: list[int]) -> LineString:
    if not isinstance(value, list) or len(value) < 2:
        raise GeometryError(
            "malformed_geometry",
            _("Line at %(path)s needs at least 2 positions.") % {"path": path},
            details={"path": path},
        )
    _spend(budget, len(value))
    return LineString([_position(p, f"{path}[{i}]", crs) for i, p in enumerate(value)])


def _polygon(value: Any, path: str, crs: str, budget: list[int]) -> Polygon:
    if not isinstance(value, list) or not value:
        raise GeometryError(
            "empty_geometry",
            _("Polygon at %(path)s has no rings.") % {"path": path},
            details={"path": path},
        )
    rings = [_ring(r, f"{path}[{i}]", crs, budget) for i, r in enumerate(value)]
    return Polygon(*rings)


_REASON_LOCATION = re.compile(r"\[\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*\]")


def check_valid(geom: GEOSGeometry, where: str = "geometry") -> None:
    """Refuse invalid geometry (self-intersection, bad ring order …) and say where; never fix."""
    if geom.valid:
        return
    reason = geom.valid_reason
    details: dict[str, Any] = {"reason": reason, "path": where}
    match = _REASON_LOCATION.search(reason)
    if match:
        details["location"] = [float(match.group(1)), float(match.group(2))]
    raise GeometryError(
        "invalid_geometry",
        _("The %(where)s is not a valid geometry: %(reason)s.")
        % {"where": where, "reason": reason},
        details=details,
    )


def parse_geometry(
    value: Any, *, allowed: tuple[str, ...] = POLYGONAL, crs: str = coords.WGS84, field: str = ""
) -> GEOSGeometry:
    """GeoJSON geometry object → valid GEOS geometry in WGS-84 (SRID 4326).

    Polygons are promoted to MultiPolygons when MultiPolygon is allowed, so storage has one type.
    """
    where = field or "geometry"
    if not isinstance(value, dict) or "type" not in value:
        raise GeometryError(
            "malformed_geometry",
            _("The %(where)s must be a GeoJSON geometry object.") % {"where": where},
            details={"path": where},
        )
    if "crs" in value:
        raise GeometryError(
            "crs_member_not_allowed",
            _(
                "GeoJSON geometry must not carry a 'crs' member (RFC 7946 is WGS-84 only); "
                "send the coordinate system in the 'crs' field: wgs84, gcj02 or bd09."
            ),
            details={"path": f"{where}.crs"},
        )
    gtype = value.get("type")
    if gtype not in allowed:
        raise GeometryError(
            "wrong_geometry_type",
            _("The %(where)s must be of type %(allowed)s, not %(got)s.")
            % {"where": where, "allowed": " or ".join(allowed), "got": gtype},
            details={"expected": list(allowed), "got": gtype, "path": where},
        )
    coordinates = value.get("coordinates")
    if coordinates is None or coordinates == []:
        raise GeometryError(
            "empty_geometry",
            _("The %(where)s is empty.") % {"where": where},
            details={"path": where},
        )
    path = f"{where}.coordinates"
    budget = [geo_setting("MAX_VERTICES")]
    if gtype == "Point":
        geom: GEOSGeometry = Point(*_position(coordinates, path, crs))
    elif gtype == "LineString":
        geom = _line(coordinates, path, crs, budget)
    elif gtype == "Polygon":
        geom = _polygon(coordinates, path, crs, budget)
    elif gtype == "MultiPolygon":
        if not isinstance(coordinates, list):
            raise GeometryError(
                "malformed_geometry",
                _("The %(where)s coordinates must be a list of polygons.") % {"where": where},
                details={"path": path},
            )
        geom = MultiPolygon(
            *[_polygon(p, f"{path}[{i}]", crs, budget) for i, p in enumerate(coordinates)]
        )
    else:  # pragma: no cover - `allowed` only ever names the types above
        raise GeometryError("wrong_geometry_type", _("Unsupported geometry type."))
    geom.srid = 4326
    return check_geometry(geom, allowed=allowed, where=where)


def check_geometry(
    geom: GEOSGeometry, *, allowed: tuple[str, ...] = POLYGONAL, where: str = "geometry"
) -> GEOSGeometry:
    """The same rules for geometry that did not come as GeoJSON (files, the admin).

    Returns the geometry in its stored form (Polygon promoted to MultiPolygon when allowed).
    """
    if geom.geom_type not in allowed:
        raise GeometryError(
            "wrong_geometry_type",
            _("The %(where)s must be of type %(allowed)s, not %(got)s.")
            % {"where": where, "allowed": " or ".join(allowed), "got": geom.geom_type},
            details={"expected": list(allowed), "got": geom.geom_type, "path": where},
        )
    if geom.empty:
        raise GeometryError(
            "empty_geometry", _("The %(where)s is empty.") % {"where": where}, {"path": where}
        )
    if geom.num_coords > geo_setting("MAX_VERTICES"):
        limit = geo_setting("MAX_VERTICES")
        raise GeometryError(
            "too_many_vertices",
            _("The geometry has more than %(limit)d vertices.") % {"limit": limit},
            details={"limit": limit, "path": where},
        )
    min_lon, min_lat, max_lon, max_lat = geom.extent
    check_lon_lat(min_lon, min_lat, where)
    check_lon_lat(max_lon, max_lat, where)
    check_valid(geom, where)
    if geom.geom_type == "Polygon" and "MultiPolygon" in allowed:
        geom = MultiPolygon(geom, srid=4326)
    return geom


# what a phone reports as the radius of its fix; beyond this the position says nothing
ACCURACY_MAX_M = 10_000


def check_accuracy(value: float | None, *, details: dict | None = None) -> None:
    """A position's accuracy: metres from 0 to ACCURACY_MAX_M, else 400 `invalid_accuracy`."""
    if value is None:
        return
    if isinstance(value, bool) or not (math.isfinite(value) and 0 <= value <= ACCURACY_MAX_M):
        raise GeometryError(
            "invalid_accuracy",
            _("Accuracy is in metres, 0 to 10,000."),
            details={"field": "accuracy_m", "maximum": ACCURACY_MAX_M, **(details or {})},
        )


def parse_point(value: Any, crs: Any = None, *, field: str = "location") -> Point:
    return parse_geometry(value, allowed=("Point",), crs=parse_crs(crs), field=field)


def point_from_query(params, *, lon_key: str = "lon", lat_key: str = "lat") -> Point:
    """`?lon=&lat=&crs=` → WGS-84 Point, refusing missing or malformed numbers."""
    crs = parse_crs(params.get("crs"))
    values = {}
    for key in (lon_key, lat_key):
        raw = params.get(key)
        if raw in (None, ""):
            raise GeometryError(
                "missing_coordinates",
                _("Query parameters %(lon)s and %(lat)s are required.")
                % {"lon": lon_key, "lat": lat_key},
                details={"missing": key},
            )
        try:
            values[key] = float(raw)
        except ValueError:
            raise GeometryError(
                "malformed_geometry",
                _("Query parameter %(key)s is not a number.") % {"key": key},
                details={"path": key},
            ) from None
        if not math.isfinite(values[key]):
            raise GeometryError(
                "malformed_geometry",
                _("Query parameter %(key)s is not a finite number.") % {"key": key},
                details={"path": key},
            )
    lon, lat = values[lon_key], values[lat_key]
    check_lon_lat(lon, lat, f"{lon_key},{lat_key}")
    return Point(*coords.to_wgs84(lon, lat, crs), srid=4326)


def _convert_nested(value, fn):
    if value and isinstance(value[0], float | int):
        return fn(value[0], value[1])
    return tuple(_convert_nested(v, fn) for v in value)


def _map_vertices(geom: GEOSGeometry, convert) -> GEOSGeometry:
    """A copy of a point or (multi)polygon with `convert(lon, lat)` applied to every vertex."""
    if isinstance(geom, Point):
        return Point(*convert(geom.x, geom.y), srid=geom.srid)
    if isinstance(geom, Polygon):
        return Polygon(*_convert_nested(geom.coords, convert), srid=geom.srid)
    if isinstance(geom, MultiPolygon):
        return MultiPolygon(
            *[Polygon(*_convert_nested(p, convert)) for p in geom.coords], srid=geom.srid
        )
    return GEOSGeometry(geom.wkt, srid=geom.srid)  # other types are not output in another crs


def geometry_in_crs(geom: GEOSGeometry, crs: str) -> GEOSGeometry:
    """A copy of a WGS-84 geometry with coordinates in `crs`, for a client's map SDK."""
    if crs == coords.WGS84 or geom is None:
        return geom
    return _map_vertices(geom, lambda lon, lat: coords.from_wgs84(lon, lat, crs))


def geometry_to_wgs84(geom: GEOSGeometry, crs: str) -> GEOSGeometry:
    """A copy of a polygonal geometry drawn in `crs` (gcj02, bd09) with every vertex in WGS-84.

    For boundary files from Chinese web maps: no spatial reference GDAL knows describes these
    systems, so the file is read as longitude/latitude and each vertex converted here.
    """
    if crs == coords.WGS84:
        return geom
    if not isinstance(geom, Point | Polygon | MultiPolygon):
        raise GeometryError(
            "wrong_geometry_type",
            _("Only points and polygons can be converted from %(crs)s.") % {"crs": crs},
            details={"got": geom.geom_type},
        )
    return _map_vertices(geom, lambda lon, lat: coords.to_wgs84(lon, lat, crs))


def bbox_from_query(raw: str | None, crs: str = coords.WGS84) -> Polygon | None:
    """`bbox=minlon,minlat,maxlon,maxlat` (in `crs`) → a WGS-84 polygon, or None if absent."""
    if raw in (None, ""):
        return None
    parts = raw.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise GeometryError(
            "invalid_bbox",
            _("bbox must be four numbers: min lon, min lat, max lon, max lat."),
            details={"bbox": raw},
        )
    min_lon, min_lat, max_lon, max_lat = values
    check_lon_lat(min_lon, min_lat, "bbox")
    check_lon_lat(max_lon, max_lat, "bbox")
    if min_lon >= max_lon or min_lat >= max_lat:
        raise GeometryError(
            "invalid_bbox",
            _("bbox minimums must be smaller than its maximums."),
            details={"bbox": raw},
        )
    min_lon, min_lat = coords.to_wgs84(min_lon, min_lat, crs)
    max_lon, max_lat = coords.to_wgs84(max_lon, max_lat, crs)
    polygon = Polygon.from_bbox((min_lon, min_lat, max_lon, max_lat))
    polygon.srid = 4326
    return polygon


def geojson(geom: GEOSGeometry) -> dict:
    """A geometry as a GeoJSON geometry object (RFC 7946)."""
    return json.loads(geom.json)
