"""Attachments over HTTP: upload to a case or a visit (multipart), list them, read one's record,
and fetch the stored copy — streamed through Django to those who see the case or visit, never
from a public media URL."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import FileResponse, HttpResponseNotModified
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.input import validated
from core.api.parsers import MultiPartParser
from core.errors import NotFound

from .. import selectors, services
from ..models import Attachment
from . import serializers as s

logger = logging.getLogger(__name__)

# room for the multipart framing and the small fields around the file in a request body
MULTIPART_SLACK_BYTES = 16 * 1024


class _SubjectAttachments(APIView):
    """Attachments of one case or one visit: GET lists them, POST adds one."""

    parser_classes = [MultiPartParser]
    subject = ""  # "case" or "visit"

    def initial(self, request, *args, **kwargs):
        # A body that announces more than the cap is refused before anything reads it (session
        # authentication's CSRF check would otherwise parse the whole multipart body first).
        if request.method == "POST":
            limit = settings.ATTACHMENTS["MAX_BYTES"]
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit + MULTIPART_SLACK_BYTES:
                raise services.too_large(limit, length)
        super().initial(request, *args, **kwargs)

    def _check_visible(self, request, pk: int) -> None:
        """Out of scope answers 404 before anything else (the body is not even parsed)."""
        if self.subject == "case":
            selectors.visible_case(request.user, pk)
        else:
            selectors.visible_visit(request.user, pk)

    def _list(self, request, pk: int) -> Response:
        self._check_visible(request, pk)
        rows = selectors.attachments_for(request.user).filter(**{self.subject: pk})
        return Response(s.AttachmentSerializer(rows, many=True).data)

    def _upload(self, request, pk: int) -> Response:
        self._check_visible(request, pk)
        data = validated(s.AttachmentInput, request.data)
        attachment, created = services.attachment_upload(
            actor=request.user,
            upload=services.Upload(
                file=data["file"],
                kind=data["kind"],
                client_uuid=data.get("client_uuid"),
                note=data.get("note", ""),
            ),
            **{f"{self.subject}_id": pk},
        )
        return Response(
            s.AttachmentSerializer(attachment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


UPLOAD_DOC = (
    "Photos: JPEG, PNG or HEIC, recognised from the bytes (the file name does not count). "
    "Stored is a clean copy: turned upright, with no EXIF, GPS or XMP; a HEIC photo is stored "
    "as JPEG. Refusals: `file_too_large` (413), `unsupported_file_type`, `invalid_image`, "
    "`image_too_large` (pixels). The same upload sent again with its `client_uuid` by the same "
    "user returns the first attachment (200); another file, kind, note or subject with it, 422 "
    "`client_uuid_reused`; by someone else, 409 `client_uuid_taken`."
)


class CaseAttachments(_SubjectAttachments):
    subject = "case"

    @extend_schema(tags=["attachments"], responses={200: s.AttachmentSerializer(many=True)})
    def get(self, request, pk: int):
        """Attachments of a case the requester sees, oldest first."""
        return self._list(request, pk)

    @extend_schema(
        tags=["attachments"],
        request={"multipart/form-data": s.AttachmentInput},
        responses={201: s.AttachmentSerializer, 200: s.AttachmentSerializer},
        description=UPLOAD_DOC,
    )
    def post(self, request, pk: int):
        """Add a photo to a case: whoever may act on it (its agent's side or its approval
        window's side); supervisors only read (403)."""
        return self._upload(request, pk)


class VisitAttachments(_SubjectAttachments):
    subject = "visit"

    @extend_schema(tags=["attachments"], responses={200: s.AttachmentSerializer(many=True)})
    def get(self, request, pk: int):
        """Attachments of a visit the requester sees, oldest first."""
        return self._list(request, pk)

    @extend_schema(
        tags=["attachments"],
        request={"multipart/form-data": s.AttachmentInput},
        responses={201: s.AttachmentSerializer, 200: s.AttachmentSerializer},
        description=UPLOAD_DOC,
    )
    def post(self, request, pk: int):
        """Add a photo to a visit: its agent or a manager of the agent's station."""
        return self._upload(request, pk)


class AttachmentDetail(APIView):
    @extend_schema(tags=["attachments"], responses={200: s.AttachmentSerializer})
    def get(self, request, pk: int):
        """One attachment's record, for those who see its case or visit."""
        return Response(s.AttachmentSerializer(selectors.visible_attachment(request.user, pk)).data)


class AttachmentFile(APIView):
    def perform_content_negotiation(self, request, force=False):
        # the bytes are an image whatever the Accept header says; errors still answer JSON
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=["attachments"],
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request, pk: int):
        """The stored copy, for those who see its case or visit. Private to the requester's
        device cache; the ETag is its SHA-256."""
        attachment: Attachment = selectors.visible_attachment(request.user, pk)
        etag = f'"{attachment.sha256}"'
        headers = {"ETag": etag, "Cache-Control": "private"}
        if etag in request.headers.get("If-None-Match", ""):
            response = HttpResponseNotModified()
        else:
            try:
                handle = attachment.file.storage.open(attachment.file.name, "rb")
            except FileNotFoundError as exc:
                logger.error("Attachment %s: stored file %s is missing", pk, attachment.file.name)
                raise NotFound(
                    "attachment_file_missing", _("The attachment's file is missing.")
                ) from exc
            extension = attachment.file.name.rsplit(".", 1)[-1]
            response = FileResponse(
                handle, content_type=attachment.content_type, filename=f"{pk}.{extension}"
            )
        for name, value in headers.items():
            response[name] = value
        return response
