"""Constructed geometry for tests: rectangles given in metres east/north of a local origin.

The test district (code 210000000000 family) lies at 121.0 E, 40.0 N, away from the demo.
"""

from __future__ import annotations

import math

from django.contrib.gis.geos import MultiPolygon, Point, Polygon

from geo import services
from geo.models import Area, ServiceCentre

ORIGIN_LON, ORIGIN_LAT = 121.0, 40.0
_PHI = math.radians(ORIGIN_LAT)
# metres per degree on the WGS-84 ellipsoid at the origin's latitude (standard series)
M_PER_DEG_LAT = 111_132.92 - 559.82 * math.cos(2 * _PHI) + 1.175 * math.cos(4 * _PHI)
M_PER_DEG_LON = 111_412.84 * math.cos(_PHI) - 93.5 * math.cos(3 * _PHI)


def lonlat(x: float, y: float) -> tuple[float, float]:
    return ORIGIN_LON + x / M_PER_DEG_LON, ORIGIN_LAT + y / M_PER_DEG_LAT


def point(x: float, y: float) -> Point:
    return Point(*lonlat(x, y), srid=4326)


def rect(x0: float, y0: float, x1: float, y1: float) -> MultiPolygon:
    ring = [lonlat(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]
    return MultiPolygon(Polygon(ring), srid=4326)


def rect_geojson(x0, y0, x1, y1) -> dict:
    ring = [list(lonlat(x, y)) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]
    return {"type": "Polygon", "coordinates": [ring]}


def build_tree() -> dict[str, Area]:
    """District 2 km × 1 km; one street the same; communities C1 (west half) and C2 (east)."""
    district = services.area_upsert(
        code="210000000000",
        name="测试区",
        level="district",
        kind="district",
        parent=None,
        boundary=rect(0, 0, 2000, 1000),
    )
    street = services.area_upsert(
        code="210000001000",
        name="测试街道",
        level="street",
        kind="street",
        parent=district,
        boundary=rect(0, 0, 2000, 1000),
    )
    c1 = services.area_upsert(
        code="210000001001",
        name="一社区",
        level="community",
        kind="community",
        parent=street,
        boundary=rect(0, 0, 1000, 1000),
    )
    c2 = services.area_upsert(
        code="210000001002",
        name="二村",
        level="community",
        kind="village",
        parent=street,
        boundary=rect(1000, 0, 2000, 1000),
    )
    for i, area in enumerate((district, street, c1, c2)):
        x0, y0, x1, y1 = area.boundary.extent
        ServiceCentre.objects.create(
            area=area,
            name=f"{area.name}中心",
            address=f"{area.name}1号",
            location=Point((x0 + x1) / 2, (y0 + y1) / 2, srid=4326),
            phone=f"0427-100000{i}",
            opening_hours="周一至周五 8:30-17:00",
            acceptance=ServiceCentre.Acceptance.ROTA,
        )
    return {"district": district, "street": street, "c1": c1, "c2": c2}
