"""Shapes of the cases API."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import ITEMS_MAX, TEXT_MAX_LENGTH, bounded_json, crs_field, id_field
from core.api.serializers import ActionOfferSerializer
from geo.api.fields import CrsGeometryField
from geo.api.serializers import GeoJSONGeometryInput

from ..models import Case, CaseEvent, CustodyTransfer, Fee, Original, RegisterEntry


class CaseInput(serializers.Serializer):
    appointment = id_field(
        required=False, allow_null=True, help_text="Open from this confirmed appointment."
    )
    appointment_client_uuid = serializers.UUIDField(
        required=False, allow_null=True, help_text="…or the one this phone created offline."
    )
    client_uuid = serializers.UUIDField(
        required=False, allow_null=True, help_text="Set by the phone: a replay opens nothing new."
    )
    service_item = serializers.CharField(required=False, allow_blank=True, max_length=32)
    applicant_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    applicant_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    resident_id = serializers.CharField(required=False, allow_blank=True, max_length=18)
    address = serializers.CharField(required=False, allow_blank=True, max_length=300)
    location = GeoJSONGeometryInput(required=False, allow_null=True)
    crs = crs_field()
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    checklist = serializers.DictField(
        child=serializers.CharField(max_length=TEXT_MAX_LENGTH),
        required=False,
        allow_null=True,
        validators=[bounded_json],
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CaseEditInput(serializers.Serializer):
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    address = serializers.CharField(required=False, max_length=300)
    applicant_phone = serializers.CharField(required=False, max_length=20)
    location = GeoJSONGeometryInput(required=False)
    crs = crs_field()


class CaseActionInput(serializers.Serializer):
    """Everything any action may carry; which fields an action needs is in its table row."""

    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    checklist = serializers.DictField(
        child=serializers.CharField(max_length=TEXT_MAX_LENGTH),
        required=False,
        validators=[bounded_json],
        help_text="review, accept",
    )
    originals = serializers.ListField(
        child=serializers.DictField(validators=[bounded_json]),
        required=False,
        max_length=ITEMS_MAX,
        help_text="accept: [{name, material_key}]",
    )
    to = id_field(required=False, help_text="hand_over: staff id")
    original = id_field(required=False, help_text="custody: original id")
    name = serializers.CharField(
        required=False, max_length=100, help_text="custody: a new original; fee: its name"
    )
    material_key = serializers.CharField(required=False, allow_blank=True, max_length=40)
    holder = serializers.CharField(required=False, max_length=10, help_text="custody: to whom")
    person = serializers.CharField(required=False, allow_blank=True, max_length=50)
    amount = serializers.CharField(required=False, max_length=20, help_text="fee, in yuan")
    return_code = serializers.CharField(required=False, allow_blank=True, max_length=12)
    signature = serializers.FileField(required=False, help_text="return: a signature photo")
    rating = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    fields = serializers.DictField(
        required=False, validators=[bounded_json], help_text="correct: changed register fields"
    )
    position = GeoJSONGeometryInput(required=False, help_text="Where the phone was (Point).")
    crs = crs_field()
    expected_version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The version the action was taken on: changed since → 412 stale_version.",
    )


class CaseStaffSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")
    phone = serializers.CharField()


class CustodyTransferSerializer(serializers.ModelSerializer):
    class Meta:
        model = CustodyTransfer
        fields = ["from_holder", "to_holder", "person", "at"]


class OriginalSerializer(serializers.ModelSerializer):
    transfers = CustodyTransferSerializer(many=True)

    class Meta:
        model = Original
        fields = ["id", "name", "material_key", "holder", "taken_at", "transfers"]


class CaseFeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fee
        fields = ["id", "name", "amount", "legal_basis", "recorded_at"]


class RegisterEntrySerializer(serializers.ModelSerializer):
    number = serializers.CharField()
    centre = serializers.CharField(source="centre.area.code")
    street_centre = serializers.CharField(source="street_centre.area.code")
    case = serializers.CharField(source="case.tracking_code")
    corrects = serializers.CharField(source="corrects.number", allow_null=True, default=None)

    class Meta:
        model = RegisterEntry
        fields = [
            "id",
            "number",
            "year",
            "serial",
            "centre",
            "street_centre",
            "case",
            "kind",
            "corrects",
            "content",
            "created_at",
            "prev_hash",
            "hash",
            "scheme",
            "key_id",
        ]


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    position = CrsGeometryField(allow_null=True)

    class Meta:
        model = CaseEvent
        fields = ["at", "actor", "action", "from_status", "to_status", "note", "data", "position"]


class CaseSerializer(serializers.ModelSerializer):
    location = CrsGeometryField(allow_null=True)
    centre = serializers.CharField(source="centre.area.code")
    centre_name = serializers.CharField(source="centre.name")
    service_item = serializers.CharField(source="service_item.code")
    service_item_name = serializers.CharField(source="item_version.name")
    item_version = serializers.IntegerField(source="item_version.version")
    proxy_limit_days = serializers.IntegerField(source="item_version.proxy_limit_days")
    window = serializers.CharField(source="window.code", allow_null=True, default=None)
    responsible = CaseStaffSerializer()
    resident_id = serializers.CharField(source="resident_id_masked")
    light = serializers.CharField(
        allow_null=True, help_text="green, yellow, red; null if not running"
    )
    appointment = serializers.IntegerField(source="appointment_id", allow_null=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "tracking_code",
            "status",
            "origin",
            "appointment",
            "centre",
            "centre_name",
            "service_item",
            "service_item_name",
            "item_version",
            "proxy_limit_days",
            "window",
            "description",
            "applicant_name",
            "applicant_phone",
            "resident_id",
            "address",
            "location",
            "responsible",
            "checklist",
            "decline_reason",
            "refusal_reason",
            "opened_at",
            "accepted_at",
            "due_date",
            "due_provisional",
            "light",
            "returned_at",
            "closed_at",
            "rating",
            "rating_comment",
            "version",
        ]


class CaseDetailSerializer(CaseSerializer):
    events = CaseEventSerializer(many=True)
    originals = OriginalSerializer(many=True)
    fees = CaseFeeSerializer(many=True)
    register = RegisterEntrySerializer(many=True, source="register_entries")
    missing_notice = serializers.DictField(
        allow_null=True,
        help_text="一次告知: exactly the missing materials, when papers are missing.",
    )
    actions = ActionOfferSerializer(
        many=True,
        source="actions_offered",
        default=list,
        help_text="The actions the requester may take now, from the action table.",
    )

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "missing_notice",
            "originals",
            "fees",
            "register",
            "events",
            "actions",
        ]


class OriginalHeldSerializer(serializers.Serializer):
    name = serializers.CharField()
    holder = serializers.CharField(help_text="resident, agent, centre or window")
    holder_label = serializers.CharField()


class TrackingSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    kind = serializers.CharField(help_text="appointment or case")
    status = serializers.CharField()
    status_label = serializers.CharField()
    item = serializers.CharField()
    applicant = serializers.CharField(help_text="Masked.")
    agent = serializers.CharField(allow_null=True)
    light = serializers.CharField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    due_provisional = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, help_text="A decline or refusal reason.")
    originals = OriginalHeldSerializer(
        many=True, help_text="The applicant's originals the case took, and who holds each now."
    )
    rating = serializers.IntegerField(allow_null=True)
    can_rate = serializers.BooleanField(help_text="Closed and not rated yet: the applicant may.")
    timeline = serializers.ListField(child=serializers.DictField())


class TrackRatingInput(serializers.Serializer):
    phone = serializers.CharField(help_text="Last 4 digits of the applicant's mobile number.")
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class TrackRatingSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    rating = serializers.IntegerField()


class RegisterHeadSerializer(serializers.Serializer):
    published_on = serializers.DateField()
    published_at = serializers.DateTimeField()
    centre = serializers.CharField(source="centre.area.code")
    centre_name = serializers.CharField(source="centre.name")
    number = serializers.CharField(help_text="The entry at the head, e.g. 2026-00017.")
    hash = serializers.CharField(help_text="Its keyed hash (HMAC-SHA256).")
