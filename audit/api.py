"""GET /api/v1/audit/: the audit trail, newest first; GET /api/v1/audit/resident-id-reads/: who
read whose full ID number (administrators and district staff)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import CURSOR_PARAMETERS, cursor_page, cursor_page_of
from core.api.privacy import NO_STORE, no_store

from .context import AUDITED_TABLES
from .id_reads import resident_id_reads
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
        return Response(ChangeSerializer(rows, many=True).data, headers=NO_STORE)


class ResidentIdReadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    reader = serializers.IntegerField(source="reader_id")
    reader_username = serializers.CharField(source="reader.username")
    appointment = serializers.IntegerField(source="appointment_id", allow_null=True)
    case = serializers.IntegerField(source="case_id", allow_null=True)
    tracking_code = serializers.SerializerMethodField()
    resident_id_masked = serializers.SerializerMethodField()
    purpose = serializers.CharField()

    def _subject(self, read):
        return read.case if read.case_id else read.appointment

    def get_tracking_code(self, read) -> str:
        return self._subject(read).tracking_code

    def get_resident_id_masked(self, read) -> str:
        return self._subject(read).resident_id_masked


class ResidentIdReadList(APIView):
    @extend_schema(
        tags=["audit"],
        operation_id="audit_resident_id_reads_list",
        parameters=[
            OpenApiParameter(
                "person",
                OpenApiTypes.STR,
                description="The person's resident ID number, or its look-up hash (64 hex).",
            ),
            OpenApiParameter("reader", OpenApiTypes.STR, description="The reader's username."),
            OpenApiParameter(
                "from", OpenApiTypes.STR, description="Date (from its start) or date and time."
            ),
            OpenApiParameter(
                "to", OpenApiTypes.STR, description="Date (to its end) or date and time."
            ),
            *CURSOR_PARAMETERS,
        ],
        responses={200: cursor_page_of(ResidentIdReadSerializer)},
    )
    def get(self, request):
        """Reads of full resident ID numbers, newest first: administrators and district staff
        (404 for everyone else). Bad filters answer 400 with their code."""
        rows = resident_id_reads(user=request.user, params=request.query_params)
        return no_store(cursor_page(request, self, rows, ResidentIdReadSerializer, {}))
