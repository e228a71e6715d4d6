"""API pieces for geometry that every app's endpoints share: output in the requested crs."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework_gis.fields import GeometryField
from rest_framework_gis.pagination import GeoJsonPagination

from core import coords
from core.api.pagination import StrictPageNumber

from ..geometry import geometry_in_crs, parse_crs

CRS_QUERY_PARAMETER = OpenApiParameter(
    "crs",
    OpenApiTypes.STR,
    enum=list(coords.CRS_CHOICES),
    description="Coordinate system of the geometry in the response (default wgs84). "
    "gcj02 for AMap/Tencent maps, bd09 for Baidu maps.",
)


def output_crs(request) -> str:
    """The `?crs=` a client asked for (refusing unknown values with `unknown_crs`)."""
    return parse_crs(request.query_params.get("crs")) if request is not None else coords.WGS84


@extend_schema_field(
    {
        "type": "object",
        "description": "GeoJSON geometry (RFC 7946), in the crs asked for with ?crs=.",
        "properties": {
            "type": {"type": "string"},
            "coordinates": {"type": "array", "items": {}},
        },
    }
)
class CrsGeometryField(GeometryField):
    """GeoJSON output converted to the `crs` in the serializer context (WGS-84 by default)."""

    def to_representation(self, value):
        crs = self.context.get("crs", coords.WGS84)
        if value is not None and not isinstance(value, dict):
            value = geometry_in_crs(value, crs)
        return super().to_representation(value)


class FeaturePagination(StrictPageNumber, GeoJsonPagination):
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_paginated_response_schema(self, schema):
        """The page as sent: the FeatureCollection of the list plus count/next/previous."""
        return {
            "allOf": [
                schema,
                {
                    "type": "object",
                    "required": ["type", "count", "features"],
                    "properties": {
                        "count": {"type": "integer"},
                        "next": {"type": "string", "format": "uri", "nullable": True},
                        "previous": {"type": "string", "format": "uri", "nullable": True},
                    },
                },
            ]
        }
