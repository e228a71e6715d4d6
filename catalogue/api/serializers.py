"""Shapes of the catalogue API (rules live in catalogue.rules and catalogue.services)."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import (
    CODE_MAX_LENGTH,
    DIVISION_CODE_MAX_LENGTH,
    LONG_TEXT_MAX_LENGTH,
    bounded_json,
)

from ..models import ApprovalWindow, HandlingLevel, ServiceItemVersion


class WindowSerializer(serializers.ModelSerializer):
    centre = serializers.CharField(source="centre.area.code", read_only=True)
    centre_name = serializers.CharField(source="centre.name", read_only=True)

    class Meta:
        model = ApprovalWindow
        fields = ["code", "department", "name", "centre", "centre_name", "hours", "phone"]


class WindowInput(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    department = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=100)
    centre = serializers.CharField(
        max_length=DIVISION_CODE_MAX_LENGTH,
        help_text="Division code of the centre the window sits in.",
    )
    hours = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=32)


class MaterialSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    form = serializers.ChoiceField(choices=["original", "copy", "original_and_copy"])
    copies = serializers.IntegerField()
    issuer = serializers.CharField(allow_blank=True)
    notes = serializers.CharField(allow_blank=True)
    agent_may_carry_original = serializers.BooleanField()


class FeeSerializer(serializers.Serializer):
    name = serializers.CharField()
    amount = serializers.CharField(help_text="Yuan, two decimals.")
    legal_basis = serializers.CharField()


class ItemSummarySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="item.code")
    is_other_request = serializers.BooleanField(source="item.is_other_request")
    free_of_charge = serializers.BooleanField(source="is_free")

    class Meta:
        model = ServiceItemVersion
        fields = [
            "code",
            "version",
            "name",
            "category",
            "handling_level",
            "department",
            "proxy_limit_days",
            "committed_limit_days",
            "free_of_charge",
            "home_visit_usual",
            "is_other_request",
        ]


class ItemDetailSerializer(ItemSummarySerializer):
    window = WindowSerializer(allow_null=True)
    materials = MaterialSerializer(many=True)
    fees = FeeSerializer(many=True)
    procedure = serializers.ListField(child=serializers.CharField())

    class Meta(ItemSummarySerializer.Meta):
        fields = [
            *ItemSummarySerializer.Meta.fields,
            "description",
            "legal_basis",
            "eligibility",
            "window",
            "materials",
            "procedure",
            "fees",
            "created_at",
            "note",
        ]


class ItemContentInput(serializers.Serializer):
    """Types only; every rule (limits, materials, fees) is checked by the service."""

    name = serializers.CharField(max_length=200)
    category = serializers.CharField(max_length=50)
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )
    handling_level = serializers.ChoiceField(choices=HandlingLevel.choices)
    department = serializers.CharField(max_length=100)
    window = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=CODE_MAX_LENGTH,
        help_text="Approval window code.",
    )
    legal_basis = serializers.CharField(
        required=False, allow_blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )
    eligibility = serializers.CharField(
        required=False, allow_blank=True, max_length=LONG_TEXT_MAX_LENGTH
    )
    materials = serializers.JSONField(
        validators=[bounded_json],
        help_text="List of {key, name, form, copies, issuer, notes, agent_may_carry_original}.",
    )
    procedure = serializers.JSONField(validators=[bounded_json], help_text="List of steps.")
    committed_limit_days = serializers.JSONField(help_text="Working days.")
    proxy_limit_days = serializers.JSONField(help_text="Working days, at most the committed limit.")
    fees = serializers.JSONField(
        required=False,
        validators=[bounded_json],
        help_text="List of {name, amount, legal_basis}; none means free.",
    )
    home_visit_usual = serializers.BooleanField(required=False)


class ItemCreateInput(ItemContentInput):
    code = serializers.CharField(max_length=32)


class ItemPatchInput(ItemContentInput):
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class CentreItemsInput(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.CharField(max_length=CODE_MAX_LENGTH), allow_empty=True, max_length=1000
    )


class NoticeSerializer(serializers.Serializer):
    item = serializers.CharField()
    version = serializers.IntegerField()
    version_date = serializers.DateField()
    name = serializers.CharField()
    category = serializers.CharField()
    description = serializers.CharField()
    handling_level = serializers.CharField()
    department = serializers.CharField()
    legal_basis = serializers.CharField()
    eligibility = serializers.CharField()
    materials = MaterialSerializer(many=True)
    only_missing = serializers.BooleanField()
    procedure = serializers.ListField(child=serializers.CharField())
    committed_limit_days = serializers.IntegerField()
    proxy_limit_days = serializers.IntegerField()
    fees = FeeSerializer(many=True)
    free_of_charge = serializers.BooleanField()
    home_visit_usual = serializers.BooleanField()
    where = serializers.DictField(allow_null=True)
