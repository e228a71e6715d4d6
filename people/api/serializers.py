"""Shapes of the people API. Rules live in people.services; these only describe data."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import CODE_MAX_LENGTH, ITEMS_MAX, NumberField, crs_field, id_field
from geo.api.fields import CrsGeometryField
from geo.api.serializers import GeoJSONGeometryInput

from ..models import DeskDay, DeskShift, GridAssignment, Leave, PositionReport, Staff, Training


class CentreRefSerializer(serializers.Serializer):
    code = serializers.CharField(source="area.code")
    name = serializers.CharField()


class StaffSerializer(serializers.ModelSerializer):
    centre = CentreRefSerializer(allow_null=True)
    username = serializers.CharField(source="user.username")

    class Meta:
        model = Staff
        fields = [
            "id",
            "username",
            "full_name",
            "phone",
            "post",
            "agent_type",
            "roles",
            "centre",
            "public",
            "active",
            "language",
        ]


class MyGridSerializer(serializers.Serializer):
    code = serializers.CharField(source="grid.code")
    name = serializers.CharField(source="grid.name")
    community = serializers.CharField(source="grid.community.code")
    kind = serializers.CharField()
    valid_from = serializers.DateField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    is_superuser = serializers.BooleanField()
    staff = StaffSerializer(allow_null=True)
    grids = MyGridSerializer(many=True)
    last_position = CrsGeometryField(allow_null=True)
    last_position_at = serializers.DateTimeField(allow_null=True)


@extend_schema_field(serializers.ChoiceField(choices=settings.LANGUAGES))
class LanguageCodeField(serializers.CharField):
    """A language code as given: people.services decides whether it is one there is (a choice
    field would refuse an unknown one as a generic `invalid_input`, not `unknown_language`)."""


class MeEditInput(serializers.Serializer):
    language = LanguageCodeField(
        allow_blank=True,
        trim_whitespace=False,
        help_text=(
            "The language of the messages written to you (notifications, pushes), one of "
            + ", ".join(f"`{code}`" for code, _name in settings.LANGUAGES)
            + " (default `zh-hans`); anything else is refused with 400 `unknown_language`."
        ),
    )


class PositionInput(serializers.Serializer):
    location = GeoJSONGeometryInput(help_text="GeoJSON Point.")
    accuracy_m = NumberField(min_value=0, help_text="Metres, 0 to 10,000 (a JSON number).")
    recorded_at = serializers.DateTimeField()
    crs = crs_field(help_text="Overrides the batch's crs.")
    client_uuid = serializers.UUIDField(
        required=False, allow_null=True, help_text="Set by the phone: a replayed batch stores once."
    )


class PositionBatchInput(serializers.Serializer):
    crs = crs_field()
    positions = PositionInput(many=True, allow_empty=False)


class StoredSerializer(serializers.Serializer):
    stored = serializers.IntegerField()


class PositionSerializer(serializers.ModelSerializer):
    location = CrsGeometryField()

    class Meta:
        model = PositionReport
        fields = ["location", "accuracy_m", "recorded_at", "received_at"]


class AssignmentSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code")
    staff = serializers.IntegerField(source="staff_id")
    staff_name = serializers.CharField(source="staff.full_name")
    active = serializers.SerializerMethodField()

    class Meta:
        model = GridAssignment
        fields = [
            "id",
            "grid",
            "staff",
            "staff_name",
            "kind",
            "valid_from",
            "valid_to",
            "active",
            "created_at",
            "end_reason",
        ]

    def get_active(self, obj) -> bool:
        today = self.context["today"]
        return obj.valid_from <= today and (obj.valid_to is None or obj.valid_to > today)


class AssignmentInput(serializers.Serializer):
    staff = id_field()
    kind = serializers.ChoiceField(choices=GridAssignment.Kind.choices)
    valid_from = serializers.DateField(required=False, help_text="Default: today.")
    valid_to = serializers.DateField(required=False, allow_null=True)


class BulkAssignmentItem(AssignmentInput):
    grid = serializers.CharField(max_length=CODE_MAX_LENGTH)


class BulkAssignmentInput(serializers.Serializer):
    assignments = BulkAssignmentItem(many=True, allow_empty=False, max_length=ITEMS_MAX)


class AssignmentEndInput(serializers.Serializer):
    valid_to = serializers.DateField(help_text="First day the assignment no longer applies.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ShiftSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.full_name", read_only=True)

    class Meta:
        model = DeskShift
        fields = ["id", "staff", "staff_name", "date", "start", "end"]
        read_only_fields = ["id"]
        extra_kwargs = {"staff": {"read_only": True}}


class ShiftInput(serializers.Serializer):
    staff = id_field()
    date = serializers.DateField()
    start = serializers.TimeField()
    end = serializers.TimeField()


class DeskDaySerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.full_name", read_only=True)

    class Meta:
        model = DeskDay
        fields = ["id", "staff", "staff_name", "weekday", "start", "end"]
        extra_kwargs = {"staff": {"read_only": True}}


class DeskDayInput(serializers.Serializer):
    staff = id_field()
    weekday = serializers.IntegerField(help_text="1 (Monday) to 7 (Sunday).")
    start = serializers.TimeField()
    end = serializers.TimeField()


class DeskPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    post = serializers.CharField()
    phone = serializers.CharField()


class DeskNowSerializer(serializers.Serializer):
    centre = serializers.CharField()
    at = serializers.DateTimeField()
    staff = DeskPersonSerializer(many=True)


class DeskGapsSerializer(serializers.Serializer):
    centre = serializers.CharField()
    centre_name = serializers.CharField()
    days = serializers.ListField(child=serializers.DateField())
    provisional = serializers.BooleanField()


class LeaveSerializer(serializers.ModelSerializer):
    reason = serializers.SerializerMethodField(
        help_text="Why (e.g. 病假): for the person, their managers and administrators only; "
        "null for everyone else (sensitive personal information, PIPL art. 28)."
    )

    class Meta:
        model = Leave
        fields = ["id", "start", "end", "reason"]

    def get_reason(self, leave) -> str | None:
        return leave.reason if self.context.get("reasons") else None


class LeaveInput(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class IntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class AvailabilitySerializer(serializers.Serializer):
    available = serializers.BooleanField()
    intervals = IntervalSerializer(many=True)


class TrainingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Training
        fields = ["id", "date", "topic", "trainer"]


class TrainingInput(serializers.Serializer):
    date = serializers.DateField()
    topic = serializers.CharField(max_length=200)
    trainer = serializers.CharField(max_length=100)


class StaffingSerializer(serializers.Serializer):
    without_primary = serializers.ListField(child=serializers.CharField())
    all_agents_on_leave = serializers.ListField(child=serializers.CharField())


class BoardPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Staff id, e.g. to name them in a complaint.")
    full_name = serializers.CharField()
    post = serializers.CharField()
    phone = serializers.CharField()
    agent_type = serializers.CharField()


class BoardItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    proxy_limit_days = serializers.IntegerField()
    free_of_charge = serializers.BooleanField()


class BoardDeskGapsSerializer(serializers.Serializer):
    first = serializers.DateField(help_text="First day looked at (today).")
    last = serializers.DateField(help_text="Last day looked at (PEOPLE BOARD_DESK_DAYS on).")
    days = serializers.ListField(
        child=serializers.DateField(), help_text="Working days with nobody at the desk."
    )
    provisional = serializers.BooleanField(
        help_text="The statutory calendar of some day is not published yet."
    )


class BoardRegisterHeadSerializer(serializers.Serializer):
    published_on = serializers.DateField()
    number = serializers.CharField(help_text="The register entry at the head, e.g. 2026-00017.")
    hash = serializers.CharField(help_text="Its keyed hash: keep it to check the register later.")


class BoardSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    area_name = serializers.CharField()
    level = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    opening_hours = serializers.CharField()
    acceptance = serializers.CharField()
    acceptance_days = serializers.ListField(child=serializers.CharField())
    desk_gaps = BoardDeskGapsSerializer()
    people = BoardPersonSerializer(many=True)
    service_items = BoardItemSerializer(many=True)
    process = serializers.ListField(child=serializers.CharField())
    rules = serializers.ListField(child=serializers.CharField())
    suggestion_box = serializers.CharField()
    register_head = BoardRegisterHeadSerializer(
        allow_null=True, help_text="The register's head as last published (daily)."
    )
