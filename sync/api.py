"""`GET /api/v1/sync/?since=<cursor>`: catch up after hours offline."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.schema import error_response
from geo.api.fields import CRS_QUERY_PARAMETER, output_crs

from . import feed, log


class SyncChangeSerializer(serializers.Serializer):
    entity = serializers.CharField(
        help_text="appointment, case, case_event, visit, grid, assignment, notification"
    )
    id = serializers.IntegerField()
    op = serializers.CharField(help_text="upsert (data is the record) or delete (a tombstone)")
    data = serializers.DictField(allow_null=True)


class SyncSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text="Send it back as `since` next time.")
    more = serializers.BooleanField(help_text="More changes wait: ask again at once.")
    changes = SyncChangeSerializer(many=True)


class Sync(APIView):
    @extend_schema(
        tags=["field app"],
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.STR,
                description="The cursor of the last sync; without it, a cursor for now and no "
                "changes (load the lists, then sync from that cursor).",
            ),
            CRS_QUERY_PARAMETER,
        ],
        responses={200: SyncSerializer, 410: error_response(410)},
    )
    def get(self, request):
        """Everything in the requester's scope that changed since the cursor — records as they
        are now, and tombstones for removals and records that left the scope — in commit-safe
        order, a page at a time. A cursor older than the log's retention → 410
        `resync_required`."""
        crs = output_crs(request)
        raw = request.query_params.get("since")
        if not raw:
            return Response({"cursor": str(log.current()), "more": False, "changes": []})
        body = feed.changes_since(
            request.user,
            log.Cursor.parse(raw),
            limit=settings.SYNC["PAGE_SIZE"],
            crs=crs,
        )
        return Response(SyncSerializer(body).data)
