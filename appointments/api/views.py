"""Appointments over HTTP: public or staff intake, scoped reads, the actions, the queue."""

from __future__ import annotations

from django.core.cache import caches
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
)
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.notice import notice_data
from core.api.input import query_choice, query_division_code
from core.api.pagination import CURSOR_PARAMETERS, cursor_page, cursor_page_of
from core.api.privacy import NO_STORE
from core.api.throttles import AnonRateThrottle, UserRateThrottle
from core.errors import NotFound, PermissionDenied
from geo.api.fields import CRS_QUERY_PARAMETER, output_crs
from people.scope import scope_for
from residents import identity

from .. import actions, intake
from ..access import manages_appointment
from ..models import Appointment, ResidentIdRead, Status
from ..selectors import appointments_for
from . import serializers as s


class AnonAppointmentThrottle(AnonRateThrottle):
    scope = "appointments_anon"


class StaffAppointmentThrottle(UserRateThrottle):
    """Staff intake is limited only at a pace no real desk reaches; counted in the "counters"
    cache (Redis with REDIS_URL: across every web node; else per process)."""

    scope = "appointments_staff"
    cache = caches["counters"]

    def allow_request(self, request, view):
        if not request.user.is_authenticated:
            return True  # anonymous bookers are counted by the shared anonymous throttle
        return super().allow_request(request, view)


def _staff_view(request) -> bool:
    return scope_for(request.user).staff is not None or request.user.is_superuser


def _get(request, pk: int) -> Appointment:
    appointment = appointments_for(request.user).filter(pk=pk).first()
    if appointment is None:
        raise NotFound("unknown_appointment", _("No such appointment."))
    return appointment


class AppointmentList(APIView):
    permission_classes = [permissions.AllowAny]

    def get_throttles(self):
        if self.request.method == "POST":
            return [*super().get_throttles(), AnonAppointmentThrottle(), StaffAppointmentThrottle()]
        return super().get_throttles()

    def get_permissions(self):
        if self.request.method == "GET":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    @extend_schema(
        tags=["appointments"],
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(Status.values)),
            CRS_QUERY_PARAMETER,
            *CURSOR_PARAMETERS,
        ],
        responses={200: cursor_page_of(s.AppointmentSerializer)},
        operation_id="appointments_list",
    )
    def get(self, request):
        """Appointments the requester may see, newest first, a cursor page at a time."""
        rows = appointments_for(request.user)
        if status_filter := query_choice(request, "status", Status.values):
            rows = rows.filter(status=status_filter)
        context = {"crs": output_crs(request), "staff_view": _staff_view(request)}
        return cursor_page(request, self, rows, s.AppointmentSerializer, context)

    @extend_schema(
        tags=["appointments"],
        request=s.AppointmentInput,
        responses={201: s.CreatedAppointmentSerializer},
        examples=[
            OpenApiExample(
                "A resident books from the web",
                request_only=True,
                value={
                    "service_item": "MZ-001",
                    "applicant_name": "张三",
                    "applicant_phone": "13800001234",
                    "location": {"type": "Point", "coordinates": [122.0712, 41.1985]},
                    "crs": "gcj02",
                    "address": "胜利街道旌旗社区 3 号楼 2 单元",
                    "channel": "web",
                    "preferred_start": "2026-12-01T09:00:00+08:00",
                    "preferred_end": "2026-12-01T11:00:00+08:00",
                },
            )
        ],
    )
    def post(self, request):
        """Book a visit. Routed to the agent of the resident's grid; an agent entering it for a
        resident in front of them owns it (首问负责). Anonymous bookers see only their agent.
        The same booking sent again with its `client_uuid` answers the first one again (201);
        another body with that `client_uuid` is 422 `client_uuid_reused`, someone else's 409
        `client_uuid_taken` — neither shows anything of the booking."""
        serializer = s.AppointmentInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        request_in = s.intake_from(data)
        actor = request.user if request.user.is_authenticated else None
        appointment = intake.appointment_create(actor=actor, intake=request_in)
        notice = notice_data(appointment.item_version)
        if not _staff_view(request):
            body = {
                "id": appointment.pk,
                "tracking_code": appointment.tracking_code,
                "status": appointment.status,
                "routing": s.routing_block(appointment, staff_view=False),
                "one_time_notice": notice,
            }
            return Response(
                s.PublicAppointmentSerializer(body).data, status=status.HTTP_201_CREATED
            )
        appointment.one_time_notice = notice
        context = {"crs": output_crs(request), "staff_view": True}
        return Response(
            s.CreatedAppointmentSerializer(appointment, context=context).data,
            status=status.HTTP_201_CREATED,
        )


class AppointmentDetail(APIView):
    @extend_schema(
        tags=["appointments"],
        parameters=[CRS_QUERY_PARAMETER],
        responses={200: s.AppointmentDetailSerializer},
    )
    def get(self, request, pk: int):
        appointment = _get(request, pk)
        appointment.actions_offered = actions.actions_offered(request.user, appointment)
        context = {"crs": output_crs(request), "staff_view": _staff_view(request)}
        return Response(s.AppointmentDetailSerializer(appointment, context=context).data)


class AppointmentAction(APIView):
    @extend_schema(
        tags=["appointments"],
        request=s.ActionInput,
        responses={
            200: PolymorphicProxySerializer(
                component_name="AppointmentActionResult",
                serializers=[s.AppointmentSerializer, s.ActionDoneSerializer],
                resource_type_field_name=None,
            )
        },
        parameters=[
            OpenApiParameter(
                "action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=actions.PUBLIC_ACTIONS
            )
        ],
    )
    def post(self, request, pk: int, action: str):
        """confirm · decline (reason) · hand_over (to) · reassign (to, managers) · cancel (reason)."""
        _get(request, pk)  # out of scope answers 404 before anything else
        serializer = s.ActionInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = actions.appointment_act(
            actor=request.user, appointment_id=pk, action=action, payload=serializer.validated_data
        )
        after = appointments_for(request.user).filter(pk=appointment.pk).first()
        if after is None:  # declined or handed on: done, and no longer the actor's to read
            return Response({"id": appointment.pk, "action": action, "visible": False})
        context = {"crs": output_crs(request), "staff_view": True}
        return Response(s.AppointmentSerializer(after, context=context).data)


class UnroutedQueue(APIView):
    @extend_schema(
        tags=["appointments"],
        parameters=[
            OpenApiParameter("centre", OpenApiTypes.STR, description="Division code."),
            CRS_QUERY_PARAMETER,
        ],
        responses={200: s.AppointmentSerializer(many=True)},
    )
    def get(self, request):
        """The unrouted queue of the stations in the requester's scope (managers clear it)."""
        rows = appointments_for(request.user).filter(status=Status.UNROUTED).order_by("created_at")
        if code := query_division_code(request, "centre"):
            rows = rows.filter(queue_centre__area__code=code)
        context = {"crs": output_crs(request), "staff_view": True}
        return Response(s.AppointmentSerializer(rows[:500], many=True, context=context).data)


class ResidentIdView(APIView):
    @extend_schema(tags=["appointments"], responses={200: s.ResidentIdSerializer})
    def get(self, request, pk: int):
        """The full resident ID number: for the agent it is with and managers; every read logged."""
        appointment = _get(request, pk)
        staff = scope_for(request.user).staff
        allowed = (staff is not None and appointment.agent_id == staff.pk) or manages_appointment(
            request.user, appointment
        )
        if not allowed:
            raise PermissionDenied("permission_denied", _("You may not read the full ID number."))
        if not appointment.resident_id_encrypted:
            raise NotFound("no_resident_id", _("No ID number was given."))
        ResidentIdRead.objects.create(appointment=appointment, reader=request.user, purpose="api")
        return Response(
            {"resident_id": identity.decrypt(appointment.resident_id_encrypted)},
            headers=NO_STORE,
        )
