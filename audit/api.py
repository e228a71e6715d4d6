"""GET /api/v1/audit/: the audit trail, newest first (administrators and district staff)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .context import AUDITED_TABLES
from .selectors import change_list


class ChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    table = serializers.CharField(source="table_name")
    row = serializers.CharField(source="row_id")
    op = serializers.CharField()
    changes = serializers.JSONField(
        help_text="INSERT: the new row; UPDATE: {column: [old, new]}; DELETE: the old row."
    )
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    actor_username = serializers.CharField(allow_null=True)
    request_id = serializers.CharField(help_text="The X-Request-ID of the request that wrote.")
    context = serializers.JSONField(help_text='e.g. {"method", "path"} or {"task", "task_id"}.')
    txid = serializers.IntegerField(help_text="Changes with the same txid were one transaction.")


class ChangeList(APIView):
    @extend_schema(
        tags=["audit"],
        parameters=[
            OpenApiParameter("table", OpenApiTypes.STR, enum=list(AUDITED_TABLES)),
            OpenApiParameter("row", OpenApiTypes.STR, description="Row id; needs `table`."),
        ],
        responses={200: ChangeSerializer(many=True)},
    )
    def get(self, request):
        """Recorded changes (at most 500), newest first: administrators and district staff."""
        rows = change_list(
            user=request.user,
            table=request.query_params.get("table", ""),
            row=request.query_params.get("row", ""),
        )
        return Response(ChangeSerializer(rows, many=True).data)
