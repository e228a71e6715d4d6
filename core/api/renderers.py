"""Renderers for views that answer bytes of one media type (PDFs, vector tiles).

Content negotiation then works as clients expect: `Accept: application/pdf`, `*/*` and a
browser's Accept header get the bytes; a client that accepts only something else (say
`application/json`) gets 406 `not_acceptable`. The view returns its bytes itself; the renderer
only serves negotiation and writes the view's errors (404, 429, …) in the one JSON error shape.
"""

from __future__ import annotations

import json

from rest_framework.renderers import BaseRenderer


class BinaryRenderer(BaseRenderer):
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or isinstance(data, bytes | bytearray):
            return data or b""
        # an error raised before the view had bytes to send: the error shape, as JSON
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False).encode()


class PDFRenderer(BinaryRenderer):
    media_type = "application/pdf"
    format = "pdf"


class VectorTileRenderer(BinaryRenderer):
    media_type = "application/vnd.mapbox-vector-tile"
    format = "pbf"


class ProtobufRenderer(BinaryRenderer):
    """The generic protobuf type some map clients (older Mapbox/MapLibre setups) ask for."""

    media_type = "application/x-protobuf"
    format = "pbf"
