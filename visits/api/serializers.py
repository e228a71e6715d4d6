from rest_framework import serializers

from core.api.fields import NumberField, bounded_json, crs_field, id_field
from geo.api.fields import CrsGeometryField
from geo.api.serializers import GeoJSONGeometryInput

from ..models import Visit


class VisitInput(serializers.Serializer):
    appointment = id_field(required=False, allow_null=True)
    case = id_field(required=False, allow_null=True)
    scheduled_for = serializers.DateTimeField(required=False, allow_null=True)
    client_uuid = serializers.UUIDField(required=False, allow_null=True)
    appointment_client_uuid = serializers.UUIDField(
        required=False, allow_null=True, help_text="The appointment as this phone named it offline."
    )
    case_client_uuid = serializers.UUIDField(
        required=False, allow_null=True, help_text="The case as this phone named it offline."
    )


class CheckInInput(serializers.Serializer):
    position = GeoJSONGeometryInput(help_text="GeoJSON Point where the phone is.")
    crs = crs_field()
    accuracy_m = NumberField(
        required=False, allow_null=True, help_text="Metres, 0 to 10,000 (a JSON number)."
    )


class CheckOutInput(CheckInInput):
    record = serializers.DictField(
        required=False,
        validators=[bounded_json],
        help_text="forms_filled, papers_collected, photos (lists), notes.",
    )


class VisitSerializer(serializers.ModelSerializer):
    destination = CrsGeometryField(allow_null=True)
    check_in_position = CrsGeometryField(allow_null=True)
    check_out_position = CrsGeometryField(allow_null=True)
    agent = serializers.IntegerField(source="agent_id")
    appointment = serializers.IntegerField(source="appointment_id", allow_null=True)
    case = serializers.IntegerField(source="case_id", allow_null=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "client_uuid",
            "appointment",
            "case",
            "agent",
            "status",
            "scheduled_for",
            "destination",
            "checked_in_at",
            "check_in_position",
            "check_in_accuracy_m",
            "check_in_distance_m",
            "check_in_flagged",
            "checked_out_at",
            "check_out_position",
            "check_out_distance_m",
            "record",
            "created_at",
            "version",
        ]
