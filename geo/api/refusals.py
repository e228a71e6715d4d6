"""Refusals drawn where they happen, in the client's coordinate system.

The spatial rules (geo.rules, geo.geometry) say where a refusal is in WGS-84: a `location`
[lon, lat], an `overlap` or `line` GeoJSON geometry. An edit sent in gcj02 or bd09 gets those
back in the same system, so a map drawn in that system can mark the place without converting.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from core import coords
from core.errors import ApplicationError

GEOMETRY_KEYS = ("overlap", "line", "geometry")


def _positions(value: Any, crs: str) -> Any:
    if (
        isinstance(value, list)
        and len(value) >= 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value[:2])
    ):
        return [*coords.from_wgs84(value[0], value[1], crs), *value[2:]]
    if isinstance(value, list):
        return [_positions(v, crs) for v in value]
    return value


def details_in_crs(details: Any, crs: str) -> Any:
    """A copy of error details with every location and geometry converted from WGS-84."""
    if crs == coords.WGS84:
        return details
    if isinstance(details, list):
        return [details_in_crs(d, crs) for d in details]
    if not isinstance(details, dict):
        return details
    out = {}
    for key, value in details.items():
        if key == "location":
            out[key] = _positions(value, crs)
        elif key in GEOMETRY_KEYS and isinstance(value, dict) and "coordinates" in value:
            out[key] = {**value, "coordinates": _positions(value["coordinates"], crs)}
        elif key == "current":  # a grid Feature rendered in the crs already
            out[key] = value
        else:
            out[key] = details_in_crs(value, crs)
    return out


@contextmanager
def refusals_in_crs(crs: str):
    """Around a write: its refusal's places come back in the request's `crs`."""
    try:
        yield
    except ApplicationError as exc:
        exc.details = details_in_crs(exc.details, crs)
        raise
