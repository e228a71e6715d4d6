"""The field app's own endpoints (the rest of its API lives with each app)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.input import parse_date
from core.errors import NotFound, PermissionDenied
from geo.api.fields import CRS_QUERY_PARAMETER, CrsGeometryField, output_crs
from geo.models import ServiceCentre
from people.scope import scope_for

from .agenda import agenda
from .station import station_work


class TaskSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField(help_text="appointment_to_confirm, appointment, visit or case")
    id = serializers.IntegerField()
    title = serializers.CharField()
    urgency = serializers.IntegerField(help_text="0 most urgent … 5")
    when = serializers.CharField(allow_null=True, help_text="Confirm-by, wanted or due time.")
    status = serializers.CharField()
    light = serializers.CharField(allow_null=True)
    tracking_code = serializers.CharField()
    address = serializers.CharField()
    location = CrsGeometryField(allow_null=True)
    distance_m = serializers.FloatField(allow_null=True)
    data = serializers.DictField()


class OriginSerializer(serializers.Serializer):
    source = serializers.CharField(allow_null=True, help_text="position, station or null")
    location = CrsGeometryField(allow_null=True)


class AgendaSerializer(serializers.Serializer):
    date = serializers.DateField()
    origin = OriginSerializer()
    tasks = TaskSerializer(many=True)
    suggested_order = serializers.DictField()


class MyTasks(APIView):
    @extend_schema(
        tags=["field app"],
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, description="Default: today."),
            CRS_QUERY_PARAMETER,
        ],
        responses={200: AgendaSerializer},
    )
    def get(self, request):
        """The agent's day: appointments to answer, visits, open cases with their lights, most
        urgent first, each with its distance; and a suggested visiting order, explained."""
        staff = scope_for(request.user).staff
        if staff is None:
            raise PermissionDenied("permission_denied", _("Only staff have a task list."))
        raw = request.query_params.get("date")
        day = parse_date(raw, "date") if raw else timezone.localdate()
        body = agenda(staff, day)
        for task in body["tasks"]:
            task.when = task.when.isoformat() if task.when else None
        return Response(AgendaSerializer(body, context={"crs": output_crs(request)}).data)


class AgentWorkSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.CharField()
    active = serializers.BooleanField()
    awaiting = serializers.IntegerField(help_text="Appointments awaiting the agent's answer.")
    confirmed = serializers.IntegerField(help_text="Confirmed appointments not yet a case.")
    cases = serializers.IntegerField()
    green = serializers.IntegerField()
    yellow = serializers.IntegerField()
    red = serializers.IntegerField()


class OverdueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = serializers.CharField()
    item = serializers.CharField()
    agent = serializers.CharField()
    due_date = serializers.DateField()
    status = serializers.CharField()


class StationWorkSerializer(serializers.Serializer):
    station = serializers.DictField()
    date = serializers.DateField()
    agents = AgentWorkSerializer(many=True)
    unrouted = serializers.IntegerField()
    overdue = OverdueSerializer(many=True)


class StationWork(APIView):
    @extend_schema(tags=["field app"], responses={200: StationWorkSerializer})
    def get(self, request, code: str):
        """A station's open work: each agent's appointments and cases with their lights, the
        unrouted queue and the overdue list (its managers and the district's read roles)."""
        scope = scope_for(request.user)
        centre = (
            ServiceCentre.objects.select_related("area")
            .filter(area__code=code.ljust(12, "0"))
            .first()
        )
        if centre is None or not scope.sees_area(centre.area_id):
            raise NotFound("unknown_station", _("No such station."))
        if not (scope.everything or centre.area_id in scope.managed_area_ids):
            raise PermissionDenied(
                "permission_denied", _("Only the station's managers see its open work.")
            )
        body = station_work(centre, timezone.localdate())
        return Response(StationWorkSerializer(body).data)
