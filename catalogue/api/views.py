"""The catalogue over HTTP: public reads, the one-time notice (JSON and PDF), district edits."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.input import validated
from core.api.renderers import PDFRenderer
from core.errors import NotFound
from geo import services as geo_services
from people import services as people_services

from .. import services
from ..models import ApprovalWindow, ServiceItemVersion
from ..notice import notice_data, notice_pdf
from ..selectors import current_versions
from . import serializers as s


class PublicReads(permissions.BasePermission):
    """Anyone reads the catalogue (it is public); writes need a login (and the service's check)."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.is_authenticated


def _current(code: str) -> ServiceItemVersion:
    return services.item_get(code=code).current


def _missing(request) -> list[str] | None:
    raw = request.query_params.get("missing")
    if raw is None:
        return None
    return [key.strip() for key in raw.split(",") if key.strip()]


MISSING_PARAMETER = OpenApiParameter(
    "missing",
    OpenApiTypes.STR,
    description="Comma-separated material keys still missing: the notice lists only those.",
)


class ServiceItemList(APIView):
    permission_classes = [PublicReads]

    @extend_schema(
        tags=["catalogue"],
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Search in names and codes."),
            OpenApiParameter("category", OpenApiTypes.STR),
            OpenApiParameter("centre", OpenApiTypes.STR, description="Items this centre proxies."),
        ],
        responses={200: s.ItemSummarySerializer(many=True)},
    )
    def get(self, request):
        """便民服务事项: the public catalogue (current versions)."""
        ids = current_versions().values("pk")
        versions = ServiceItemVersion.objects.filter(pk__in=ids).select_related("item")
        if q := request.query_params.get("q"):
            versions = versions.filter(
                Q(name__icontains=q) | Q(item__code__icontains=q) | Q(category__icontains=q)
            )
        if category := request.query_params.get("category"):
            versions = versions.filter(category=category)
        if code := request.query_params.get("centre"):
            area = geo_services.area_get(code=code)
            versions = versions.filter(item__centres__area=area)
        return Response(s.ItemSummarySerializer(versions.order_by("item__code"), many=True).data)

    @extend_schema(
        tags=["catalogue"], request=s.ItemCreateInput, responses={201: s.ItemDetailSerializer}
    )
    def post(self, request):
        """Create an item (district centre staff)."""
        services.require_catalogue_editor(request.user)
        data = validated(s.ItemCreateInput, request.data)
        code = data.pop("code")
        item = services.item_create(actor=request.user, code=code, data=data)
        return Response(s.ItemDetailSerializer(item.current).data, status=status.HTTP_201_CREATED)


class ServiceItemDetail(APIView):
    permission_classes = [PublicReads]

    @extend_schema(tags=["catalogue"], responses={200: s.ItemDetailSerializer})
    def get(self, request, code: str):
        return Response(s.ItemDetailSerializer(_current(code)).data)

    @extend_schema(
        tags=["catalogue"], request=s.ItemPatchInput, responses={200: s.ItemDetailSerializer}
    )
    def patch(self, request, code: str):
        """Edit an item: a new version is added; cases keep the version they were accepted under."""
        services.require_catalogue_editor(request.user)
        item = services.item_get(code=code)
        data = validated(s.ItemPatchInput, request.data)
        note = data.pop("note", "")
        version = services.item_revise(actor=request.user, item=item, changes=data, note=note)
        return Response(s.ItemDetailSerializer(version).data)


class ServiceItemVersions(APIView):
    permission_classes = [PublicReads]

    @extend_schema(tags=["catalogue"], responses={200: s.ItemDetailSerializer(many=True)})
    def get(self, request, code: str):
        item = services.item_get(code=code)
        versions = item.versions.select_related("item", "window__centre__area").order_by("version")
        return Response(s.ItemDetailSerializer(versions, many=True).data)


class NoticeJSON(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=["catalogue"], parameters=[MISSING_PARAMETER], responses={200: s.NoticeSerializer}
    )
    def get(self, request, code: str):
        """一次告知: every material, the procedure, the limits, the fees — in one go."""
        return Response(
            s.NoticeSerializer(notice_data(_current(code), missing=_missing(request))).data
        )


class NoticePDF(APIView):
    permission_classes = [permissions.AllowAny]
    renderer_classes = [PDFRenderer]

    @extend_schema(
        tags=["catalogue"],
        parameters=[MISSING_PARAMETER],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="A4 PDF")
        },
    )
    def get(self, request, code: str):
        """The one-time notice as a printable A4 PDF in Chinese (cached per item version)."""
        version = _current(code)
        pdf = notice_pdf(version, missing=_missing(request))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="notice-{version.item.code}-v{version.version}.pdf"'
        )
        return response


class WindowList(APIView):
    permission_classes = [PublicReads]

    @extend_schema(tags=["catalogue"], responses={200: s.WindowSerializer(many=True)})
    def get(self, request):
        """审批服务窗口: where forwarded matters are decided."""
        windows = ApprovalWindow.objects.select_related("centre__area")
        return Response(s.WindowSerializer(windows, many=True).data)

    @extend_schema(tags=["catalogue"], request=s.WindowInput, responses={201: s.WindowSerializer})
    def post(self, request):
        services.require_catalogue_editor(request.user)
        data = validated(s.WindowInput, request.data)
        area = geo_services.area_get(code=data.pop("centre"))
        if not hasattr(area, "centre"):
            raise NotFound(
                "unknown_centre", _("No service centre with code %(code)s.") % {"code": area.code}
            )
        window = services.window_create(actor=request.user, centre=area.centre, **data)
        return Response(s.WindowSerializer(window).data, status=status.HTTP_201_CREATED)


class CentreItems(APIView):
    permission_classes = [PublicReads]

    @extend_schema(tags=["catalogue"], responses={200: s.ItemSummarySerializer(many=True)})
    def get(self, request, code: str):
        """The items a centre proxies (also on its public board)."""
        area = people_services.centre_area_get(code)
        ids = current_versions().filter(item__centres__area=area).values("pk")
        versions = (
            ServiceItemVersion.objects.filter(pk__in=ids)
            .select_related("item")
            .order_by("item__code")
        )
        return Response(s.ItemSummarySerializer(versions, many=True).data)

    @extend_schema(
        tags=["catalogue"],
        request=s.CentreItemsInput,
        responses={200: s.ItemSummarySerializer(many=True)},
    )
    def put(self, request, code: str):
        """Replace the list of items this centre proxies (its managers and district staff)."""
        area = people_services.centre_area_visible(request.user, code)
        data = validated(s.CentreItemsInput, request.data)
        services.centre_items_set(actor=request.user, centre=area.centre, codes=data["items"])
        return self.get(request, code)
