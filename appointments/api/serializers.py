"""Shapes of the appointments API. The routing block shows candidates and distances to staff
only: an anonymous booker sees the agent and nothing else (positions are personal data)."""

from __future__ import annotations

from rest_framework import serializers

from core.api.fields import CODE_MAX_LENGTH, crs_field, id_field
from core.api.serializers import ActionOfferSerializer, CachedFieldsMixin
from geo.api.fields import CrsGeometryField
from geo.api.serializers import GeoJSONGeometryInput
from geo.geometry import parse_point

from ..intake import Intake
from ..models import Appointment, AppointmentEvent, Channel


class AppointmentInput(serializers.Serializer):
    service_item = serializers.CharField(
        max_length=CODE_MAX_LENGTH, help_text="Catalogue code; QT-000 for any other request."
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    applicant_name = serializers.CharField(max_length=50)
    applicant_phone = serializers.CharField(max_length=20)
    resident_id = serializers.CharField(required=False, allow_blank=True, max_length=18)
    location = GeoJSONGeometryInput(help_text="GeoJSON Point.")
    crs = crs_field()
    address = serializers.CharField(max_length=300)
    preferred_start = serializers.DateTimeField(required=False, allow_null=True)
    preferred_end = serializers.DateTimeField(required=False, allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices)
    client_uuid = serializers.UUIDField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


def intake_from(data: dict) -> Intake:
    """The service's request from an AppointmentInput's validated data (the API and the
    residents' booking page read a booking the same way)."""
    return Intake(
        service_item=data["service_item"],
        applicant_name=data["applicant_name"],
        applicant_phone=data["applicant_phone"],
        location=parse_point(data["location"], data.get("crs")),
        address=data["address"],
        channel=data["channel"],
        description=data.get("description", ""),
        resident_id=data.get("resident_id", ""),
        preferred_start=data.get("preferred_start"),
        preferred_end=data.get("preferred_end"),
        client_uuid=data.get("client_uuid"),
        notes=data.get("notes", ""),
    )


class AgentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.CharField()


class PublicRoutingSerializer(serializers.Serializer):
    rule = serializers.CharField()
    grid = serializers.CharField(allow_null=True)
    agent = AgentRefSerializer(allow_null=True)
    outside_coverage = serializers.BooleanField()


class StaffRoutingSerializer(PublicRoutingSerializer):
    distance_m = serializers.FloatField(allow_null=True)
    candidates = serializers.ListField(child=serializers.DictField())
    reason = serializers.CharField(required=False)


def routing_block(appointment: Appointment, *, staff_view: bool) -> dict:
    routing = appointment.routing or {}
    agent = appointment.agent
    block = {
        "rule": routing.get("rule", ""),
        "grid": routing.get("grid"),
        "agent": {"id": agent.pk, "name": agent.full_name, "phone": agent.phone} if agent else None,
        "outside_coverage": appointment.outside_coverage,
    }
    if staff_view:
        block.update(
            distance_m=routing.get("distance_m"),
            candidates=routing.get("candidates", []),
            reason=routing.get("reason", ""),
        )
    return block


class AppointmentSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    location = CrsGeometryField()
    service_item = serializers.CharField(source="service_item.code")
    service_item_name = serializers.CharField(source="item_version.name")
    item_version = serializers.IntegerField(source="item_version.version")
    queue = serializers.CharField(source="queue_centre.area.code", allow_null=True, default=None)
    resident_id = serializers.CharField(source="resident_id_masked")
    routing = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "tracking_code",
            "status",
            "service_item",
            "service_item_name",
            "item_version",
            "description",
            "applicant_name",
            "applicant_phone",
            "resident_id",
            "address",
            "location",
            "preferred_start",
            "preferred_end",
            "channel",
            "first_inquiry",
            "confirm_deadline",
            "queue",
            "routing",
            "created_at",
            "version",
        ]

    def get_routing(self, obj) -> dict:
        return routing_block(obj, staff_view=self.context.get("staff_view", False))


class PublicAppointmentSerializer(serializers.Serializer):
    """What an anonymous booker gets back: no other agents, no distances, no positions."""

    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    routing = PublicRoutingSerializer()
    one_time_notice = serializers.DictField()


class CreatedAppointmentSerializer(AppointmentSerializer):
    one_time_notice = serializers.DictField()

    class Meta(AppointmentSerializer.Meta):
        fields = [*AppointmentSerializer.Meta.fields, "one_time_notice"]


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)

    class Meta:
        model = AppointmentEvent
        fields = ["at", "actor", "action", "from_status", "to_status", "note", "data"]


class AppointmentDetailSerializer(AppointmentSerializer):
    events = EventSerializer(many=True)
    actions = ActionOfferSerializer(
        many=True,
        source="actions_offered",
        default=list,
        help_text="The actions the requester may take now (open_case: POST /api/v1/cases/).",
    )

    class Meta(AppointmentSerializer.Meta):
        fields = [*AppointmentSerializer.Meta.fields, "events", "actions"]


class ActionInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    to = id_field(required=False, help_text="Staff id (hand_over, reassign).")
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text="Optional; actions are guarded by state.",
    )


class ActionDoneSerializer(serializers.Serializer):
    """The answer to an action after which the appointment is no longer the actor's to see
    (declined or handed over: it went to someone else). The action was taken; a phone replaying
    its queue must not read this as a failure."""

    id = serializers.IntegerField()
    action = serializers.CharField()
    visible = serializers.BooleanField(help_text="Always false: no longer in your scope.")


class ResidentIdSerializer(serializers.Serializer):
    resident_id = serializers.CharField()
