"""Areas, grids, point location and coverage over HTTP. Thin: parse, call, render."""

from __future__ import annotations

from django.db.models import Max, Q
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.input import query_choice, validated
from core.errors import NotFound, PermissionDenied

from .. import access, selectors, services
from ..geometry import (
    bbox_from_query,
    parse_crs,
    parse_geometry,
    point_from_query,
)
from ..models import Area, Grid, GridBoundary
from . import serializers as s
from .fields import CRS_QUERY_PARAMETER, FeaturePagination, output_crs
from .versions import (
    ETAG_HEADER,
    IF_MATCH_PARAMETER,
    current_on_mismatch,
    etag,
    if_match,
    versions_for,
)

BBOX_PARAMETER = OpenApiParameter(
    "bbox",
    OpenApiTypes.STR,
    description="minlon,minlat,maxlon,maxlat (in ?crs=, default WGS-84): features that intersect.",
)
AREA_PARAMETER = OpenApiParameter(
    "area", OpenApiTypes.STR, description="Division code: only what lies in this area."
)


def _visible_area(user, code: str) -> Area:
    """The area with this code if the requester may see it; 404 otherwise (same answer)."""
    area = services.area_get(code=code)
    if not access.policy().areas(user, Area.objects.filter(pk=area.pk)).exists():
        raise NotFound(
            "unknown_area",
            _("No area with code %(code)s.") % {"code": code},
            details={"code": code},
        )
    return area


def _require_editor(user, community: Area) -> None:
    if not access.policy().may_edit_grids_in(user, community):
        raise PermissionDenied(
            "permission_denied",
            _("You may not change grids in %(name)s.") % {"name": community.name},
        )


class CrsContextMixin:
    def get_serializer_context(self):
        return {**super().get_serializer_context(), "crs": output_crs(self.request)}

    def grid_feature(self, code: str) -> dict:
        """The grid as GET /grids/{code}/ answers it, in the request's crs."""
        return s.GridDetailSerializer(
            _grid_get(code, self.request.user), context=self.get_serializer_context()
        ).data

    def current_on_mismatch(self):
        return current_on_mismatch(self.grid_feature)


def _grid_queryset():
    return Grid.objects.select_related("community").annotate(version=Max("boundaries__version"))


def _grid_get(code: str, user) -> Grid:
    grid = access.policy().grids(user, _grid_queryset()).filter(code=code).first()
    if grid is None:
        raise NotFound(
            "unknown_grid",
            _("No grid with code %(code)s.") % {"code": code},
            details={"code": code},
        )
    return grid


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
            areas = areas.filter(parent=_visible_area(self.request.user, parent))
        if bbox := bbox_from_query(params.get("bbox"), parse_crs(params.get("crs"))):
            areas = areas.filter(boundary__intersects=bbox)
        return areas


@extend_schema(tags=["areas"], parameters=[CRS_QUERY_PARAMETER])
class AreaDetail(CrsContextMixin, generics.RetrieveAPIView):
    """One area with its children and its service centre."""

    serializer_class = s.AreaDetailSerializer

    def get_object(self):
        area = _visible_area(self.request.user, self.kwargs["code"])
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
        grids = access.policy().grids(self.request.user, _grid_queryset())
        active = query_choice(self.request, "active", ("true", "false", "all"), default="true")
        if active == "true":
            grids = grids.filter(retired_at__isnull=True)
        elif active == "false":
            grids = grids.filter(retired_at__isnull=False)
        if code := params.get("area"):
            grids = grids.filter(
                community_id__in=selectors.area_descendant_ids(
                    _visible_area(self.request.user, code)
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
        community = _visible_area(request.user, data["community"])
        _require_editor(request.user, community)
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
            _grid_get(grid.code, self.request.user), context=self.get_serializer_context()
        ).data


@extend_schema(tags=["grids"], parameters=[CRS_QUERY_PARAMETER])
class GridDetail(CrsContextMixin, generics.GenericAPIView):
    """One grid; PATCH renames it or adds a boundary version (the old one is kept)."""

    queryset = Grid.objects.none()  # for the schema; objects come from _grid_get
    serializer_class = s.GridDetailSerializer

    @extend_schema(parameters=[ETAG_HEADER])
    def get(self, request, code):
        grid = _grid_get(code, request.user)
        return Response(self.get_serializer(grid).data, headers={"ETag": etag(grid.revision)})

    @extend_schema(
        request=s.GridUpdateInput,
        responses={200: s.GridDetailSerializer},
        parameters=[IF_MATCH_PARAMETER, ETAG_HEADER],
    )
    def patch(self, request, code):
        grid = _grid_get(code, request.user)
        _require_editor(request.user, grid.community)
        data = validated(s.GridUpdateInput, request.data)
        expected = if_match(request)
        boundary = None
        if "boundary" in data:
            boundary = parse_geometry(
                data["boundary"], crs=parse_crs(data.get("crs")), field="boundary"
            )
        with self.current_on_mismatch():
            services.grid_update(
                grid=grid,
                actor=request.user,
                name=data.get("name"),
                boundary=boundary,
                note=data.get("note", ""),
                expected_revision=expected,
            )
        grid = _grid_get(code, request.user)
        return Response(self.get_serializer(grid).data, headers={"ETag": etag(grid.revision)})


@extend_schema(tags=["grids"], parameters=[CRS_QUERY_PARAMETER])
class GridHistory(CrsContextMixin, generics.ListAPIView):
    """Every boundary version of a grid, oldest first."""

    serializer_class = s.GridVersionSerializer
    pagination_class = FeaturePagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GridBoundary.objects.none()
        grid = _grid_get(self.kwargs["code"], self.request.user)
        return (
            GridBoundary.objects.filter(grid=grid).select_related("created_by").order_by("version")
        )


@extend_schema(
    tags=["grids"],
    request=s.GridSplitInput,
    responses={201: s.GridFeatureSerializer(many=True)},
    parameters=[CRS_QUERY_PARAMETER, IF_MATCH_PARAMETER],
)
class GridSplit(CrsContextMixin, generics.GenericAPIView):
    """Retire a grid and replace it by parts that together cover it exactly."""

    queryset = Grid.objects.none()  # for the schema; objects come from _grid_get
    serializer_class = s.GridFeatureSerializer

    def post(self, request, code):
        grid = _grid_get(code, request.user)
        _require_editor(request.user, grid.community)
        data = validated(s.GridSplitInput, request.data)
        expected = if_match(request)
        crs = parse_crs(data.get("crs"))
        parts = [
            services.GridPart(
                code=part.get("code"),
                name=part["name"],
                boundary=parse_geometry(part["boundary"], crs=crs, field=f"parts[{i}].boundary"),
            )
            for i, part in enumerate(data["parts"])
        ]
        with self.current_on_mismatch():
            created = services.grid_split(
                grid=grid, parts=parts, actor=request.user, expected_revision=expected
            )
        grids = _grid_queryset().filter(pk__in=[g.pk for g in created]).order_by("code")
        return Response(self.get_serializer(grids, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["grids"],
    request=s.GridMergeInput,
    responses={201: s.GridDetailSerializer},
    parameters=[CRS_QUERY_PARAMETER],
)
class GridMerge(CrsContextMixin, generics.GenericAPIView):
    """Retire grids of one community and create their union as a new grid."""

    queryset = Grid.objects.none()  # for the schema; objects come from _grid_get
    serializer_class = s.GridDetailSerializer

    def post(self, request):
        data = validated(s.GridMergeInput, request.data)
        grids = [_grid_get(code, request.user) for code in data["grids"]]
        for grid in grids:
            _require_editor(request.user, grid.community)
        versions = versions_for(data["grids"], data.get("versions"))
        with self.current_on_mismatch():
            merged = services.grid_merge(
                grids=grids,
                name=data["name"],
                code=data.get("code"),
                actor=request.user,
                expected_revisions=versions,
            )
        return Response(self.get_serializer(_grid_get(merged.code, request.user)).data, status=201)


@extend_schema(
    tags=["grids"],
    request=s.GridRetireInput,
    responses={200: s.GridDetailSerializer},
    parameters=[IF_MATCH_PARAMETER],
)
class GridRetire(CrsContextMixin, generics.GenericAPIView):
    """Take a grid out of service (its code and history stay)."""

    queryset = Grid.objects.none()  # for the schema; objects come from _grid_get
    serializer_class = s.GridDetailSerializer

    def post(self, request, code):
        grid = _grid_get(code, request.user)
        _require_editor(request.user, grid.community)
        data = validated(s.GridRetireInput, request.data)
        expected = if_match(request)
        with self.current_on_mismatch():
            services.grid_retire(
                grid=grid, actor=request.user, reason=data["reason"], expected_revision=expected
            )
        return Response(self.get_serializer(_grid_get(code, request.user)).data)


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
