"""GET /api/v1/tiles/{layer}/{z}/{x}/{y}.pbf — Mapbox Vector Tiles made by PostGIS."""

from __future__ import annotations

import gzip

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from core.api.renderers import ProtobufRenderer, VectorTileRenderer

from ..layers import DEFAULT_FIGURE, FIGURES, LAYERS
from ..requester import authentication_classes, prefetch_signed_in
from ..selectors import Tile, tile_cached, tile_gzipped, tile_lookup, tile_ref

MVT = "application/vnd.mapbox-vector-tile"
TILE_AUTHENTICATION = authentication_classes()


class TileView(APIView):
    # vector-tile clients ask for either type; the answer is always Mapbox Vector Tile bytes
    renderer_classes = [VectorTileRenderer, ProtobufRenderer]

    def get_authenticators(self):
        """The device token read together with the scope's staff record and the tile's
        generations (and cached bytes) in one statement (tiles/requester.py). The schema names
        the API's own classes: the same header, the same answers."""
        if getattr(self, "swagger_fake_view", False):
            return super().get_authenticators()
        return [auth() for auth in TILE_AUTHENTICATION]

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
        10, gaps from 8. Cached per data generation over the tile and scope; `ETag` and `If-None-Match`;
        gzip-compressed when the client accepts it (`Content-Encoding: gzip`)."""
        prefetched = getattr(request, "tile_prefetched", None) or prefetch_signed_in(
            request, {"layer": layer, "z": z, "x": x, "y": y}
        )
        ref = tile_ref(
            user=request.user,
            layer=layer,
            z=z,
            x=x,
            y=y,
            figure=request.query_params.get("figure"),
        )
        known = _etags(request.headers.get("If-None-Match", ""))
        # a revalidation is usually answered 304: the tile's bytes are not read with its key
        tile = tile_lookup(ref, read_tile=not known, prefetched=prefetched)
        headers = {
            "ETag": tile.etag,
            "Cache-Control": "private, no-cache",
            "Vary": "Accept-Encoding",
        }
        if tile.etag in known:
            return HttpResponse(status=304, headers=headers)
        if known:
            tile = Tile(key=tile.key, gzipped=tile_cached(tile.key))
        headers["X-Tile-Cache"] = "hit" if tile.gzipped is not None else "miss"
        data = tile_gzipped(ref, tile)
        if not data:
            return HttpResponse(status=204, headers=headers)
        if _accepts_gzip(request.headers.get("Accept-Encoding", "")):
            headers["Content-Encoding"] = "gzip"
        else:
            data = gzip.decompress(data)
        return HttpResponse(data, content_type=MVT, headers=headers)


def _accepts_gzip(header: str) -> bool:
    for part in header.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
