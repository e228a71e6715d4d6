"""Repair of invalid polygons from boundary files, measured so an operator can trust it.

Boundaries published on the web are quantised (coordinates rounded to a grid), so rings touch
or cross themselves where vertices snapped together, and spikes collapse to lines. PostGIS
repairs them (`ST_MakeValid(…, 'method=structure')`: a ring encloses what it encloses, both
lobes of a bow-tie stay) and only the polygonal parts are kept. The area before is that of the
ring as drawn (lobes drawn against the ring's direction count negative), the area after that of
the repair, both on the geography in m²; a repair that changes a feature's area by more than
`GEO["REPAIR_MAX_AREA_CHANGE_PERCENT"]` is refused, because then the file is broken, not
quantised. See docs/adr/0018-boundary-file-repair.md.

Used by geo.importing only; knows nothing of areas or grids.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry
from django.db import connection
from django.utils.translation import gettext as _

from .geometry import GeometryError, geo_setting

REPAIR_SQL = """
WITH input AS (SELECT ST_GeomFromEWKB(%s) AS drawn),
     repaired AS (
         SELECT drawn, ST_CollectionExtract(ST_MakeValid(drawn, 'method=structure'), 3) AS fixed
         FROM input
     )
SELECT ST_AsBinary(fixed), ST_IsEmpty(fixed),
       ST_Area(drawn::geography), ST_Area(fixed::geography)
FROM repaired
"""


@dataclass(frozen=True)
class BoundaryRepair:
    """What a repair did to one geometry: the reason it was invalid and its area on both sides."""

    reason: str
    area_before_m2: float
    area_after_m2: float

    @property
    def change_m2(self) -> float:
        return self.area_after_m2 - self.area_before_m2

    @property
    def change_percent(self) -> float:
        """Change relative to the area as drawn; infinite when the drawing enclosed nothing."""
        if self.area_before_m2 > 0:
            return 100.0 * abs(self.change_m2) / self.area_before_m2
        return 0.0 if self.area_after_m2 == 0 else math.inf

    def as_dict(self) -> dict:
        percent = self.change_percent
        return {
            "reason": self.reason,
            "area_before_m2": round(self.area_before_m2, 2),
            "area_after_m2": round(self.area_after_m2, 2),
            "change_m2": round(self.change_m2, 2),
            "change_percent": round(percent, 4) if math.isfinite(percent) else None,
        }


def boundary_repair(geom: GEOSGeometry) -> tuple[GEOSGeometry, BoundaryRepair | None]:
    """A valid geometry as it is (and None); an invalid one repaired, with what changed.

    Refuses with `repair_empty` when nothing polygonal is left and with `repair_changes_area`
    when the area changes by more than the tolerance.
    """
    if geom.valid:
        return geom, None
    reason = geom.valid_reason
    with connection.cursor() as cursor:
        cursor.execute(REPAIR_SQL, [bytes(geom.ewkb)])
        wkb, empty, before, after = cursor.fetchone()
    repair = BoundaryRepair(reason=reason, area_before_m2=before or 0.0, area_after_m2=after or 0.0)
    if empty:
        raise GeometryError(
            "repair_empty",
            _("Repairing the boundary (%(reason)s) leaves no polygon.") % {"reason": reason},
            details=repair.as_dict(),
        )
    limit = geo_setting("REPAIR_MAX_AREA_CHANGE_PERCENT")
    if repair.change_percent > limit:
        raise GeometryError(
            "repair_changes_area",
            _(
                "Repairing the boundary (%(reason)s) would change its area from %(before).0f m² "
                "to %(after).0f m², more than the %(limit)s %% allowed; fix the file."
            )
            % {
                "reason": reason,
                "before": repair.area_before_m2,
                "after": repair.area_after_m2,
                "limit": limit,
            },
            details={**repair.as_dict(), "limit_percent": limit},
        )
    fixed = GEOSGeometry(memoryview(wkb), srid=geom.srid)
    return fixed, repair
