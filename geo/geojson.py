"""GeoJSON output of the spatial core's results (RFC 7946), in the crs a client asks for."""

from __future__ import annotations

from core import coords

from .geometry import geojson, geometry_in_crs
from .selectors import Coverage


def coverage_feature_collection(coverage: Coverage, crs: str = coords.WGS84) -> dict:
    """Gaps and overlaps as GeoJSON Features, the figures as a foreign member."""
    features = [
        {
            "type": "Feature",
            "geometry": geojson(geometry_in_crs(gap["geometry"], crs)),
            "properties": {"kind": "gap", "area_m2": gap["area_m2"], "community": gap["community"]},
        }
        for gap in coverage.gaps
    ] + [
        {
            "type": "Feature",
            "geometry": geojson(geometry_in_crs(overlap["geometry"], crs)),
            "properties": {
                "kind": "overlap",
                "area_m2": overlap["area_m2"],
                "grids": overlap["grids"],
            },
        }
        for overlap in coverage.overlaps
    ]
    area = coverage.area
    return {
        "type": "FeatureCollection",
        "features": features,
        "figures": {
            "area": area.code,
            "area_name": area.name,
            "level": area.level,
            "area_m2": coverage.area_m2,
            "uncovered_m2": coverage.uncovered_m2,
            "covered_pct": coverage.covered_pct,
            "communities": coverage.communities,
            "communities_without_grids": coverage.communities_without_grids,
            "grids": coverage.grids,
            "gaps": len(coverage.gaps),
            "overlaps": len(coverage.overlaps),
        },
    }
