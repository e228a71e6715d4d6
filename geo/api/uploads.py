"""Boundary files from the browser under /api/v1/boundary-uploads/ (geo.uploads): upload, read
the preview the worker made, preview again with other options, apply. Thin: parse, call,
render."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import coords
from core.api.input import validated
from core.api.parsers import JSONParser, MultiPartParser

from .. import uploads
from ..geometry import geo_setting
from ..importing import LEVELS
from ..models import BoundaryUpload
from ..upload_files import MULTIPART_SLACK_BYTES, check_size

REFUSALS = (
    "Refusals of the request: `permission_denied` (403: district centre staff and "
    "administrators only), `file_too_large` (413), `empty_file`, `unsupported_format`, "
    "`invalid_level`, `unknown_area` (404). The file itself is read by a worker; its refusals "
    "(`unreadable_file`, `zip_unsafe_member`, `zip_ratio_exceeded`, `zip_too_many_members`, "
    "`zip_too_large`, `zip_not_one_shapefile`, `zip_incomplete_shapefile`, `prj_not_allowed`, "
    "`crs_not_allowed`, `external_reference`, `too_many_features`, `source_crs_conflict`) "
    "arrive in the status's `error`, and each refused feature's in the preview."
)


class UploadInput(serializers.Serializer):
    file = serializers.FileField(help_text=".geojson/.json, a zipped Shapefile, .gpkg or .kml")
    # a plain string (the service refuses others with `invalid_level`): a "level" enum here
    # would rename the schema's other "level" enums
    level = serializers.CharField(max_length=16, help_text=" | ".join(LEVELS))
    parent = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=12,
        help_text="Division code of the parent of every feature (else each feature's "
        "parent_code field).",
    )
    make_valid = serializers.BooleanField(required=False, default=False)
    source_crs = serializers.ChoiceField(
        choices=coords.CRS_CHOICES, required=False, default=coords.WGS84
    )


class PreviewInput(serializers.Serializer):
    make_valid = serializers.BooleanField(required=False, default=False)
    source_crs = serializers.ChoiceField(
        choices=coords.CRS_CHOICES, required=False, default=coords.WGS84
    )
    parent = serializers.CharField(required=False, allow_blank=True, max_length=12)


class UploadStatus(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    filename = serializers.CharField()
    format = serializers.CharField()
    size = serializers.IntegerField()
    level = serializers.CharField()
    parent = serializers.CharField(source="parent_code")
    make_valid = serializers.BooleanField()
    source_crs = serializers.CharField()
    status = serializers.ChoiceField(choices=BoundaryUpload.Status.choices)
    error = serializers.JSONField(
        allow_null=True, help_text="{code, message, details}: why the whole file is refused"
    )
    result = serializers.JSONField(
        allow_null=True,
        help_text="The preview: counts, source_srs, epsg, created/updated codes and `preview`, a "
        "GeoJSON FeatureCollection of every feature (WGS-84) with status accepted/refused, "
        "error code, message, details (location) and repair.",
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    applied_at = serializers.DateTimeField(allow_null=True)


def _render(upload, code=status.HTTP_200_OK) -> Response:
    upload.url = reverse("geo:boundary-upload-detail", kwargs={"pk": upload.pk})
    return Response(UploadStatus(upload).data, status=code)


class BoundaryUploadList(APIView):
    parser_classes = [MultiPartParser]

    def initial(self, request, *args, **kwargs):
        # refused before anything reads the body (session authentication's CSRF check would
        # parse the whole multipart body first)
        if request.method == "POST":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > geo_setting("UPLOAD_MAX_BYTES") + MULTIPART_SLACK_BYTES:
                check_size(length)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        tags=["boundary uploads"],
        request={"multipart/form-data": UploadInput},
        responses={202: UploadStatus},
        description=REFUSALS,
    )
    def post(self, request):
        """Upload a boundary file for a level; a worker reads it and makes the preview (poll
        the answer's `url`). Nothing is saved until it is applied."""
        uploads.require_importer(request.user)
        data = validated(UploadInput, request.data)
        upload = uploads.boundary_upload_create(
            actor=request.user,
            file=data["file"],
            level=data["level"],
            parent_code=data["parent"],
            make_valid=data["make_valid"],
            source_crs=data["source_crs"],
        )
        return _render(upload, status.HTTP_202_ACCEPTED)


class BoundaryUploadDetail(APIView):
    @extend_schema(
        tags=["boundary uploads"],
        responses={200: UploadStatus, 404: OpenApiResponse(description="unknown_upload")},
    )
    def get(self, request, pk: str):
        """The upload's status and, once read, its preview (the uploader's own only)."""
        return _render(uploads.boundary_upload_get(actor=request.user, upload_id=pk))


class BoundaryUploadPreview(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["boundary uploads"],
        request=PreviewInput,
        responses={202: UploadStatus},
        description="409 `upload_not_ready` while it is being read or applied, or once applied.",
    )
    def post(self, request, pk: str):
        """Read the same file again with other options (repair, source CRS, parent)."""
        data = validated(PreviewInput, request.data)
        upload = uploads.boundary_upload_repreview(
            actor=request.user,
            upload_id=pk,
            make_valid=data["make_valid"],
            source_crs=data["source_crs"],
            parent_code=data.get("parent"),
        )
        return _render(upload, status.HTTP_202_ACCEPTED)


class BoundaryUploadApply(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["boundary uploads"],
        request=None,
        responses={202: UploadStatus},
        description="409 `preview_has_refusals` while any feature is refused; 409 "
        "`upload_not_ready` unless a preview is ready. A worker imports the file all or "
        "nothing through the import command's code; poll the status for `applied`.",
    )
    def post(self, request, pk: str):
        """Apply a previewed file whose every feature is accepted."""
        upload = uploads.boundary_upload_apply(actor=request.user, upload_id=pk)
        return _render(upload, status.HTTP_202_ACCEPTED)
