"""Supervision over HTTP: figures (JSON, CSV, XLSX), assessment schemes and scores, notice
rules, the review of notices and their public list, inspections with photos.

Views parse the query or body, call one selector or service, render. Out of scope answers 404
with the `unknown_*` code, in scope without the right 403 `permission_denied`.
"""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.deadlines import today
from core.api.input import validated
from core.api.parsers import MultiPartParser
from core.errors import ApplicationError, NotFound

from .. import assessment, checklist, exports, selectors, services
from ..access import defines, reach_for, require_definer, supervisory_reach, visible_centre
from ..figures import LEVELS
from ..models import AssessmentScheme, Notice, NoticeRule
from ..periods import parse_span
from . import serializers as s

LIST_LIMIT = 500


class _FileRenderer(BaseRenderer):
    """Lets `?format=csv|xlsx` through content negotiation; the view builds the bytes."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class CSVRenderer(_FileRenderer):
    media_type = exports.CSV_TYPE
    format = "csv"
    charset = "utf-8"


class XLSXRenderer(_FileRenderer):
    media_type = exports.XLSX_TYPE
    format = "xlsx"
    charset = None


def _as_dict(table: selectors.Table) -> dict:
    return {
        "level": table.level,
        "area": table.area.code if table.area else None,
        "from": table.period.first.isoformat(),
        "to": table.period.last.isoformat(),
        "order": table.order,
        "figures": [{"key": f.key, "label": f.label, "suffix": f.suffix} for f in table.figures],
        "results": [
            {"unit": row.unit.as_dict(), "rank": row.rank, "figures": row.values}
            for row in table.rows
        ],
    }


class StatsView(APIView):
    renderer_classes = [JSONRenderer, CSVRenderer, XLSXRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        # errors answer JSON whatever format was asked for
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        tags=["supervision"],
        parameters=[
            OpenApiParameter("level", OpenApiTypes.STR, enum=list(LEVELS), required=True),
            OpenApiParameter("area", OpenApiTypes.STR, description="Division code (6–12 digits)."),
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="First day (default: 1st of this month)."
            ),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, description="Last day, included (default: today)."
            ),
            OpenApiParameter("order", OpenApiTypes.STR, description="A figure key: ranked list."),
            OpenApiParameter("direction", OpenApiTypes.STR, enum=["desc", "asc"]),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv", "xlsx"]),
        ],
        responses={
            200: s.StatsSerializer,
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, exports.XLSX_TYPE): OpenApiTypes.BINARY,
        },
    )
    def get(self, request):
        """The supervision figures per unit of a level over a period (computed in the
        database), ranked by a figure when `order` is given; `format=csv|xlsx` for a sheet with
        Chinese headers. Agents read their own figures only."""
        q = request.query_params
        direction = q.get("direction", "desc")
        if direction not in ("asc", "desc"):
            raise ApplicationError(
                "invalid_direction",
                _("direction is asc or desc."),
                details={"field": "direction"},
            )
        day = today()
        table = selectors.stats(
            user=request.user,
            level=q.get("level", ""),
            area_code=q.get("area") or None,
            period=parse_span(q.get("from"), q.get("to"), today=day),
            today=day,
            order=q.get("order") or None,
            descending=direction == "desc",
        )
        wanted = getattr(request.accepted_renderer, "format", "json")
        if wanted == "csv":
            return _download(exports.as_csv(table), "text/csv; charset=utf-8", table, "csv")
        if wanted == "xlsx":
            return _download(exports.as_xlsx(table), exports.XLSX_TYPE, table, "xlsx")
        return Response(_as_dict(table))


def _download(body: bytes, content_type: str, table, extension: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(table, extension)}"'
    return response


# --- assessment ----------------------------------------------------------------------------------


class SchemeList(APIView):
    @extend_schema(tags=["supervision"], responses={200: s.SchemeSerializer(many=True)})
    def get(self, request):
        """Assessment schemes, every version; drafts for those who define schemes only."""
        reach_for(request.user)  # whoever reads figures reads the schemes
        rows = AssessmentScheme.objects.prefetch_related("indicators")
        if not defines(request.user):
            rows = rows.filter(published_at__isnull=False)
        return Response(s.SchemeSerializer(rows[:LIST_LIMIT], many=True).data)

    @extend_schema(tags=["supervision"], request=s.SchemeInput, responses={201: s.SchemeSerializer})
    def post(self, request):
        """A new scheme version (a draft) with its weighted indicators: district staff and
        administrators. The same code again makes the next version."""
        require_definer(request.user, _("define assessment schemes"))
        data = validated(s.SchemeInput, request.data)
        scheme = services.scheme_create(actor=request.user, **data)
        return Response(s.SchemeSerializer(scheme).data, status=status.HTTP_201_CREATED)


class SchemePublish(APIView):
    @extend_schema(tags=["supervision"], request=None, responses={200: s.SchemeSerializer})
    def post(self, request, pk: int):
        """Freeze a draft and make it the active version of its code."""
        scheme = services.scheme_publish(actor=request.user, scheme_id=pk)
        return Response(s.SchemeSerializer(scheme).data)


class AssessmentView(APIView):
    @extend_schema(
        tags=["supervision"],
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                required=True,
                description="2026-10, 2026-Q4 or 2026, as the scheme counts.",
            ),
            OpenApiParameter(
                "version", OpenApiTypes.INT, description="Default: the active version."
            ),
        ],
        responses={200: s.AssessmentSerializer},
    )
    def get(self, request, code: str):
        """考核: each unit's score and rank under a scheme for a period, with every indicator's
        value, normalised score, weight and contribution (the contributions add up to the
        score). Ranks are among all units of the level; the requester sees the units in their
        reach."""
        version = request.query_params.get("version")
        if version is not None and not version.isdigit():
            raise ApplicationError(
                "invalid_version", _("version is a whole number."), details={"field": "version"}
            )
        result = assessment.assess(
            user=request.user,
            code=code,
            period_label=request.query_params.get("period", ""),
            today=today(),
            version=int(version) if version else None,
        )
        return Response(
            {
                "scheme": s.SchemeSerializer(result.scheme).data,
                "period": result.period.label,
                "from": result.period.first.isoformat(),
                "to": result.period.last.isoformat(),
                "results": s.UnitScoreSerializer(result.results, many=True).data,
            }
        )


# --- notices ------------------------------------------------------------------------------------


class NoticeRuleList(APIView):
    @extend_schema(tags=["supervision"], responses={200: s.NoticeRuleSerializer(many=True)})
    def get(self, request):
        """The rules that propose lagging-unit notices."""
        supervisory_reach(request.user)  # who reads notices reads their rules (not agents)
        return Response(s.NoticeRuleSerializer(NoticeRule.objects.all(), many=True).data)

    @extend_schema(
        tags=["supervision"], request=s.NoticeRuleInput, responses={201: s.NoticeRuleSerializer}
    )
    def post(self, request):
        """A rule: a figure (or a built-in check) compared with a threshold, per unit of a
        level, per period. District staff and administrators."""
        require_definer(request.user, _("define notice rules"))
        data = validated(s.NoticeRuleInput, request.data)
        rule = services.notice_rule_create(actor=request.user, **data)
        return Response(s.NoticeRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class NoticeList(APIView):
    @extend_schema(
        tags=["supervision"],
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=list(Notice.Status.values))],
        responses={200: s.SupervisionNoticeSerializer(many=True)},
    )
    def get(self, request):
        """Notices about the units the requester supervises, proposed ones included."""
        rows = selectors.notices_for(request.user)
        if value := request.query_params.get("status"):
            if value not in Notice.Status.values:
                raise ApplicationError(
                    "invalid_status",
                    _("Unknown status %(status)r.") % {"status": value},
                    details={"allowed": list(Notice.Status.values)},
                )
            rows = rows.filter(status=value)
        return Response(s.SupervisionNoticeSerializer(rows[:LIST_LIMIT], many=True).data)


class NoticeDetail(APIView):
    @extend_schema(tags=["supervision"], responses={200: s.SupervisionNoticeSerializer})
    def get(self, request, pk: int):
        return Response(
            s.SupervisionNoticeSerializer(selectors.visible_notice(request.user, pk)).data
        )


class NoticeIssue(APIView):
    @extend_schema(
        tags=["supervision"],
        request=s.NoticeIssueInput,
        responses={200: s.SupervisionNoticeSerializer},
    )
    def post(self, request, pk: int):
        """Issue a proposed notice (通报): it becomes public. District staff, administrators."""
        selectors.visible_notice(request.user, pk)
        data = validated(s.NoticeIssueInput, request.data)
        notice = services.notice_issue(actor=request.user, notice_id=pk, **data)
        return Response(s.SupervisionNoticeSerializer(notice).data)


class NoticeDismiss(APIView):
    @extend_schema(
        tags=["supervision"],
        request=s.NoticeDismissInput,
        responses={200: s.SupervisionNoticeSerializer},
    )
    def post(self, request, pk: int):
        """Dismiss a proposed notice, saying why. District staff, administrators."""
        selectors.visible_notice(request.user, pk)
        data = validated(s.NoticeDismissInput, request.data)
        notice = services.notice_dismiss(actor=request.user, notice_id=pk, reason=data["reason"])
        return Response(s.SupervisionNoticeSerializer(notice).data)


class PublicNoticeList(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        tags=["public"],
        parameters=[OpenApiParameter("area", OpenApiTypes.STR, description="Division code.")],
        responses={200: s.PublicNoticeSerializer(many=True)},
    )
    def get(self, request):
        """通报批评: issued notices about units (an agent's notice names their station, never
        the person), newest first; inside an area when given."""
        rows = selectors.public_notices(area_code=request.query_params.get("area") or None)
        return Response(s.PublicNoticeSerializer(rows[:LIST_LIMIT], many=True).data)


# --- inspections ---------------------------------------------------------------------------------


class InspectionChecklist(APIView):
    @extend_schema(tags=["supervision"], responses={200: s.ChecklistSerializer})
    def get(self, request):
        """The checklist inspections are scored on: the six haves (六有), the public board up
        to date, the register kept, the proxy window staffed."""
        return Response(
            {
                "version": checklist.VERSION,
                "max_total": checklist.MAX_TOTAL,
                "items": s.ChecklistItemSerializer(checklist.ITEMS, many=True).data,
            }
        )


class InspectionList(APIView):
    @extend_schema(
        tags=["supervision"],
        parameters=[OpenApiParameter("centre", OpenApiTypes.STR, description="Division code.")],
        responses={200: s.InspectionSerializer(many=True)},
    )
    def get(self, request):
        """Inspections of the centres the requester supervises, newest first."""
        rows = selectors.inspections_for(request.user)
        if code := request.query_params.get("centre"):
            rows = rows.filter(centre=visible_centre(request.user, code))
        return Response(s.InspectionSerializer(rows[:LIST_LIMIT], many=True).data)

    @extend_schema(
        tags=["supervision"], request=s.InspectionInput, responses={201: s.InspectionSerializer}
    )
    def post(self, request):
        """督导检查: record a visit to a centre or station, every checklist item scored.
        Supervisors, district staff, administrators; a street/town lead for their stations."""
        data = validated(s.InspectionInput, request.data)
        inspection = services.inspection_record(
            actor=request.user,
            centre_code=data["centre"],
            day=data["date"],
            items=data["items"],
            findings=data["findings"],
            today=today(),
        )
        inspection = selectors.visible_inspection(request.user, inspection.pk)
        return Response(s.InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)


class InspectionDetail(APIView):
    @extend_schema(tags=["supervision"], responses={200: s.InspectionSerializer})
    def get(self, request, pk: int):
        return Response(s.InspectionSerializer(selectors.visible_inspection(request.user, pk)).data)


class InspectionPhotos(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["supervision"],
        request={"multipart/form-data": s.PhotoInput},
        responses={201: s.InspectionPhotoSerializer},
        description=(
            "JPEG, PNG or HEIC, recognised from the bytes; stored as a clean copy (upright, no "
            "EXIF or GPS). Refusals: `file_too_large` (413), `unsupported_file_type`, "
            "`invalid_image`, `image_too_large`."
        ),
    )
    def post(self, request, pk: int):
        """Add a photo to an inspection: its inspector, or whoever may inspect the centre."""
        selectors.visible_inspection(request.user, pk)
        data = validated(s.PhotoInput, request.data)
        photo = services.inspection_photo_add(
            actor=request.user,
            inspection_id=pk,
            photo=services.Photo(file=data["file"], note=data["note"]),
        )
        return Response(s.InspectionPhotoSerializer(photo).data, status=status.HTTP_201_CREATED)


class InspectionPhotoFile(APIView):
    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=["supervision"],
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="unknown_inspection / unknown_photo"),
        },
    )
    def get(self, request, pk: int, photo_pk: int):
        """The stored copy, to those who read the inspection."""
        inspection = selectors.visible_inspection(request.user, pk)
        photo = inspection.photos.filter(pk=photo_pk).first()
        if photo is None:
            raise NotFound("unknown_photo", _("No such photo."))
        response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
        response["Cache-Control"] = "private, max-age=3600"
        return response
