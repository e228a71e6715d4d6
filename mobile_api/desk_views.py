"""The desk's endpoints: the queues with their counts and figures, and one queue's matters
(mobile_api.desk cuts them from what the requester may see)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.deadlines import today
from core.api.input import query_choice, query_division_code
from core.errors import PermissionDenied
from feedback.api.serializers import ComplaintSerializer
from people.scope import scope_for

from . import desk


class QueueCountSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=list(desk.QUEUES))
    desk = serializers.ChoiceField(choices=[desk.CENTRE, desk.WINDOW])
    kind = serializers.ChoiceField(choices=["cases", "complaints"])
    count = serializers.IntegerField()


class DeskWindowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    open = serializers.IntegerField(help_text="Matters forwarded, at it or decided there.")
    red = serializers.IntegerField(help_text="Of those, past their deadline.")


class DeskFiguresSerializer(serializers.Serializer):
    unit = serializers.DictField(help_text="{level, code, name}: the area the figures are of.")
    to = serializers.DateField()
    on_time_pct = serializers.FloatField(allow_null=True, help_text="按时办结率, this month.")
    cases_completed = serializers.IntegerField()
    cases_on_time = serializers.IntegerField()
    overdue_now = serializers.IntegerField(help_text="当前超期件数.")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


class DeskSerializer(serializers.Serializer):
    desks = serializers.ListField(child=serializers.CharField(), help_text="centre and/or window")
    window = serializers.CharField(allow_blank=True, help_text="The window served (window desk).")
    queues = QueueCountSerializer(many=True)
    windows = DeskWindowSerializer(many=True)
    figures = DeskFiguresSerializer(allow_null=True)


class DeskCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    light = serializers.CharField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    opened_at = serializers.DateTimeField()
    service_item_name = serializers.CharField(source="item_version.name")
    applicant_name = serializers.CharField()
    centre = serializers.CharField(source="centre.area.code")
    centre_name = serializers.CharField(source="centre.name")
    window = serializers.CharField(source="window.code", allow_null=True, default=None)
    window_name = serializers.SerializerMethodField()
    responsible = serializers.CharField(source="responsible.full_name")
    refusal_reason = serializers.CharField()
    version = serializers.IntegerField()

    def get_window_name(self, case) -> str | None:
        return str(case.window) if case.window_id else None


class DeskQueueSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    count = serializers.IntegerField(help_text="All matching; `results` holds the first 300.")
    results = serializers.ListField(
        child=serializers.DictField(),
        help_text="Cases (id, tracking_code, status, light, due_date, window…) or complaints.",
    )


class Desk(APIView):
    @extend_schema(tags=["field app"], responses={200: DeskSerializer})
    def get(self, request):
        """The requester's desk: its queues with their counts, the approval windows their
        matters are at, and the figures on top (on time %, overdue now). Street/town centre
        staff and leads, district staff and administrators have the centre desk; approval-window
        staff the window desk; anyone else 403."""
        desks = desk.desks_of(request.user)
        if not desks:
            raise PermissionDenied(
                "permission_denied",
                _("Only street/town centre and approval-window staff have a desk."),
            )
        day = today()
        staff = scope_for(request.user).staff
        body = {
            "desks": desks,
            "window": staff.window if staff is not None and desk.WINDOW in desks else "",
            "queues": desk.queue_counts(request.user, day),
            "windows": desk.windows_in_queues(request.user, day),
            "figures": desk.desk_figures(request.user, day),
        }
        return Response(DeskSerializer(body).data)


class DeskQueue(APIView):
    @extend_schema(
        tags=["field app"],
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Tracking code, name, item."),
            OpenApiParameter(
                "sort",
                OpenApiTypes.STR,
                description="due, -due, opened, -opened, "
                "code (cases); created, -created (complaints).",
            ),
            OpenApiParameter("light", OpenApiTypes.STR, enum=list(desk.LIGHTS)),
            OpenApiParameter("window", OpenApiTypes.STR, description="An approval window's code."),
            OpenApiParameter("centre", OpenApiTypes.STR, description="A station's division code."),
            OpenApiParameter("state", OpenApiTypes.STR, enum=list(desk.COMPLAINT_STATES)),
        ],
        responses={200: DeskQueueSerializer},
    )
    def get(self, request, key: str):
        """One queue of the requester's desk, filtered and sorted; a queue of another desk
        answers 404 `unknown_queue` like a missing one."""
        queue = desk.queue_get(request.user, key)  # another desk's queue: 404 before the rest
        text = (request.query_params.get("q") or "").strip()[:50]
        if queue.kind == "complaints":
            filters = desk.Filters(
                sort=query_choice(request, "sort", desk.COMPLAINT_SORTS, "created"),
                state=query_choice(request, "state", desk.COMPLAINT_STATES, "open"),
                text=text,
            )
        else:
            filters = desk.Filters(
                sort=query_choice(request, "sort", desk.CASE_SORTS, "due"),
                light=query_choice(request, "light", desk.LIGHTS),
                window=(request.query_params.get("window") or "").strip()[:32],
                centre=query_division_code(request, "centre"),
                text=text,
            )
        count, rows = desk.queue_rows(request.user, queue, filters, today())
        if queue.kind == "complaints":
            results = ComplaintSerializer(rows, many=True).data
        else:
            results = DeskCaseSerializer(rows, many=True).data
        return Response({"key": queue.key, "kind": queue.kind, "count": count, "results": results})
