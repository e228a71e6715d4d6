"""The people world seen on vector tiles: the tile that holds the whole test district, helpers
to fetch and decode tiles, and appointments, cases and positions placed in it.

The test district (tests/geo/helpers.py) lies at 121.0 E, 40.0 N, 2 km × 1 km: at zoom 13 it
is inside tile 13/6849/3101.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import mapbox_vector_tile

from appointments.models import Appointment
from cases.models import Case
from tests.geo.helpers import lonlat, point

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 14, 10, 0, tzinfo=SH)  # a Wednesday, a working day
Z = 13


def tile_of(x_m: float, y_m: float, z: int = Z) -> tuple[int, int, int]:
    """The slippy-map tile holding the point x_m, y_m metres from the test origin."""
    lon, lat = lonlat(x_m, y_m)
    n = 2**z
    lat_r = math.radians(lat)
    return (
        z,
        int((lon + 180.0) / 360.0 * n),
        int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n),
    )


WORLD_TILE = tile_of(0, 0)
assert WORLD_TILE == tile_of(2000, 1000) == (13, 6849, 3101)


def tile_url(layer: str, z: int, x: int, y: int, **query) -> str:
    url = f"/api/v1/tiles/{layer}/{z}/{x}/{y}.pbf"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def decode(response) -> dict[str, list[dict]]:
    """{layer: [feature properties, …]} of a 200 tile response."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    layers = mapbox_vector_tile.decode(response.content)
    return {name: [f["properties"] for f in layer["features"]] for name, layer in layers.items()}


def by(features: list[dict], key: str) -> dict:
    return {f[key]: f for f in features}


_codes = iter(range(100000, 999999))


def make_appointment(item, *, at, status, agent=None, grid=None, confirm_deadline=None):
    return Appointment.objects.create(
        tracking_code=f"T{next(_codes)}",
        applicant_name="王五",
        applicant_phone="13912345678",
        address="测试地址",
        location=point(*at),
        service_item=item,
        item_version=item.current,
        channel="phone",
        status=status,
        agent=agent,
        grid=grid,
        confirm_deadline=confirm_deadline,
    )


def make_case(item, *, at, responsible, centre, due_date: date, status="accepted"):
    return Case.objects.create(
        tracking_code=f"C{next(_codes)}",
        origin="station_desk",
        centre=centre,
        service_item=item,
        item_version=item.current,
        applicant_name="王五",
        applicant_phone="13912345678",
        location=point(*at) if at else None,
        responsible=responsible,
        opened_by=responsible.user,
        status=status,
        accepted_at=datetime.combine(due_date - timedelta(days=20), datetime.min.time(), SH),
        due_date=due_date,
    )
