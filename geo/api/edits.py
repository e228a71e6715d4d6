"""Grid edits beyond PATCH over HTTP: split (by parts or along a line), merge, retire.

Thin: parse, call one geo.services function, render. Every answer says which open appointments
the edit re-routed and which assignments it ended or carried over (docs/zone-console-api.md).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from core.api.input import validated
from core.api.schema import error_response
from core.errors import ApplicationError

from .. import hooks, services
from ..geometry import geojson, geometry_in_crs, parse_geometry
from ..models import Grid
from . import serializers as s
from .common import CrsContextMixin, grid_get, grid_queryset, require_editor
from .fields import CRS_QUERY_PARAMETER
from .refusals import refusals_in_crs
from .versions import IF_MATCH_PARAMETER, if_match, versions_for


def staffing(items, **where) -> tuple[hooks.Staffing, ...]:
    return tuple(
        hooks.Staffing(
            staff_id=item["staff"],
            kind=item["kind"],
            valid_from=item.get("valid_from"),
            valid_to=item.get("valid_to"),
            where={**where, "item": index},
        )
        for index, item in enumerate(items or ())
    )


class EditAnswerMixin(CrsContextMixin):
    def edited(self, code: str, report: hooks.EditReport, status_code=200) -> Response:
        """The grid as GET answers it, with what the edit moved, and its new ETag."""
        feature = self.grid_feature(code)
        return Response(
            {**feature, **report.as_members()},
            status=status_code,
            headers={"ETag": f'"{feature["properties"]["revision"]}"'},
        )


def _split_line_or_parts(data: dict) -> None:
    parts = data.get("parts") or []
    with_boundaries = [p for p in parts if "boundary" in p]
    if "line" in data:
        if with_boundaries:
            raise ApplicationError(
                "split_needs_parts_or_line",
                _("Split along a line or into parts with boundaries, not both."),
            )
    elif not parts or len(with_boundaries) != len(parts):
        raise ApplicationError(
            "split_needs_parts_or_line",
            _("A split needs either a line to cut along or parts that each have a boundary."),
        )


@extend_schema(
    tags=["grids"],
    request=s.GridSplitInput,
    responses={201: s.GridSplitOutput},
    parameters=[CRS_QUERY_PARAMETER, IF_MATCH_PARAMETER],
)
class GridSplit(CrsContextMixin, generics.GenericAPIView):
    """Retire a grid and replace it by parts that together cover it exactly, given as polygons
    or cut along a line; assignments end, the parts are staffed as asked, open appointments are
    routed again, all in one transaction."""

    queryset = Grid.objects.none()  # for the schema; objects come from grid_get
    serializer_class = s.GridFeatureSerializer

    def post(self, request, code):
        grid = grid_get(code, request.user)
        require_editor(request.user, grid.community)
        data = validated(s.GridSplitInput, request.data)
        expected = if_match(request)
        crs = self.write_crs(data)
        report = hooks.EditReport()
        with refusals_in_crs(crs), self.current_on_mismatch():
            _split_line_or_parts(data)
            parts = [
                services.GridPart(
                    code=part.get("code"),
                    name=part["name"],
                    boundary=parse_geometry(part["boundary"], crs=crs, field=f"parts[{i}].boundary")
                    if "boundary" in part
                    else None,
                    staffing=staffing(part.get("assignments"), part=i),
                )
                for i, part in enumerate(data.get("parts") or [])
            ]
            if "line" in data:
                line = parse_geometry(data["line"], allowed=("LineString",), crs=crs, field="line")
                created = services.grid_split_along_line(
                    grid=grid,
                    line=line,
                    parts=parts,
                    actor=request.user,
                    expected_revision=expected,
                    report=report,
                )
            else:
                created = services.grid_split(
                    grid=grid,
                    parts=parts,
                    actor=request.user,
                    expected_revision=expected,
                    report=report,
                )
        grids = grid_queryset().filter(pk__in=[g.pk for g in created]).order_by("code")
        body = {
            "type": "FeatureCollection",
            "features": self.get_serializer(grids, many=True).data["features"],
            **report.as_members(),
        }
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["grids"],
    request=s.GridSplitPreviewInput,
    responses={200: s.GridSplitPreviewOutput},
    parameters=[CRS_QUERY_PARAMETER],
)
class GridSplitPreview(CrsContextMixin, generics.GenericAPIView):
    """The pieces a line would cut the grid into, largest first (the order `parts` names them
    in a split along that line). Writes nothing."""

    queryset = Grid.objects.none()  # for the schema; objects come from grid_get
    serializer_class = s.GridSplitPreviewOutput

    def post(self, request, code):
        grid = grid_get(code, request.user)
        require_editor(request.user, grid.community)
        data = validated(s.GridSplitPreviewInput, request.data)
        crs = self.write_crs(data)
        with refusals_in_crs(crs):
            line = parse_geometry(data["line"], allowed=("LineString",), crs=crs, field="line")
            pieces = services.grid_split_preview(grid=grid, line=line)
        out = self.get_serializer_context()["crs"]
        features = [
            {
                "type": "Feature",
                "geometry": geojson(geometry_in_crs(piece.geom, out)),
                "properties": {"index": index, "area_m2": piece.area_m2},
            }
            for index, piece in enumerate(pieces)
        ]
        return Response({"type": "FeatureCollection", "features": features})


@extend_schema(
    tags=["grids"],
    request=s.GridMergeInput,
    responses={201: s.GridEditOutput, 412: error_response(412), 428: error_response(428)},
    parameters=[CRS_QUERY_PARAMETER],
)
class GridMerge(EditAnswerMixin, generics.GenericAPIView):
    """Retire grids of one community and create their union as a new grid; their assignments
    end, the new grid is staffed as asked, open appointments are routed again."""

    queryset = Grid.objects.none()  # for the schema; objects come from grid_get
    serializer_class = s.GridDetailSerializer

    def post(self, request):
        data = validated(s.GridMergeInput, request.data)
        grids = [grid_get(code, request.user) for code in data["grids"]]
        for grid in grids:
            require_editor(request.user, grid.community)
        versions = versions_for(data["grids"], data.get("versions"))
        report = hooks.EditReport()
        with refusals_in_crs(self.write_crs(data)), self.current_on_mismatch():
            merged = services.grid_merge(
                grids=grids,
                name=data["name"],
                code=data.get("code"),
                actor=request.user,
                expected_revisions=versions,
                staffing=staffing(data.get("assignments")),
                report=report,
            )
        return self.edited(merged.code, report, status.HTTP_201_CREATED)


@extend_schema(
    tags=["grids"],
    request=s.GridRetireInput,
    responses={200: s.GridEditOutput},
    parameters=[IF_MATCH_PARAMETER, CRS_QUERY_PARAMETER],
)
class GridRetire(EditAnswerMixin, generics.GenericAPIView):
    """Take a grid out of service (its code and history stay); its assignments end and its open
    appointments are routed again."""

    queryset = Grid.objects.none()  # for the schema; objects come from grid_get
    serializer_class = s.GridDetailSerializer

    def post(self, request, code):
        grid = grid_get(code, request.user)
        require_editor(request.user, grid.community)
        data = validated(s.GridRetireInput, request.data)
        expected = if_match(request)
        report = hooks.EditReport()
        with self.current_on_mismatch():
            services.grid_retire(
                grid=grid,
                actor=request.user,
                reason=data["reason"],
                expected_revision=expected,
                report=report,
            )
        return self.edited(code, report)
