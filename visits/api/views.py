"""Home visits over HTTP: plan, check in, check out, cancel; scoped reads."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.input import parse_date, query_choice, validated
from core.api.pagination import CURSOR_PARAMETERS, cursor_page, cursor_page_of
from core.errors import NotFound
from geo.api.fields import CRS_QUERY_PARAMETER, output_crs
from geo.geometry import parse_point

from .. import services
from ..models import Visit
from ..selectors import visits_for
from . import serializers as s


def _out(request, visit, code=status.HTTP_200_OK) -> Response:
    return Response(
        s.VisitSerializer(visit, context={"crs": output_crs(request)}).data, status=code
    )


class VisitList(APIView):
    @extend_schema(
        tags=["visits"],
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, description="Scheduled on this day."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(Visit.Status.values)),
            CRS_QUERY_PARAMETER,
            *CURSOR_PARAMETERS,
        ],
        responses={200: cursor_page_of(s.VisitSerializer)},
        operation_id="visits_list",
    )
    def get(self, request):
        rows = visits_for(request.user)
        if value := query_choice(request, "status", Visit.Status.values):
            rows = rows.filter(status=value)
        if value := request.query_params.get("date"):
            rows = rows.filter(scheduled_for__date=parse_date(value, "date"))
        return cursor_page(request, self, rows, s.VisitSerializer, {"crs": output_crs(request)})

    @extend_schema(
        tags=["visits"],
        request=s.VisitInput,
        responses={
            201: s.VisitSerializer,
            200: OpenApiResponse(s.VisitSerializer, description="A replay: the first visit."),
        },
        examples=[
            OpenApiExample(
                "Plan a visit to a confirmed appointment",
                request_only=True,
                value={
                    "appointment": 42,
                    "scheduled_for": "2026-12-01T09:30:00+08:00",
                    "client_uuid": "0b7e3c52-8d4f-4f7c-9a51-2f1c0d3e4b5a",
                },
            )
        ],
    )
    def post(self, request):
        """Plan a home visit (上门服务) for an appointment or a case; the same request again with
        its client_uuid returns the first visit (200), another request with it is 422
        `client_uuid_reused`."""
        data = validated(s.VisitInput, request.data)
        visit, created = services.visit_schedule(
            actor=request.user,
            appointment_id=data.get("appointment"),
            case_id=data.get("case"),
            scheduled_for=data.get("scheduled_for"),
            client_uuid=data.get("client_uuid"),
            appointment_client_uuid=data.get("appointment_client_uuid"),
            case_client_uuid=data.get("case_client_uuid"),
        )
        return _out(request, visit, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class VisitDetail(APIView):
    @extend_schema(
        tags=["visits"], parameters=[CRS_QUERY_PARAMETER], responses={200: s.VisitSerializer}
    )
    def get(self, request, pk: int):
        visit = visits_for(request.user).filter(pk=pk).first()
        if visit is None:
            raise NotFound("unknown_visit", _("No such visit."))
        return _out(request, visit)


class CheckIn(APIView):
    @extend_schema(
        tags=["visits"],
        request=s.CheckInInput,
        responses={200: s.VisitSerializer},
        examples=[
            OpenApiExample(
                "At the door, position from AMap",
                request_only=True,
                value={
                    "position": {"type": "Point", "coordinates": [122.0751, 41.1972]},
                    "crs": "gcj02",
                    "accuracy_m": 12,
                },
            )
        ],
    )
    def post(self, request, pk: int):
        """Arrived: the distance to the home is measured and a check-in beyond the radius is
        flagged."""
        data = validated(s.CheckInInput, request.data)
        position = parse_point(data["position"], data.get("crs"), field="position")
        visit = services.check_in(
            actor=request.user, visit_id=pk, position=position, accuracy_m=data.get("accuracy_m")
        )
        return _out(request, visit)


class CheckOut(APIView):
    @extend_schema(
        tags=["visits"],
        request=s.CheckOutInput,
        responses={200: s.VisitSerializer},
        examples=[
            OpenApiExample(
                "Leaving, with what was done",
                request_only=True,
                value={
                    "position": {"type": "Point", "coordinates": [122.0751, 41.1972]},
                    "crs": "gcj02",
                    "record": {
                        "forms_filled": ["低保申请表"],
                        "papers_collected": ["户口簿复印件"],
                        "notes": "老人行动不便，下周送回结果",
                    },
                },
            )
        ],
    )
    def post(self, request, pk: int):
        """Leaving: what was done (forms filled, papers collected, photos)."""
        data = validated(s.CheckOutInput, request.data)
        position = parse_point(data["position"], data.get("crs"), field="position")
        visit = services.check_out(
            actor=request.user, visit_id=pk, position=position, record=data.get("record")
        )
        return _out(request, visit)


class Cancel(APIView):
    @extend_schema(tags=["visits"], request=None, responses={200: s.VisitSerializer})
    def post(self, request, pk: int):
        return _out(request, services.visit_cancel(actor=request.user, visit_id=pk))
