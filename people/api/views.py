"""The people API: me, positions, staff, assignments, desk cover, leave, training, coverage
and the public board. Every query starts from people.scope; out of scope answers 404."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.input import parse_date, query_bool, query_choice, validated
from core.api.privacy import NO_STORE
from core.errors import ApplicationError, NotFound
from geo import selectors as geo_selectors
from geo import services as geo_services
from geo.api.fields import CRS_QUERY_PARAMETER, output_crs
from geo.geojson import coverage_feature_collection
from geo.geometry import parse_crs, parse_point
from geo.models import Area, Grid

from .. import selectors, services
from ..board import board_for
from ..models import (
    DeskDay,
    DeskShift,
    GridAssignment,
    Leave,
    PositionReport,
    Role,
    Staff,
    Training,
)
from ..scope import scope_for
from . import serializers as s


def _centre_area(request, code: str) -> Area:
    """The area whose centre this is, if the requester sees it (404 otherwise, the same as for
    a centre that does not exist)."""
    return services.centre_area_visible(request.user, code)


def _grid(request, code: str) -> Grid:
    grid = (
        scope_for(request.user)
        .grids(Grid.objects.select_related("community"))
        .filter(code=code)
        .first()
    )
    if grid is None:
        raise NotFound("unknown_grid", _("No grid with code %(code)s.") % {"code": code})
    return grid


def _parse_moment(value, name: str) -> datetime:
    if value in (None, ""):
        return timezone.now()
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ApplicationError(
            "invalid_datetime", _("%(name)s must be an ISO 8601 date and time.") % {"name": name}
        ) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


# --- me ---------------------------------------------------------------------------------


class MeView(APIView):
    @extend_schema(tags=["me"], parameters=[CRS_QUERY_PARAMETER], responses={200: s.MeSerializer})
    def get(self, request):
        """The logged-in user: profile, roles, centre, message language and the grids assigned
        today."""
        return self._me(request)

    @extend_schema(
        tags=["me"],
        parameters=[CRS_QUERY_PARAMETER],
        request=s.MeEditInput,
        responses={
            200: s.MeSerializer,
            400: OpenApiResponse(
                description="`unknown_language`: not one of the languages there are "
                "(`details.allowed` lists them); `invalid_input`: `language` missing or not "
                "a string. Nothing is changed."
            ),
            404: OpenApiResponse(description="`no_profile`: the account has no staff profile."),
        },
    )
    def patch(self, request):
        """Set your own preferences: `language`, the language the messages written to you are
        in (default `zh-hans`). A request's `Accept-Language` only chooses the language of
        its own answer; messages stored for you follow this setting."""
        data = validated(s.MeEditInput, request.data)
        services.staff_set_language(actor=request.user, language=data["language"])
        return self._me(request)

    def _me(self, request):
        staff = scope_for(request.user).staff
        grids = []
        if staff is not None:
            grids = (
                selectors.active_assignments()
                .filter(staff=staff, grid__retired_at__isnull=True)
                .select_related("grid__community")
                .order_by("grid__code")
            )
        body = {
            "id": request.user.pk,
            "username": request.user.username,
            "is_superuser": request.user.is_superuser,
            "staff": staff,
            "grids": grids,
            "last_position": staff.last_position if staff else None,
            "last_position_at": staff.last_position_at if staff else None,
        }
        return Response(s.MeSerializer(body, context={"crs": output_crs(request)}).data)


class MyPositions(APIView):
    @extend_schema(tags=["me"], request=s.PositionBatchInput, responses={201: s.StoredSerializer})
    def post(self, request):
        """Report positions: one, or a batch recorded while offline. A position sent again with
        its client_uuid is stored once; the same client_uuid on another position is 422
        `client_uuid_reused`, on another agent's 409 `client_uuid_taken` (the batch is refused)."""
        staff = scope_for(request.user).staff
        if staff is None:
            raise NotFound("no_profile", _("This account has no staff profile."))
        data = validated(s.PositionBatchInput, request.data)
        batch_crs = parse_crs(data.get("crs"))
        reports = [
            services.PositionInput(
                location=parse_point(
                    item["location"], item.get("crs") or batch_crs, field=f"positions[{i}].location"
                ),
                accuracy_m=item["accuracy_m"],
                recorded_at=item["recorded_at"],
                client_uuid=item.get("client_uuid"),
            )
            for i, item in enumerate(data["positions"])
        ]
        stored = services.positions_record(staff=staff, reports=reports)
        return Response({"stored": stored}, status=status.HTTP_201_CREATED)


# --- staff ------------------------------------------------------------------------------


class StaffList(APIView):
    @extend_schema(
        tags=["staff"],
        parameters=[
            OpenApiParameter(
                "centre", OpenApiTypes.STR, description="Division code of the centre."
            ),
            OpenApiParameter("role", OpenApiTypes.STR, enum=list(Role.values)),
        ],
        responses={200: s.StaffSerializer(many=True)},
    )
    def get(self, request):
        staff = scope_for(request.user).staff_members(
            Staff.objects.select_related("centre__area", "user")
        )
        if code := request.query_params.get("centre"):
            staff = staff.filter(centre__area=_centre_area(request, code))
        if role := query_choice(request, "role", Role.values):
            staff = staff.filter(roles__contains=[role])
        return Response(s.StaffSerializer(staff.order_by("full_name", "pk")[:1000], many=True).data)


class StaffDetail(APIView):
    @extend_schema(tags=["staff"], responses={200: s.StaffSerializer})
    def get(self, request, staff_id: int):
        return Response(s.StaffSerializer(services.staff_visible(request.user, staff_id)).data)


class StaffPositions(APIView):
    @extend_schema(
        tags=["staff"],
        parameters=[OpenApiParameter("since", OpenApiTypes.DATETIME), CRS_QUERY_PARAMETER],
        responses={200: s.PositionSerializer(many=True)},
    )
    def get(self, request, staff_id: int):
        """An agent's recent positions: for the agent and their managers only."""
        staff = services.staff_visible(request.user, staff_id)
        if not scope_for(request.user).reads_positions_of(staff):
            raise NotFound("unknown_staff", _("No such staff member."))
        since = (
            _parse_moment(request.query_params.get("since"), "since")
            if request.query_params.get("since")
            else timezone.now() - timedelta(days=1)
        )
        positions = PositionReport.objects.filter(staff=staff, recorded_at__gte=since)[:2000]
        return Response(
            s.PositionSerializer(positions, many=True, context={"crs": output_crs(request)}).data,
            headers=NO_STORE,
        )


class StaffLeave(APIView):
    @extend_schema(tags=["staff"], responses={200: s.LeaveSerializer(many=True)})
    def get(self, request, staff_id: int):
        """An agent's leave of the last 90 days and ahead; the reason only for the agent, their
        managers and administrators."""
        staff = services.staff_visible(request.user, staff_id)
        leaves = Leave.objects.filter(staff=staff, end__gte=timezone.now() - timedelta(days=90))
        context = {"reasons": scope_for(request.user).reads_leave_reasons_of(staff)}
        return Response(
            s.LeaveSerializer(leaves, many=True, context=context).data,
            headers=NO_STORE if context["reasons"] else None,
        )

    @extend_schema(tags=["staff"], request=s.LeaveInput, responses={201: s.LeaveSerializer})
    def post(self, request, staff_id: int):
        """Record leave: the agent for themself, or their manager."""
        staff = services.staff_visible(request.user, staff_id)
        data = validated(s.LeaveInput, request.data)
        leave = services.leave_create(
            actor=request.user,
            staff=staff,
            start=data["start"],
            end=data["end"],
            reason=data.get("reason", ""),
        )
        body = s.LeaveSerializer(leave, context={"reasons": True}).data  # the writer may read it
        return Response(body, status=status.HTTP_201_CREATED, headers=NO_STORE)


class StaffAvailability(APIView):
    @extend_schema(
        tags=["staff"],
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("end", OpenApiTypes.DATETIME, required=True),
        ],
        responses={200: s.AvailabilitySerializer},
    )
    def get(self, request, staff_id: int):
        """Is the agent working (own hours, working days, not on leave) during the window?"""
        staff = services.staff_visible(request.user, staff_id)
        start = _parse_moment(request.query_params.get("start") or "x", "start")
        end = _parse_moment(request.query_params.get("end") or "x", "end")
        if end <= start or end - start > timedelta(days=31):
            raise ApplicationError(
                "invalid_range", _("The window must run forwards, 31 days at most.")
            )
        intervals = selectors.working_intervals(staff, start, end) if staff.active else []
        body = {
            "available": bool(intervals),
            "intervals": [{"start": a, "end": b} for a, b in intervals],
        }
        return Response(s.AvailabilitySerializer(body).data)


class StaffTrainings(APIView):
    @extend_schema(tags=["staff"], responses={200: s.TrainingSerializer(many=True)})
    def get(self, request, staff_id: int):
        staff = services.staff_visible(request.user, staff_id)
        return Response(s.TrainingSerializer(Training.objects.filter(staff=staff), many=True).data)

    @extend_schema(tags=["staff"], request=s.TrainingInput, responses={201: s.TrainingSerializer})
    def post(self, request, staff_id: int):
        """Record a training session (stations train their agents)."""
        staff = services.staff_visible(request.user, staff_id)
        data = validated(s.TrainingInput, request.data)
        training = services.training_record(
            actor=request.user,
            staff=staff,
            day=data["date"],
            topic=data["topic"],
            trainer=data["trainer"],
        )
        return Response(s.TrainingSerializer(training).data, status=status.HTTP_201_CREATED)


# --- grid assignments -------------------------------------------------------------------


def _assignment_input(request, grid: Grid, item: dict) -> services.AssignmentInput:
    return services.AssignmentInput(
        grid=grid,
        staff=services.staff_visible(request.user, item["staff"]),
        kind=item["kind"],
        valid_from=item.get("valid_from") or timezone.localdate(),
        valid_to=item.get("valid_to"),
    )


class GridAssignments(APIView):
    @extend_schema(
        tags=["grids"],
        parameters=[OpenApiParameter("active", OpenApiTypes.BOOL, description="Only today's.")],
        responses={200: s.AssignmentSerializer(many=True)},
    )
    def get(self, request, code: str):
        """Who looks after the grid, with the whole history (nothing is overwritten)."""
        grid = _grid(request, code)
        rows = GridAssignment.objects.filter(grid=grid).select_related("grid", "staff")
        if query_bool(request, "active"):
            rows = rows.filter(pk__in=selectors.active_assignments().values("pk"))
        context = {"today": timezone.localdate()}
        return Response(
            s.AssignmentSerializer(
                rows.order_by("valid_from", "pk"), many=True, context=context
            ).data
        )

    @extend_schema(
        tags=["grids"], request=s.AssignmentInput, responses={201: s.AssignmentSerializer}
    )
    def post(self, request, code: str):
        grid = _grid(request, code)
        data = validated(s.AssignmentInput, request.data)
        assignment = services.assignment_create(
            actor=request.user, item=_assignment_input(request, grid, data)
        )
        context = {"today": timezone.localdate()}
        return Response(
            s.AssignmentSerializer(assignment, context=context).data, status=status.HTTP_201_CREATED
        )


class AssignmentEnd(APIView):
    @extend_schema(
        tags=["grids"], request=s.AssignmentEndInput, responses={200: s.AssignmentSerializer}
    )
    def post(self, request, code: str, assignment_id: int):
        """End an assignment on a date (the row is kept)."""
        grid = _grid(request, code)
        assignment = GridAssignment.objects.filter(grid=grid, pk=assignment_id).first()
        if assignment is None:
            raise NotFound("unknown_assignment", _("No such assignment."))
        data = validated(s.AssignmentEndInput, request.data)
        ended = services.assignment_end(
            actor=request.user,
            assignment=assignment,
            valid_to=data["valid_to"],
            reason=data.get("reason", ""),
        )
        return Response(s.AssignmentSerializer(ended, context={"today": timezone.localdate()}).data)


class AssignmentsBulk(APIView):
    @extend_schema(
        tags=["grids"],
        request=s.BulkAssignmentInput,
        responses={201: s.AssignmentSerializer(many=True)},
    )
    def post(self, request):
        """Many assignments at once: all are made, or none (the error names the item)."""
        data = validated(s.BulkAssignmentInput, request.data)
        items = []
        for index, item in enumerate(data["assignments"]):
            try:
                items.append(_assignment_input(request, _grid(request, item["grid"]), item))
            except ApplicationError as exc:
                exc.details = {**exc.details, "item": index}
                raise
        created = services.assignments_bulk(actor=request.user, items=items)
        context = {"today": timezone.localdate()}
        return Response(
            s.AssignmentSerializer(created, many=True, context=context).data,
            status=status.HTTP_201_CREATED,
        )


# --- desk cover -------------------------------------------------------------------------


class CentreDesk(APIView):
    @extend_schema(
        tags=["centres"],
        parameters=[OpenApiParameter("at", OpenApiTypes.DATETIME, description="Default: now.")],
        responses={200: s.DeskNowSerializer},
    )
    def get(self, request, code: str):
        """Who receives residents at this centre's desk at a moment (集中受理)."""
        area = _centre_area(request, code)
        at = _parse_moment(request.query_params.get("at"), "at")
        people = selectors.who_is_at_desk(area.centre, at)
        return Response(s.DeskNowSerializer({"centre": area.code, "at": at, "staff": people}).data)


class CentreDeskGaps(APIView):
    @extend_schema(
        tags=["centres"],
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="Default: today."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Default: 30 days on."),
        ],
        responses={200: s.DeskGapsSerializer},
    )
    def get(self, request, code: str):
        """Working days on which nobody is at the desk (the plan requires cover every one)."""
        area = _centre_area(request, code)
        first = parse_date(
            request.query_params.get("from") or timezone.localdate().isoformat(), "from"
        )
        last = parse_date(
            request.query_params.get("to") or (first + timedelta(days=30)).isoformat(), "to"
        )
        if last < first or (last - first).days > 366:
            raise ApplicationError(
                "invalid_range", _("The range must run forwards and span at most a year.")
            )
        gaps = selectors.desk_gaps(area.centre, first, last)
        body = {
            "centre": area.code,
            "centre_name": area.centre.name,
            "days": gaps.days,
            "provisional": gaps.provisional,
        }
        return Response(s.DeskGapsSerializer(body).data)


class CentreShifts(APIView):
    @extend_schema(
        tags=["centres"],
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
        ],
        responses={200: s.ShiftSerializer(many=True)},
    )
    def get(self, request, code: str):
        area = _centre_area(request, code)
        first = parse_date(
            request.query_params.get("from") or timezone.localdate().isoformat(), "from"
        )
        last = parse_date(
            request.query_params.get("to") or (first + timedelta(days=31)).isoformat(), "to"
        )
        shifts = DeskShift.objects.filter(
            centre=area.centre, date__gte=first, date__lte=last
        ).select_related("staff")
        return Response(s.ShiftSerializer(shifts, many=True).data)

    @extend_schema(tags=["centres"], request=s.ShiftInput, responses={201: s.ShiftSerializer})
    def post(self, request, code: str):
        """Add a rota shift at the desk (station managers and centre staff in scope)."""
        area = _centre_area(request, code)
        data = validated(s.ShiftInput, request.data)
        shift = services.shift_create(
            actor=request.user,
            centre=area.centre,
            staff=services.staff_visible(request.user, data["staff"]),
            day=data["date"],
            start=data["start"],
            end=data["end"],
        )
        return Response(s.ShiftSerializer(shift).data, status=status.HTTP_201_CREATED)


class CentreDeskDays(APIView):
    @extend_schema(tags=["centres"], responses={200: s.DeskDaySerializer(many=True)})
    def get(self, request, code: str):
        area = _centre_area(request, code)
        return Response(
            s.DeskDaySerializer(
                DeskDay.objects.filter(centre=area.centre).select_related("staff"), many=True
            ).data
        )

    @extend_schema(tags=["centres"], request=s.DeskDayInput, responses={201: s.DeskDaySerializer})
    def post(self, request, code: str):
        """Fixed weekly acceptance: who is at the desk on a weekday, and when."""
        area = _centre_area(request, code)
        data = validated(s.DeskDayInput, request.data)
        day = services.desk_day_set(
            actor=request.user,
            centre=area.centre,
            staff=services.staff_visible(request.user, data["staff"]),
            weekday=data["weekday"],
            start=data["start"],
            end=data["end"],
        )
        return Response(s.DeskDaySerializer(day).data, status=status.HTTP_201_CREATED)


# --- coverage (the spatial core's analysis plus staffing) --------------------------------


class CoverageView(APIView):
    @extend_schema(
        tags=["areas"],
        parameters=[
            OpenApiParameter("area", OpenApiTypes.STR, required=True, description="Division code."),
            CRS_QUERY_PARAMETER,
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        """Coverage of an area: gaps and overlaps as GeoJSON; figures; grids without an active
        primary agent and grids whose agents are all on leave now."""
        code = request.query_params.get("area")
        if not code:
            raise ApplicationError(
                "missing_area", _("Query parameter area (a division code) is required.")
            )
        area = geo_services.area_get(code=code)
        if not scope_for(request.user).sees_area(area.pk):  # the answer area_get gives missing
            raise NotFound(
                "unknown_area",
                _("No area with code %(code)s.") % {"code": code},
                details={"code": code},
            )
        coverage = geo_selectors.coverage_for_area(area)
        body = coverage_feature_collection(coverage, output_crs(request))
        ids = geo_selectors.area_descendant_ids(area)
        staffing = selectors.staffing_gaps(ids)
        body["figures"]["grids_without_primary"] = staffing.without_primary
        body["figures"]["grids_all_agents_on_leave"] = staffing.all_agents_on_leave
        return Response(body)


# --- public board -----------------------------------------------------------------------


def _public_area(code: str) -> Area:
    return services.centre_area_get(code)


class PublicBoard(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(tags=["public"], responses={200: s.BoardSerializer})
    def get(self, request, code: str):
        """上墙公示: a centre's people, hours, acceptance days, process and rules. No login."""
        return Response(s.BoardSerializer(board_for(_public_area(code))).data)


def public_board_page(request, code: str):
    """The same board as a plain, printable page in Chinese."""
    try:
        area = _public_area(code)
    except NotFound:
        return render(request, "people/board_missing.html", {"code": code}, status=404)
    return render(request, "people/board.html", {"board": board_for(area)})
