"""GET /api/v1/tiles/{layer}/{z}/{x}/{y}.pbf — Mapbox Vector Tiles made by PostGIS."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from core.api.renderers import ProtobufRenderer, VectorTileRenderer

from ..layers import DEFAULT_FIGURE, FIGURES, LAYERS
from ..selectors import tile_data, tile_ref

MVT = "application/vnd.mapbox-vector-tile"


class TileView(APIView):
    # vector-tile clients ask for either type; the answer is always Mapbox Vector Tile bytes
    renderer_classes = [VectorTileRenderer, ProtobufRenderer]

    @extend_schema(
        tags=["map"],
        operation_id="tiles_retrieve",
        parameters=[
            OpenApiParameter("layer", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(LAYERS)),
            OpenApiParameter("z", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("x", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter("y", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter(
                "figure",
                OpenApiTypes.STR,
                enum=list(FIGURES),
                description=f"grids: the figure in `value` (default {DEFAULT_FIGURE}).",
            ),
        ],
        responses={
            (200, MVT): OpenApiResponse(OpenApiTypes.BINARY, description="A vector tile."),
            204: OpenApiResponse(description="Nothing of this layer in the tile."),
            304: OpenApiResponse(description="The tile has not changed (If-None-Match)."),
        },
    )
    def get(self, request, layer: str, z: str, x: str, y: str):
        """One tile of a map layer, cut to what the requester may see. Layers: `areas` (code,
        name, level), `grids` (code, name, community, agents, open_work, overdue, value),
        `gaps` (community, name, area_m2), `appointments` (kind appointment|case, id,
        tracking_code, status, light), `agents` (id, name, at, accuracy_m, fresh; managers
        and administrators only). Zoom 0–22; grids, appointments and agents from zoom
        10, gaps from 8. Cached per data generation and scope; `ETag` and `If-None-Match`."""
        ref = tile_ref(
            user=request.user,
            layer=layer,
            z=z,
            x=x,
            y=y,
            figure=request.query_params.get("figure"),
        )
        headers = {"ETag": ref.etag, "Cache-Control": "private, no-cache"}
        if ref.etag in _etags(request.headers.get("If-None-Match", "")):
            return HttpResponse(status=304, headers=headers)
        data = tile_data(ref)
        if not data:
            return HttpResponse(status=204, headers=headers)
        return HttpResponse(data, content_type=MVT, headers=headers)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
