"""Suggestions and complaints over HTTP: public, throttled intake; scoped staff reads and
actions; the station's public board; the complainant's tracking look-up."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.input import validated
from core.api.throttles import AnonRateThrottle
from core.errors import ApplicationError, NotFound
from geo.services import normalise_area_code

from .. import selectors, services
from ..models import Complaint, ComplaintEvent, Suggestion
from . import serializers as s

LIST_LIMIT = 500


class AnonFeedbackThrottle(AnonRateThrottle):
    """Public suggestions and complaints, counted together per client address."""

    scope = "feedback_anon"


class AnonTrackThrottle(AnonRateThrottle):
    """The complainant's look-up: the same rate, its own counter (guessing the last four
    digits of a phone number takes thousands of tries)."""

    scope = "feedback_anon"
    cache_format = "throttle_feedback_track_%(ident)s"


def _status_filter(request, choices) -> str | None:
    value = request.query_params.get("status")
    if value and value not in choices.values:
        raise ApplicationError(
            "invalid_status",
            _("Unknown status %(status)r.") % {"status": value},
            details={"allowed": list(choices.values)},
        )
    return value or None


# --- suggestions ---------------------------------------------------------------------------


def _check_suggestion(request, pk: int) -> None:
    """Out of scope answers 404 before the body is looked at."""
    if not selectors.suggestions_for(request.user).filter(pk=pk).exists():
        raise NotFound("unknown_suggestion", _("No such suggestion."))


class SuggestionList(APIView):
    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_throttles(self):
        return [AnonFeedbackThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        tags=["feedback"],
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(Suggestion.Status.values)),
            OpenApiParameter("station", OpenApiTypes.STR, description="Division code."),
        ],
        responses={200: s.SuggestionSerializer(many=True)},
    )
    def get(self, request):
        """The suggestion boxes the requester looks after, newest first."""
        rows = selectors.suggestions_for(request.user)
        if value := _status_filter(request, Suggestion.Status):
            rows = rows.filter(status=value)
        if code := request.query_params.get("station"):
            rows = rows.filter(station__area__code=normalise_area_code(code))
        return Response(s.SuggestionSerializer(rows[:LIST_LIMIT], many=True).data)

    @extend_schema(
        tags=["feedback"],
        request=s.SuggestionInput,
        responses={201: s.CreatedSuggestionSerializer},
        examples=[
            OpenApiExample(
                "An anonymous suggestion",
                request_only=True,
                value={"station": "211102003001", "text": "希望周六上午也能受理。"},
            )
        ],
    )
    def post(self, request):
        """意见箱: leave a suggestion for a station. Name and phone are optional; with a phone,
        the reply comes by text message. Open to anyone, limited per client."""
        data = validated(s.SuggestionInput, request.data)
        suggestion = services.suggestion_create(
            station_code=data["station"], text=data["text"], name=data["name"], phone=data["phone"]
        )
        return Response(
            s.CreatedSuggestionSerializer(suggestion).data, status=status.HTTP_201_CREATED
        )


class SuggestionReply(APIView):
    @extend_schema(
        tags=["feedback"],
        request=s.SuggestionReplyInput,
        responses={200: s.SuggestionSerializer},
    )
    def post(self, request, pk: int):
        """Answer a suggestion (once): the station's manager, the street/town centre above it,
        district staff, administrators."""
        _check_suggestion(request, pk)
        data = validated(s.SuggestionReplyInput, request.data)
        suggestion = services.suggestion_reply(
            actor=request.user, suggestion_id=pk, reply=data["reply"], public=data["public"]
        )
        return Response(s.SuggestionSerializer(suggestion).data)


class SuggestionVisibility(APIView):
    @extend_schema(
        tags=["feedback"],
        request=s.SuggestionVisibilityInput,
        responses={200: s.SuggestionSerializer},
    )
    def post(self, request, pk: int):
        """Show or hide a suggestion on the station's public board (e.g. it holds personal data)."""
        _check_suggestion(request, pk)
        data = validated(s.SuggestionVisibilityInput, request.data)
        suggestion = services.suggestion_set_public(
            actor=request.user, suggestion_id=pk, public=data["public"]
        )
        return Response(s.SuggestionSerializer(suggestion).data)


class BoardSuggestions(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(tags=["public"], responses={200: s.BoardSuggestionSerializer(many=True)})
    def get(self, request, code: str):
        """意见箱回复公示: a station's answered suggestions — text, reply and dates, never who."""
        rows = selectors.board_suggestions(code=code)
        return Response(s.BoardSuggestionSerializer(rows, many=True).data)


# --- complaints ----------------------------------------------------------------------------


def _complaint(request, pk: int) -> Complaint:
    complaint = (
        selectors.complaints_for(request.user)
        .prefetch_related(
            Prefetch("events", queryset=ComplaintEvent.objects.select_related("actor"))
        )
        .filter(pk=pk)
        .first()
    )
    if complaint is None:
        raise NotFound("unknown_complaint", _("No such complaint."))
    complaint.actions_offered = services.complaint_actions_offered(request.user, complaint)
    return complaint


class ComplaintList(APIView):
    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_throttles(self):
        return [AnonFeedbackThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        tags=["feedback"],
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(Complaint.Status.values))
        ],
        responses={200: s.ComplaintSerializer(many=True)},
    )
    def get(self, request):
        """Complaints the requester handles or supervises, newest first."""
        rows = selectors.complaints_for(request.user)
        if value := _status_filter(request, Complaint.Status):
            rows = rows.filter(status=value)
        return Response(s.ComplaintSerializer(rows[:LIST_LIMIT], many=True).data)

    @extend_schema(
        tags=["feedback"],
        request=s.ComplaintInput,
        responses={201: s.CreatedComplaintSerializer},
        examples=[
            OpenApiExample(
                "A complaint about an agent",
                request_only=True,
                value={
                    "staff": 12,
                    "complainant_name": "张三",
                    "complainant_phone": "13800001234",
                    "text": "约好上门却没有来，也没有通知。",
                },
            )
        ],
    )
    def post(self, request):
        """投诉: complain about a staff member (id) and/or a case (tracking code). The
        street/town centre above them handles it and replies by text message. Keep the
        tracking code to follow it."""
        data = validated(s.ComplaintInput, request.data)
        complaint = services.complaint_create(
            actor=request.user,
            staff_id=data.get("staff"),
            case_code=data["case"],
            complainant_name=data["complainant_name"],
            complainant_phone=data["complainant_phone"],
            text=data["text"],
        )
        return Response(
            s.CreatedComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED
        )


class ComplaintDetail(APIView):
    @extend_schema(tags=["feedback"], responses={200: s.ComplaintDetailSerializer})
    def get(self, request, pk: int):
        return Response(s.ComplaintDetailSerializer(_complaint(request, pk)).data)


class ComplaintAction(APIView):
    @extend_schema(
        tags=["feedback"],
        request=s.ComplaintActionInput,
        responses={200: s.ComplaintDetailSerializer},
        parameters=[
            OpenApiParameter(
                "action",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=sorted(services.TRANSITIONS),
            )
        ],
    )
    def post(self, request, pk: int, action: str):
        """investigate · reply (reply) · close (outcome, note): the handling centre's staff and
        leads, district staff, administrators."""
        _complaint(request, pk)  # out of scope answers 404 before anything else
        data = validated(s.ComplaintActionInput, request.data)
        services.complaint_act(actor=request.user, complaint_id=pk, action=action, payload=data)
        return Response(s.ComplaintDetailSerializer(_complaint(request, pk)).data)


class ComplaintTrack(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonTrackThrottle]

    @extend_schema(
        tags=["public"],
        parameters=[
            OpenApiParameter(
                "phone",
                OpenApiTypes.STR,
                required=True,
                description="Last four digits of the mobile number given with the complaint.",
            )
        ],
        responses={200: s.ComplaintTrackSerializer},
    )
    def get(self, request, tracking_code: str):
        """Follow a complaint: its state, and the reply and outcome once given."""
        complaint = selectors.complaint_track(
            tracking_code=tracking_code, phone_last4=request.query_params.get("phone", "")
        )
        return Response(s.ComplaintTrackSerializer(s.track_block(complaint)).data)
