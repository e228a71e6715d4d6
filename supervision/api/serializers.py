"""Shapes of supervision requests and answers. Types only: every rule is in the services."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from core.api.fields import DIVISION_CODE_MAX_LENGTH, ITEMS_MAX, TEXT_MAX_LENGTH, bounded_json

from ..models import (
    AssessmentScheme,
    Indicator,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    Notice,
    NoticeRule,
)

# --- figures and assessment (dynamic shapes, documented for the schema) -------------------------


class SupervisionUnitSerializer(serializers.Serializer):
    level = serializers.CharField()
    id = serializers.IntegerField()
    code = serializers.CharField(
        allow_null=True, help_text="Division or grid code; null for an agent."
    )
    name = serializers.CharField()
    parent = serializers.DictField(allow_null=True, help_text="{code, name} of the unit above.")


class SupervisionFigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    suffix = serializers.CharField()


class StatsRowSerializer(serializers.Serializer):
    unit = SupervisionUnitSerializer()
    rank = serializers.IntegerField(allow_null=True)
    figures = serializers.DictField(help_text="figure key → value (null: nothing to divide)")


# `from` is a Python keyword: the answer's shape is declared with a field mapping
StatsSerializer = inline_serializer(
    name="Stats",
    fields={
        "level": serializers.CharField(),
        "area": serializers.CharField(allow_null=True),
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "order": serializers.CharField(allow_null=True),
        "figures": SupervisionFigureSerializer(many=True),
        "results": StatsRowSerializer(many=True),
    },
)


class IndicatorScoreSerializer(serializers.Serializer):
    figure = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    score = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    contribution = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    missing = serializers.BooleanField()


class UnitScoreSerializer(serializers.Serializer):
    unit = serializers.SerializerMethodField()
    rank = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    indicators = IndicatorScoreSerializer(many=True)

    def get_unit(self, obj) -> dict:
        return obj.unit.as_dict()


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "figure",
            "weight",
            "direction",
            "method",
            "target",
            "best",
            "worst",
            "missing_score",
        ]


class SchemeSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = AssessmentScheme
        fields = [
            "id",
            "code",
            "name",
            "version",
            "level",
            "period_kind",
            "note",
            "active",
            "published_at",
            "created_at",
            "indicators",
        ]


AssessmentSerializer = inline_serializer(
    name="Assessment",
    fields={
        "scheme": SchemeSerializer(),
        "period": serializers.CharField(),
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "results": UnitScoreSerializer(many=True),
    },
)


class SchemeInput(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100, allow_blank=True)
    level = serializers.CharField(max_length=20)
    period_kind = serializers.CharField(max_length=20)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )
    indicators = serializers.ListField(
        child=serializers.DictField(validators=[bounded_json]),
        max_length=ITEMS_MAX,
        help_text=(
            "[{figure, weight, direction: higher|lower, method: target|band, target | best & "
            "worst, missing_score (default 0)}]"
        ),
    )


# --- notices ---------------------------------------------------------------------------------------


class NoticeRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = NoticeRule
        fields = [
            "id",
            "name",
            "kind",
            "figure",
            "comparison",
            "threshold",
            "level",
            "period_kind",
            "active",
            "created_at",
        ]


class NoticeRuleInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, allow_blank=True)
    kind = serializers.CharField(max_length=20)
    figure = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    comparison = serializers.CharField(max_length=2, required=False, default="gt")
    threshold = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, default=0)
    level = serializers.CharField(max_length=20)
    period_kind = serializers.CharField(max_length=20)


class SupervisionNoticeSerializer(serializers.ModelSerializer):
    """What staff read: the full text, naming whoever the notice is about."""

    rule = serializers.SerializerMethodField()
    area = serializers.CharField(source="area.code")

    class Meta:
        model = Notice
        fields = [
            "id",
            "rule",
            "level",
            "unit_name",
            "public_unit_name",
            "area",
            "period",
            "period_start",
            "period_end",
            "value",
            "details",
            "text",
            "public_text",
            "status",
            "proposed_at",
            "reviewed_at",
            "review_note",
        ]

    def get_rule(self, obj) -> dict:
        return {"id": obj.rule_id, "name": obj.rule.name, "kind": obj.rule.kind}


class PublicNoticeSerializer(serializers.ModelSerializer):
    """通报 on the public board: units only, never a person."""

    unit = serializers.CharField(source="public_unit_name")
    area = serializers.CharField(source="area.code")
    title = serializers.CharField(source="rule.name")
    text = serializers.CharField(source="public_text")
    issued_at = serializers.DateTimeField(source="reviewed_at")

    class Meta:
        model = Notice
        fields = ["id", "unit", "area", "period", "title", "text", "issued_at"]


class NoticeIssueInput(serializers.Serializer):
    public_text = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH
    )


class NoticeDismissInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=TEXT_MAX_LENGTH)


# --- inspections ------------------------------------------------------------------------------------


class ChecklistItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    max_score = serializers.IntegerField()
    six_haves = serializers.BooleanField()


ChecklistSerializer = inline_serializer(
    name="InspectionChecklist",
    fields={
        "version": serializers.CharField(),
        "max_total": serializers.IntegerField(),
        "items": ChecklistItemSerializer(many=True),
    },
)


class InspectionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionItem
        fields = ["key", "label", "max_score", "score", "note"]


class InspectionPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = InspectionPhoto
        fields = ["id", "content_type", "size", "width", "height", "note", "uploaded_at", "url"]

    def get_url(self, obj) -> str:
        return reverse("supervision:inspection-photo-file", args=[obj.inspection_id, obj.pk])


class InspectionSerializer(serializers.ModelSerializer):
    centre = serializers.SerializerMethodField()
    inspector = serializers.CharField(source="inspector.full_name")
    percent = serializers.FloatField()
    items = InspectionItemSerializer(many=True)
    photos = InspectionPhotoSerializer(many=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "centre",
            "inspector",
            "date",
            "checklist_version",
            "total",
            "max_total",
            "percent",
            "findings",
            "items",
            "photos",
            "created_at",
        ]

    def get_centre(self, obj) -> dict:
        return {"code": obj.centre.area.code, "name": obj.centre.name}


class InspectionInput(serializers.Serializer):
    centre = serializers.CharField(
        max_length=DIVISION_CODE_MAX_LENGTH, help_text="Division code of the centre or station."
    )
    date = serializers.DateField()
    items = serializers.DictField(
        validators=[bounded_json],
        help_text="{item key: {score, note}} for every checklist item.",
    )
    findings = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class PhotoInput(serializers.Serializer):
    file = serializers.FileField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
