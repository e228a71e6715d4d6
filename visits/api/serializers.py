from rest_framework import serializers

from geo.api.fields import CrsGeometryField
from geo.api.serializers import GeoJSONGeometryInput

from ..models import Visit


class VisitInput(serializers.Serializer):
    appointment = serializers.IntegerField(required=False, allow_null=True)
    case = serializers.IntegerField(required=False, allow_null=True)
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
    crs = serializers.CharField(required=False, help_text="wgs84 (default), gcj02 or bd09.")
    accuracy_m = serializers.FloatField(required=False, allow_null=True)


class CheckOutInput(CheckInInput):
    record = serializers.DictField(
        required=False, help_text="forms_filled, papers_collected, photos (lists), notes."
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
