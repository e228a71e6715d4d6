"""Chinese map coordinate systems: WGS-84 ⇄ GCJ-02 (国测局, AMap/Tencent) ⇄ BD-09 (Baidu).

Phones using Chinese map SDKs report GCJ-02 or BD-09, offset from WGS-84 by hundreds of metres.
Storage is WGS-84, so input is converted here before it reaches the database, and output is
converted back when a client asks for `?crs=gcj02|bd09`.

The forward transforms are the published public formulas. GCJ-02 has no closed-form inverse:
the common one-step inverse (subtract the offset computed at the GCJ point) is off by metres,
so `to_wgs84` refines it iteratively (as prcoords' "bored" inverse does) until the forward
transform lands within ~1e-9 degrees (sub-millimetre) of the input.

Pure Python, no Django: every layer may use it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

WGS84 = "wgs84"
GCJ02 = "gcj02"
BD09 = "bd09"
CRS_CHOICES = (WGS84, GCJ02, BD09)

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
_BD_DLON = 0.0065
_BD_DLAT = 0.0060
_INVERSE_EPSILON = 1e-10
_INVERSE_MAX_STEPS = 30


def in_china(lon: float, lat: float) -> bool:
    """The rough bounding box inside which the GCJ-02 offset is applied (as every SDK does)."""
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def _offset_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _offset_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if not in_china(lon, lat):
        return lon, lat
    dlat = _offset_lat(lon - 105.0, lat - 35.0)
    dlon = _offset_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + _BD_DLON, z * math.sin(theta) + _BD_DLAT


def _bd09_to_gcj02_approx(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - _BD_DLON, lat - _BD_DLAT
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def _gcj02_to_wgs84_one_step(lon: float, lat: float) -> tuple[float, float]:
    """The common approximation: metres off. Kept as the starting guess and for comparison."""
    glon, glat = wgs84_to_gcj02(lon, lat)
    return lon - (glon - lon), lat - (glat - lat)


def _invert(
    forward: Callable[[float, float], tuple[float, float]],
    start: tuple[float, float],
    target: tuple[float, float],
) -> tuple[float, float]:
    """Fixed-point refinement: move the guess by the forward transform's miss, until it lands."""
    lon, lat = start
    for _ in range(_INVERSE_MAX_STEPS):
        flon, flat = forward(lon, lat)
        dlon, dlat = flon - target[0], flat - target[1]
        if abs(dlon) < _INVERSE_EPSILON and abs(dlat) < _INVERSE_EPSILON:
            break
        lon, lat = lon - dlon, lat - dlat
    return lon, lat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    if not in_china(lon, lat):
        return lon, lat
    return _invert(wgs84_to_gcj02, _gcj02_to_wgs84_one_step(lon, lat), (lon, lat))


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    return _invert(gcj02_to_bd09, _bd09_to_gcj02_approx(lon, lat), (lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


_TO_WGS84 = {WGS84: lambda lon, lat: (lon, lat), GCJ02: gcj02_to_wgs84, BD09: bd09_to_wgs84}
_FROM_WGS84 = {WGS84: lambda lon, lat: (lon, lat), GCJ02: wgs84_to_gcj02, BD09: wgs84_to_bd09}


def to_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """Convert a point given in `crs` to WGS-84 (KeyError for an unknown crs)."""
    return _TO_WGS84[crs](lon, lat)


def from_wgs84(lon: float, lat: float, crs: str) -> tuple[float, float]:
    """Convert a WGS-84 point to `crs` for a client drawing on a Chinese map."""
    return _FROM_WGS84[crs](lon, lat)
