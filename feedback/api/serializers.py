"""Shapes of the suggestion and complaint API. Inputs carry types only (the rules — required,
lengths, phone numbers — live in feedback.services). The public shapes never carry a
suggester's or complainant's name or phone, nor anything about the staff member."""

from __future__ import annotations

from rest_framework import serializers

from core.api.serializers import ActionOfferSerializer

from ..models import Complaint, ComplaintEvent, Suggestion

# --- suggestions ---------------------------------------------------------------------------


class SuggestionInput(serializers.Serializer):
    station = serializers.CharField(help_text="Division code of the station or street/town centre.")
    text = serializers.CharField(
        default="", allow_blank=True, help_text="Required, at most 2000 characters."
    )
    name = serializers.CharField(default="", allow_blank=True, help_text="Optional.")
    phone = serializers.CharField(
        default="", allow_blank=True, help_text="Optional mainland mobile number."
    )


class CreatedSuggestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Suggestion
        fields = ["id", "status", "created_at"]


class SuggestionSerializer(serializers.ModelSerializer):
    station = serializers.CharField(source="station.area.code")
    station_name = serializers.CharField(source="station.name")
    replied_by = serializers.CharField(source="replied_by.username", allow_null=True, default=None)

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "station",
            "station_name",
            "text",
            "name",
            "phone",
            "created_at",
            "status",
            "reply",
            "replied_by",
            "replied_at",
            "public",
        ]


class SuggestionReplyInput(serializers.Serializer):
    reply = serializers.CharField(default="", allow_blank=True, help_text="Required.")
    public = serializers.BooleanField(
        default=True, help_text="Post it on the station's public board (default true)."
    )


class SuggestionVisibilityInput(serializers.Serializer):
    public = serializers.BooleanField()


class BoardSuggestionSerializer(serializers.ModelSerializer):
    """意见箱回复公示: what the board shows — never who wrote it."""

    class Meta:
        model = Suggestion
        fields = ["text", "reply", "created_at", "replied_at"]


# --- complaints ----------------------------------------------------------------------------


class ComplaintInput(serializers.Serializer):
    staff = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of the staff member complained about."
    )
    case = serializers.CharField(
        default="", allow_blank=True, help_text="Tracking code of the case complained about."
    )
    complainant_name = serializers.CharField(default="", allow_blank=True)
    complainant_phone = serializers.CharField(
        default="", allow_blank=True, help_text="Mainland mobile number: the reply goes there."
    )
    text = serializers.CharField(
        default="", allow_blank=True, help_text="Required, at most 2000 characters."
    )


class CreatedComplaintSerializer(serializers.ModelSerializer):
    class Meta:
        model = Complaint
        fields = ["id", "tracking_code", "status"]


class ComplaintStaffSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class ComplaintSerializer(serializers.ModelSerializer):
    staff = ComplaintStaffSerializer(allow_null=True)
    case = serializers.CharField(source="case.tracking_code", allow_null=True, default=None)
    centre = serializers.CharField(source="centre.area.code")
    centre_name = serializers.CharField(source="centre.name")

    class Meta:
        model = Complaint
        fields = [
            "id",
            "tracking_code",
            "status",
            "staff",
            "case",
            "centre",
            "centre_name",
            "complainant_name",
            "complainant_phone",
            "text",
            "created_at",
            "reply",
            "replied_at",
            "outcome",
            "outcome_note",
            "closed_at",
        ]


class ComplaintEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)

    class Meta:
        model = ComplaintEvent
        fields = ["at", "actor", "action", "from_status", "to_status", "note"]


class ComplaintDetailSerializer(ComplaintSerializer):
    events = ComplaintEventSerializer(many=True)
    actions = ActionOfferSerializer(
        many=True,
        source="actions_offered",
        default=list,
        help_text="The actions the requester may take now (close: `choices.outcome`).",
    )

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "events", "actions"]


class ComplaintActionInput(serializers.Serializer):
    reply = serializers.CharField(default="", allow_blank=True, help_text="reply: required.")
    outcome = serializers.CharField(
        default="",
        allow_blank=True,
        help_text="close: required, one of " + ", ".join(Complaint.Outcome.values) + ".",
    )
    note = serializers.CharField(default="", allow_blank=True, help_text="Optional.")


class ComplaintTrackSerializer(serializers.Serializer):
    """What the complainant sees: the state, and the reply and outcome once there are any."""

    tracking_code = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    reply = serializers.CharField(allow_null=True)
    replied_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


def track_block(complaint: Complaint) -> dict:
    replied = complaint.replied_at is not None
    return {
        "tracking_code": complaint.tracking_code,
        "status": complaint.status,
        "created_at": complaint.created_at,
        "reply": complaint.reply if replied else None,
        "replied_at": complaint.replied_at,
        "outcome": complaint.outcome or None,
        "closed_at": complaint.closed_at,
    }
