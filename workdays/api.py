"""The working-day calendar over HTTP (read-only; administrators edit it in the admin)."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.input import parse_date
from core.errors import ApplicationError

from . import calendar
from .models import SpecialDay

MAX_RANGE_DAYS = 400


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    workday = serializers.BooleanField()
    kind = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)


class CalendarOutput(serializers.Serializer):
    days = DaySerializer(many=True)
    provisional = serializers.BooleanField(
        help_text="True if part of the range lies in a year with no published schedule."
    )


class AddOutput(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField()
    date = serializers.DateField()
    provisional = serializers.BooleanField()


class CalendarView(APIView):
    @extend_schema(
        tags=["calendar"],
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("to", OpenApiTypes.DATE, required=True),
        ],
        responses={200: CalendarOutput},
    )
    def get(self, request):
        """Working days, statutory holidays and adjusted working days (调休) in a range."""
        first = parse_date(request.query_params.get("from"), "from")
        last = parse_date(request.query_params.get("to"), "to")
        if last < first or (last - first).days > MAX_RANGE_DAYS:
            raise ApplicationError(
                "invalid_range", _("The range must run forwards and span at most 400 days.")
            )
        workdays = calendar.workdays_in_range(first, last)
        special = {d.date: d for d in SpecialDay.objects.filter(date__gte=first, date__lte=last)}
        days = []
        day = first
        working = set(workdays.value)
        while day <= last:
            s = special.get(day)
            days.append(
                {
                    "date": day,
                    "workday": day in working,
                    "kind": s.kind if s else "",
                    "name": s.name if s else "",
                }
            )
            day += timedelta(days=1)
        return Response(CalendarOutput({"days": days, "provisional": workdays.provisional}).data)


class AddWorkdaysView(APIView):
    @extend_schema(
        tags=["calendar"],
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("days", OpenApiTypes.INT, required=True),
        ],
        responses={200: AddOutput},
    )
    def get(self, request):
        """The date N working days after `start` (how deadlines are counted)."""
        start = parse_date(request.query_params.get("start"), "start")
        try:
            n = int(request.query_params.get("days", ""))
        except ValueError:
            n = -1
        if not 0 <= n <= 365:
            raise ApplicationError("invalid_days", _("days must be a whole number from 0 to 365."))
        answer = calendar.add_workdays(start, n)
        return Response(
            AddOutput(
                {"start": start, "days": n, "date": answer.value, "provisional": answer.provisional}
            ).data
        )
