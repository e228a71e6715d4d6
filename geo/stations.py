"""Finding a resident's station (便民服务站): the community/village stations near a point, and
the stations an address names. Public reads (the residents' pages use them; nothing personal).

Nearest by the indexed `<->` operator on the stations' locations, then exact metres on the
spheroid for the short list (as `selectors` does for grids). Imports only this app.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Distance, GeometryDistance
from django.contrib.gis.geos import Point
from django.db.models import F, Q, Value
from django.db.models.functions import StrIndex

from .models import Area, ServiceCentre
from .selectors import area_chain_for_point

NEAR_LIMIT = 3
MATCH_LIMIT = 5
QUERY_MAX = 100


@dataclass(frozen=True)
class StationNear:
    centre: ServiceCentre
    distance_m: float
    serves_point: bool  # the station of the community the point lies in


def _stations():
    return ServiceCentre.objects.filter(area__level=Area.Level.COMMUNITY).select_related("area")


def stations_near(point: Point, *, limit: int = NEAR_LIMIT) -> list[StationNear]:
    """The stations nearest a WGS-84 point, nearest first; the station of the community the
    point lies in comes first whatever its distance (it is the one that serves the home)."""
    chain = area_chain_for_point(point)
    home = chain[-1].pk if chain and chain[-1].level == Area.Level.COMMUNITY else None
    near = list(
        _stations()
        .annotate(distance=Distance("location", point))
        .order_by(GeometryDistance("location", point))[:limit]
    )
    if home is not None and all(c.area_id != home for c in near):
        near = [
            *_stations().filter(area_id=home).annotate(distance=Distance("location", point)),
            *near,
        ][:limit]
    found = [StationNear(c, round(c.distance.m), c.area_id == home) for c in near]
    return sorted(found, key=lambda s: (not s.serves_point, s.distance_m))


def stations_matching(text: str, *, limit: int = MATCH_LIMIT) -> list[ServiceCentre]:
    """Stations an address names: its community or village named in the text ("胜利街道旌旗社区
    3 号楼" names 旌旗社区), or the station's name or address containing the text."""
    text = " ".join(str(text or "").split())[:QUERY_MAX]
    if not text:
        return []
    return list(
        _stations()
        .annotate(named=StrIndex(Value(text), F("area__name")))
        .filter(Q(named__gt=0) | Q(name__icontains=text) | Q(address__icontains=text))
        .order_by("area__code")[:limit]
    )
