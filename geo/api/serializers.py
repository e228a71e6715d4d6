"""Input and output shapes of the areas/grids API. No rules here: services hold them."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from core import coords
from core.api.fields import CODE_MAX_LENGTH, DIVISION_CODE_MAX_LENGTH, ITEMS_MAX, crs_field
from geo.geometry import geometry_in_crs

from ..models import Area, Grid, GridBoundary, ServiceCentre
from .fields import CrsGeometryField


class CentreSerializer(serializers.ModelSerializer):
    location = CrsGeometryField()

    class Meta:
        model = ServiceCentre
        fields = [
            "name",
            "address",
            "location",
            "phone",
            "opening_hours",
            "acceptance",
            "acceptance_weekdays",
        ]


class CrsFeatureSerializer(GeoFeatureModelSerializer):
    """A GeoJSON Feature whose `bbox` is in the same `crs` as its geometry (rest_framework_gis
    computes it from the stored WGS-84 geometry)."""

    def to_representation(self, instance):
        feature = super().to_representation(instance)
        crs = self.context.get("crs", coords.WGS84)
        geom = getattr(instance, self.Meta.geo_field, None)
        if crs != coords.WGS84 and feature.get("bbox") and geom is not None:
            feature["bbox"] = list(geometry_in_crs(geom, crs).extent)
        return feature


class AreaFeatureSerializer(CrsFeatureSerializer):
    boundary = CrsGeometryField()
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Area
        geo_field = "boundary"
        id_field = "code"
        auto_bbox = True
        fields = ["code", "name", "level", "kind", "parent", "boundary_source"]


class AreaDetailSerializer(AreaFeatureSerializer):
    children = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    centre = CentreSerializer(read_only=True, allow_null=True)

    class Meta(AreaFeatureSerializer.Meta):
        fields = [*AreaFeatureSerializer.Meta.fields, "children", "centre"]


class GridFeatureSerializer(CrsFeatureSerializer):
    boundary = CrsGeometryField(help_text="Latest boundary version (the current one if active).")
    community = serializers.SlugRelatedField(slug_field="code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    active = serializers.BooleanField(read_only=True)
    version = serializers.IntegerField(
        read_only=True, help_text="Number of the latest boundary version."
    )
    revision = serializers.IntegerField(
        read_only=True, help_text="The grid's ETag: send it back in If-Match when editing."
    )

    class Meta:
        model = Grid
        geo_field = "boundary"
        id_field = "code"
        auto_bbox = True
        fields = [
            "code",
            "name",
            "community",
            "community_name",
            "active",
            "version",
            "revision",
            "created_at",
            "retired_at",
            "retired_reason",
        ]


class GridDetailSerializer(GridFeatureSerializer):
    predecessors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    successors = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta(GridFeatureSerializer.Meta):
        fields = [*GridFeatureSerializer.Meta.fields, "predecessors", "successors"]


class GridVersionSerializer(GeoFeatureModelSerializer):
    geom = CrsGeometryField()
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = GridBoundary
        geo_field = "geom"
        id_field = False
        fields = ["version", "valid_from", "valid_to", "created_by", "note"]


class GeoJSONGeometryInput(serializers.JSONField):
    """A GeoJSON geometry object; its rules are applied by geo.geometry.parse_geometry."""


_CRS = serializers.ChoiceField(choices=coords.CRS_CHOICES, default=coords.WGS84, required=False)


class GridCreateInput(serializers.Serializer):
    code = serializers.CharField(required=False, max_length=32, help_text="Generated if absent.")
    name = serializers.CharField(max_length=100)
    community = serializers.CharField(
        max_length=DIVISION_CODE_MAX_LENGTH, help_text="Division code of the community or village."
    )
    boundary = GeoJSONGeometryInput(help_text="GeoJSON Polygon or MultiPolygon.")
    crs = crs_field()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class GridUpdateInput(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=100)
    boundary = GeoJSONGeometryInput(required=False)
    crs = crs_field()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class StaffingInput(serializers.Serializer):
    """An assignment for a new grid of a split or merge (people's assignment rules apply)."""

    staff = serializers.IntegerField(min_value=1, help_text="Staff id of an active agent.")
    kind = serializers.CharField(max_length=10, help_text="primary or backup.")
    valid_from = serializers.DateField(required=False, help_text="Default: today.")
    valid_to = serializers.DateField(required=False, allow_null=True, help_text="Exclusive.")


class GridPartInput(serializers.Serializer):
    code = serializers.CharField(required=False, max_length=32)
    name = serializers.CharField(max_length=100)
    boundary = GeoJSONGeometryInput(
        required=False, help_text="GeoJSON Polygon or MultiPolygon; absent when `line` cuts."
    )
    assignments = StaffingInput(many=True, required=False, max_length=ITEMS_MAX)


class GridSplitInput(serializers.Serializer):
    parts = GridPartInput(
        many=True,
        required=False,
        max_length=ITEMS_MAX,
        help_text="The new grids: with boundaries; or, with `line`, names for the pieces "
        "(largest first).",
    )
    line = GeoJSONGeometryInput(
        required=False, help_text="GeoJSON LineString crossing the grid: PostGIS cuts along it."
    )
    crs = crs_field()


class GridSplitPreviewInput(serializers.Serializer):
    line = GeoJSONGeometryInput(help_text="GeoJSON LineString crossing the grid.")
    crs = crs_field()


class RerouteAgentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReroutedSerializer(serializers.Serializer):
    appointment = serializers.CharField(help_text="Tracking code.")
    reason = serializers.CharField(help_text="grid_changed, grid_retired, …")
    from_agent = RerouteAgentSerializer(allow_null=True)
    to_agent = RerouteAgentSerializer(allow_null=True)
    to_grid = serializers.CharField(allow_null=True)
    to_queue = serializers.CharField(allow_null=True, help_text="Division code of the queue.")


class CarriedAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    grid = serializers.CharField()
    staff = serializers.IntegerField()
    staff_name = serializers.CharField()
    kind = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)


class EditMembersSerializer(serializers.Serializer):
    """What an edit did beyond the grids (foreign members of its GeoJSON answer)."""

    rerouted = ReroutedSerializer(many=True)
    rerouted_count = serializers.IntegerField()
    assignments_ended = serializers.IntegerField()
    assignments = CarriedAssignmentSerializer(many=True)


class GridEditOutput(EditMembersSerializer):
    """The grid after an edit, as GET /grids/{code}/ answers it, plus what the edit moved."""

    type = serializers.CharField(default="Feature")
    id = serializers.CharField()
    bbox = serializers.ListField(child=serializers.FloatField())
    geometry = serializers.DictField()
    properties = serializers.DictField(help_text="As GET /grids/{code}/ answers them.")


class GridSplitOutput(EditMembersSerializer):
    type = serializers.CharField(default="FeatureCollection")
    features = GridFeatureSerializer(many=True)


class PieceSerializer(serializers.Serializer):
    type = serializers.CharField(default="Feature")
    geometry = serializers.DictField()
    properties = serializers.DictField(help_text="index, area_m2")


class GridSplitPreviewOutput(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    features = PieceSerializer(many=True)


class GridMergeInput(serializers.Serializer):
    grids = serializers.ListField(
        child=serializers.CharField(max_length=CODE_MAX_LENGTH), min_length=2, max_length=ITEMS_MAX
    )
    code = serializers.CharField(required=False, max_length=32)
    name = serializers.CharField(max_length=100)
    versions = serializers.DictField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text='The revision (ETag) of every grid merged, by code: {"A": 3, "B": 5}.',
    )
    assignments = StaffingInput(
        many=True, required=False, max_length=ITEMS_MAX, help_text="Staffing of the new grid."
    )


class GridRetireInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class LocateAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    kind = serializers.CharField()


class LocateGridSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    community = serializers.CharField(source="community_code")


class LocateNearestSerializer(serializers.Serializer):
    grid = LocateGridSerializer()
    distance_m = serializers.FloatField()


class LocateOutput(serializers.Serializer):
    point = CrsGeometryField()
    areas = LocateAreaSerializer(many=True)
    grid = LocateGridSerializer(allow_null=True)
    outside_coverage = serializers.BooleanField()
    nearest = LocateNearestSerializer(
        allow_null=True, help_text="When the point is in no grid: the nearest within range."
    )


class CoverageFiguresSerializer(serializers.Serializer):
    area = serializers.CharField()
    area_name = serializers.CharField()
    level = serializers.CharField()
    area_m2 = serializers.FloatField()
    uncovered_m2 = serializers.FloatField()
    covered_pct = serializers.FloatField()
    communities = serializers.IntegerField()
    communities_without_grids = serializers.ListField(child=serializers.CharField())
    grids = serializers.IntegerField()
    gaps = serializers.IntegerField()
    overlaps = serializers.IntegerField()


class CoverageOutput(serializers.Serializer):
    type = serializers.CharField(default="FeatureCollection")
    features = serializers.ListField(child=serializers.DictField())
    figures = CoverageFiguresSerializer()
