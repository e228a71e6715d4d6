"""Areas, grids, point location and coverage over HTTP. Thin: parse, call, render."""

from __future__ import annotations

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.input import query_choice, validated

from .. import access, hooks, proposals, selectors, services
from ..geometry import (
    bbox_from_query,
    parse_crs,
    parse_geometry,
    point_from_query,
)
from ..models import Area, Grid, GridBoundary
from . import serializers as s
from .common import CrsContextMixin, grid_get, grid_queryset, require_editor, visible_area
from .fields import CRS_QUERY_PARAMETER, FeaturePagination, output_crs
from .proposals import ProposalSerializer
from .refusals import refusals_in_crs
from .versions import (
    ETAG_HEADER,
    IF_MATCH_PARAMETER,
    etag,
    if_match,
)

BBOX_PARAMETER = OpenApiParameter(
    "bbox",
    OpenApiTypes.STR,
    description="minlon,minlat,maxlon,maxlat (in ?crs=, default WGS-84): features that intersect.",
)
AREA_PARAMETER = OpenApiParameter(
    "area", OpenApiTypes.STR, description="Division code: only what lies in this area."
)


@extend_schema(
    tags=["areas"],
    parameters=[
        OpenApiParameter("level", OpenApiTypes.STR, enum=[c for c, _ in Area.Level.choices]),
        OpenApiParameter("parent", OpenApiTypes.STR, description="Division code of the parent."),
        BBOX_PARAMETER,
        CRS_QUERY_PARAMETER,
    ],
)
class AreaList(CrsContextMixin, generics.ListAPIView):
    """The area tree as a GeoJSON FeatureCollection (district, streets/towns, communities)."""

    serializer_class = s.AreaFeatureSerializer
    pagination_class = FeaturePagination

    def get_queryset(self):
        params = self.request.query_params
        areas = access.policy().areas(self.request.user, Area.objects.select_related("parent"))
        if level := query_choice(self.request, "level", Area.Level.values):
            areas = areas.filter(level=level)
        if parent := params.get("parent"):
            areas = areas.filter(parent=visible_area(self.request.user, parent))
        if bbox := bbox_from_query(params.get("bbox"), parse_crs(params.get("crs"))):
            areas = areas.filter(boundary__intersects=bbox)
        return areas


@extend_schema(tags=["areas"], parameters=[CRS_QUERY_PARAMETER])
class AreaDetail(CrsContextMixin, generics.RetrieveAPIView):
    """One area with its children and its service centre."""

    serializer_class = s.AreaDetailSerializer

    def get_object(self):
        area = visible_area(self.request.user, self.kwargs["code"])
        return (
            Area.objects.select_related("parent", "centre")
            .prefetch_related("children")
            .get(pk=area.pk)
        )


@extend_schema(
    tags=["grids"],
    parameters=[
        AREA_PARAMETER,
        BBOX_PARAMETER,
        OpenApiParameter(
            "active",
            OpenApiTypes.STR,
            enum=["true", "false", "all"],
            description="Active grids by default; retired ones with false; both with all.",
        ),
        OpenApiParameter("q", OpenApiTypes.STR, description="Name contains, or code starts with."),
        CRS_QUERY_PARAMETER,
    ],
)
class GridList(CrsContextMixin, generics.ListCreateAPIView):
    """Grids as a GeoJSON FeatureCollection; POST creates one (spatial rules apply)."""

    serializer_class = s.GridFeatureSerializer
    pagination_class = FeaturePagination

    def get_queryset(self):
        params = self.request.query_params
        grids = access.policy().grids(self.request.user, grid_queryset())
        active = query_choice(self.request, "active", ("true", "false", "all"), default="true")
        if active == "true":
            grids = grids.filter(retired_at__isnull=True)
        elif active == "false":
            grids = grids.filter(retired_at__isnull=False)
        if code := params.get("area"):
            grids = grids.filter(
                community_id__in=selectors.area_descendant_ids(
                    visible_area(self.request.user, code)
                )
            )
        if bbox := bbox_from_query(params.get("bbox"), parse_crs(params.get("crs"))):
            grids = grids.filter(boundary__intersects=bbox)
        if q := params.get("q"):
            grids = grids.filter(Q(name__icontains=q) | Q(code__startswith=q))
        return grids.order_by("code")

    @extend_schema(request=s.GridCreateInput, responses={201: s.GridDetailSerializer})
    def post(self, request):
        data = validated(s.GridCreateInput, request.data)
        crs = parse_crs(data.get("crs"))
        community = visible_area(request.user, data["community"])
        require_editor(request.user, community)
        with refusals_in_crs(crs):
            boundary = parse_geometry(data["boundary"], crs=crs, field="boundary")
            grid = services.grid_create(
                community=community,
                name=data["name"],
                code=data.get("code"),
                boundary=boundary,
                actor=request.user,
                note=data.get("note", ""),
            )
        return Response(
            self._detail(grid),
            status=status.HTTP_201_CREATED,
            headers={"ETag": etag(grid.revision)},
        )

    def _detail(self, grid: Grid) -> dict:
        return s.GridDetailSerializer(
            grid_get(grid.code, self.request.user), context=self.get_serializer_context()
        ).data


@extend_schema(tags=["grids"], parameters=[CRS_QUERY_PARAMETER])
class GridDetail(CrsContextMixin, generics.GenericAPIView):
    """One grid; PATCH renames it or adds a boundary version (the old one is kept)."""

    queryset = Grid.objects.none()  # for the schema; objects come from _grid_get
    serializer_class = s.GridDetailSerializer

    @extend_schema(parameters=[ETAG_HEADER])
    def get(self, request, code):
        grid = grid_get(code, request.user)
        return Response(self.get_serializer(grid).data, headers={"ETag": etag(grid.revision)})

    @extend_schema(
        request=s.GridUpdateInput,
        responses={200: s.GridEditOutput, 202: ProposalSerializer},
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    def patch(self, request, code):
        """Rename and/or re-draw the grid. A new boundary that reaches outside the areas the
        requester manages is stored as a proposal instead (202, with `Location`)."""
        grid = grid_get(code, request.user)
        require_editor(request.user, grid.community)
        data = validated(s.GridUpdateInput, request.data)
        expected = if_match(request)
        crs = self.write_crs(data)
        report = hooks.EditReport()
        with refusals_in_crs(crs), self.current_on_mismatch():
            boundary = None
            if "boundary" in data:
                boundary = parse_geometry(data["boundary"], crs=crs, field="boundary")
            outcome = proposals.grid_update_or_propose(
                grid=grid,
                actor=request.user,
                name=data.get("name"),
                boundary=boundary,
                note=data.get("note", ""),
                expected_revision=expected,
                report=report,
            )
        if outcome.proposal is not None:
            body = ProposalSerializer(outcome.proposal, context=self.get_serializer_context())
            return Response(
                body.data,
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": f"/api/v1/grid-proposals/{outcome.proposal.pk}/"},
            )
        feature = self.grid_feature(code)
        return Response(
            {**feature, **report.as_members()},
            headers={"ETag": etag(feature["properties"]["revision"])},
        )


@extend_schema(tags=["grids"], parameters=[CRS_QUERY_PARAMETER])
class GridHistory(CrsContextMixin, generics.ListAPIView):
    """Every boundary version of a grid, oldest first."""

    serializer_class = s.GridVersionSerializer
    pagination_class = FeaturePagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GridBoundary.objects.none()
        grid = grid_get(self.kwargs["code"], self.request.user)
        return (
            GridBoundary.objects.filter(grid=grid).select_related("created_by").order_by("version")
        )


@extend_schema(
    tags=["areas"],
    parameters=[
        OpenApiParameter("lon", OpenApiTypes.NUMBER, required=True),
        OpenApiParameter("lat", OpenApiTypes.NUMBER, required=True),
        OpenApiParameter(
            "crs",
            OpenApiTypes.STR,
            enum=["wgs84", "gcj02", "bd09"],
            description="Coordinate system of lon/lat and of the point in the response.",
        ),
    ],
    responses={200: s.LocateOutput},
)
class Locate(APIView):
    """The area chain and grid of a point; if it is in no grid, the nearest grid within range."""

    def get(self, request):
        point = point_from_query(request.query_params)
        location = selectors.locate(point)
        body = s.LocateOutput(
            {
                "point": point,
                "areas": location.areas,
                "grid": location.grid,
                "outside_coverage": location.outside_coverage,
                "nearest": location.nearest,
            },
            context={"crs": output_crs(request)},
        ).data
        return Response(body)
