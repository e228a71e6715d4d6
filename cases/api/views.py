"""Cases over HTTP: open, read (scoped, with the timeline), edit with If-Match, act, the
receipt, the register, public tracking."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments.models import ResidentIdRead
from catalogue.notice import notice_data
from core.api.input import parse_date, query_choice, query_division_code, query_int, validated
from core.api.pagination import CURSOR_PARAMETERS, cursor_page, cursor_page_of
from core.api.parsers import FormParser, JSONParser, MultiPartParser
from core.api.privacy import NO_STORE, no_store
from core.api.renderers import PDFRenderer
from core.api.throttles import AnonRateThrottle
from core.errors import NotFound, PermissionDenied
from geo.api.fields import CRS_QUERY_PARAMETER, output_crs
from geo.geometry import parse_point
from residents import identity

from .. import actions, services, tracking
from ..access import handles
from ..deadlines import GREEN, RED, YELLOW, light_sql, today
from ..models import Status
from ..rules import missing_of
from ..selectors import cases_for, register_for
from . import serializers as s

LIGHTS = [GREEN, YELLOW, RED]


def _cases(request):
    return cases_for(request.user).annotate(light=light_sql(today()))


def _get(request, pk: int):
    case = _cases(request).filter(pk=pk).first()
    if case is None:
        raise NotFound("unknown_case", _("No such case."))
    return case


def _detail(request, case) -> Response:
    case.missing_notice = (
        notice_data(case.item_version, missing=missing_of(case.checklist))
        if case.status == Status.AWAITING_PAPERS
        else None
    )
    case.actions_offered = actions.actions_offered(request.user, case)
    body = s.CaseDetailSerializer(case, context={"crs": output_crs(request)}).data
    return Response(body, headers={"ETag": f'"{case.version}"'})


def _position(data):
    return (
        parse_point(data["position"], data.get("crs"), field="position")
        if data.get("position")
        else None
    )


class CaseList(APIView):
    @extend_schema(
        tags=["cases"],
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(Status.values)),
            OpenApiParameter("light", OpenApiTypes.STR, enum=LIGHTS),
            OpenApiParameter("centre", OpenApiTypes.STR, description="Station division code."),
            CRS_QUERY_PARAMETER,
            *CURSOR_PARAMETERS,
        ],
        responses={200: cursor_page_of(s.CaseSerializer)},
        operation_id="cases_list",
    )
    def get(self, request):
        """Cases the requester may see, newest first, each with its deadline light, a cursor
        page at a time."""
        rows = _cases(request)
        if value := query_choice(request, "status", Status.values):
            rows = rows.filter(status=value)
        if value := query_choice(request, "light", LIGHTS):
            rows = rows.filter(light=value)
        if value := query_division_code(request, "centre"):
            rows = rows.filter(centre__area__code=value)
        return cursor_page(request, self, rows, s.CaseSerializer, {"crs": output_crs(request)})

    @extend_schema(
        tags=["cases"],
        request=s.CaseInput,
        responses={
            201: s.CaseDetailSerializer,
            200: OpenApiResponse(s.CaseDetailSerializer, description="A replay: the first case."),
        },
        examples=[
            OpenApiExample(
                "From a confirmed appointment", request_only=True, value={"appointment": 42}
            ),
            OpenApiExample(
                "A walk-in at the station's desk",
                request_only=True,
                value={
                    "service_item": "MZ-001",
                    "applicant_name": "李四",
                    "applicant_phone": "13900001234",
                    "address": "胜利街道旌旗社区 5 号楼",
                    "checklist": {"id_card": "provided", "hukou": "provided"},
                },
            ),
        ],
    )
    def post(self, request):
        """Open a case: from a confirmed appointment (its tracking code and owner carry over),
        or a walk-in at a station's desk or a street/town centre (the opener is responsible).
        The same request again with its client_uuid returns the first case (200); another
        request with it is 422 `client_uuid_reused`."""
        data = validated(s.CaseInput, request.data)
        opening = services.Opening(
            appointment=data.get("appointment"),
            service_item=data.get("service_item", ""),
            applicant_name=data.get("applicant_name", ""),
            applicant_phone=data.get("applicant_phone", ""),
            resident_id=data.get("resident_id", ""),
            address=data.get("address", ""),
            location=parse_point(data["location"], data.get("crs"))
            if data.get("location")
            else None,
            description=data.get("description", ""),
            checklist=data.get("checklist"),
            note=data.get("note", ""),
            client_uuid=data.get("client_uuid"),
            appointment_client_uuid=data.get("appointment_client_uuid"),
        )
        case = services.case_open(actor=request.user, opening=opening)
        response = _detail(request, _get(request, case.pk))
        response.status_code = status.HTTP_200_OK if case.replayed else status.HTTP_201_CREATED
        return response


class CaseDetail(APIView):
    @extend_schema(
        tags=["cases"], parameters=[CRS_QUERY_PARAMETER], responses={200: s.CaseDetailSerializer}
    )
    def get(self, request, pk: int):
        """One case with its timeline, checklist, originals, fees and register entries. The ETag
        is its version: send it back as If-Match to edit."""
        return _detail(request, _get(request, pk))

    @extend_schema(
        tags=["cases"],
        request=s.CaseEditInput,
        parameters=[
            OpenApiParameter("If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True)
        ],
        responses={200: s.CaseDetailSerializer},
    )
    def patch(self, request, pk: int):
        """Edit description, address, location or the applicant's phone. Needs If-Match with the
        version read (missing → 428, stale → 412)."""
        _get(request, pk)
        data = dict(validated(s.CaseEditInput, request.data))
        crs = data.pop("crs", None)
        if "location" in data:
            data["location"] = parse_point(data["location"], crs)
        services.case_edit(
            actor=request.user,
            case_id=pk,
            if_match=request.headers.get("If-Match"),
            changes=data,
        )
        return _detail(request, _get(request, pk))


class CaseAction(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=["cases"],
        request={"application/json": s.CaseActionInput, "multipart/form-data": s.CaseActionInput},
        responses={200: s.CaseDetailSerializer},
        examples=[
            OpenApiExample(
                "review: the pre-review checklist",
                request_only=True,
                value={"checklist": {"id_card": "provided", "hukou": "missing"}},
            ),
            OpenApiExample(
                "accept: with the originals the agent takes",
                request_only=True,
                value={
                    "checklist": {"id_card": "provided", "hukou": "provided"},
                    "originals": [{"name": "户口簿", "material_key": "hukou"}],
                },
            ),
            OpenApiExample(
                "refuse: the department's reason",
                request_only=True,
                value={"reason": "申请人收入超过低保标准"},
            ),
            OpenApiExample(
                "custody: an original goes to the window",
                request_only=True,
                value={"original": 7, "holder": "window", "person": "窗口收件人"},
            ),
            OpenApiExample(
                "fee: a legally required fee",
                request_only=True,
                value={"name": "工本费", "amount": "10"},
            ),
            OpenApiExample(
                "return: confirmed by the code on the applicant's receipt",
                request_only=True,
                value={"return_code": "482913"},
            ),
            OpenApiExample(
                "close: with the applicant's rating",
                request_only=True,
                value={"rating": 5, "comment": "不用跑腿，很满意"},
            ),
            OpenApiExample(
                "hand_over: to a colleague", request_only=True, value={"to": 12, "note": "熟悉情况"}
            ),
        ],
        parameters=[
            OpenApiParameter(
                "action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=sorted(actions.ACTIONS)
            )
        ],
    )
    def post(self, request, pk: int, action: str):
        """review (checklist) · accept (checklist?, originals?) · decline (reason) · forward ·
        receive · result_ready · refuse (reason) · collect · return (return_code or signature) ·
        close (rating?, comment?) · hand_over (to) · custody (original+holder, or name) ·
        fee (name, amount) · correct (fields, reason). If-Match is not needed (and not checked:
        offline queues replay); `expected_version` in the body (the desk sends it) refuses the
        action with 412 `stale_version` when the case changed since that version."""
        _get(request, pk)  # out of scope answers 404 before anything else
        data = dict(validated(s.CaseActionInput, request.data))
        position = _position(data)
        expected = data.pop("expected_version", None)
        actions.case_act(
            actor=request.user,
            case_id=pk,
            action=action,
            payload=data,
            position=position,
            expected_version=expected,
        )
        return _detail(request, _get(request, pk))


class CaseReceipt(APIView):
    renderer_classes = [PDFRenderer]

    @extend_schema(
        tags=["cases"],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request, pk: int):
        """The triplicate register receipt of the case's latest register entry (A4 PDF).

        The applicant's copy carries the return code (取件确认码) only on the sheet produced at
        acceptance: the first download by the person who registered the entry, within
        `CASES_APPLICANT_COPY_MINUTES`. Every other download shows it masked."""
        from ..receipt import applicant_copy_claim, receipt_pdf

        case = _get(request, pk)
        entry = case.register_entries.order_by("-created_at", "-pk").first()
        if entry is None:
            raise NotFound("no_register_entry", _("The case is not accepted yet."))
        with transaction.atomic():  # a failed render gives the applicant's copy back
            issued = applicant_copy_claim(entry, user=request.user, now=timezone.now())
            pdf = receipt_pdf(entry, with_return_code=issued)
        response = no_store(HttpResponse(pdf, content_type="application/pdf"))
        response["Content-Disposition"] = (
            f'inline; filename="{case.tracking_code}-{entry.number}.pdf"'
        )
        return response


class CaseResidentId(APIView):
    @extend_schema(tags=["cases"], responses={200: OpenApiTypes.OBJECT})
    def get(self, request, pk: int):
        """The full resident ID number: for the responsible agent and managers; every read
        logged."""
        case = _get(request, pk)
        if not handles(request.user, case):
            raise PermissionDenied("permission_denied", _("You may not read the full ID number."))
        if not case.resident_id_encrypted:
            raise NotFound("no_resident_id", _("No ID number was given."))
        ResidentIdRead.objects.create(case=case, reader=request.user, purpose="api")
        return Response(
            {"resident_id": identity.decrypt(case.resident_id_encrypted)}, headers=NO_STORE
        )


class Register(APIView):
    @extend_schema(
        tags=["cases"],
        parameters=[
            OpenApiParameter("centre", OpenApiTypes.STR, description="Station division code."),
            OpenApiParameter("year", OpenApiTypes.INT),
            OpenApiParameter(
                "copies_for",
                OpenApiTypes.STR,
                description="A street/town centre's code: the copies sent to it (its queue).",
            ),
        ],
        responses={200: s.RegisterEntrySerializer(many=True)},
    )
    def get(self, request):
        """Register entries in the requester's scope, in register order."""
        rows = register_for(request.user).order_by("centre_id", "year", "serial")
        if value := query_division_code(request, "centre"):
            rows = rows.filter(centre__area__code=value)
        if value := query_division_code(request, "copies_for"):
            rows = rows.filter(street_centre__area__code=value).order_by("-created_at")
        if value := query_int(request, "year", minimum=2000, maximum=2100):
            rows = rows.filter(year=value)
        return Response(s.RegisterEntrySerializer(rows[:1000], many=True).data)


class RegisterHeads(APIView):
    @extend_schema(
        tags=["cases"],
        operation_id="register_heads_list",
        parameters=[
            OpenApiParameter("centre", OpenApiTypes.STR, description="Station division code."),
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day of publication."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day, included."),
        ],
        responses={200: s.RegisterHeadSerializer(many=True)},
    )
    def get(self, request):
        """The register heads published daily, of the stations in the requester's scope, as a
        file to keep: `verify_register --head <hash>` later proves the register still leads to
        each (ADR 0022). Newest day first, at most 10,000."""
        from ..register_heads import heads_for

        q = request.query_params
        start = parse_date(q["from"], "from") if q.get("from") else None
        end = parse_date(q["to"], "to") if q.get("to") else None
        centre = query_division_code(request, "centre") or ""
        rows = heads_for(request.user, centre_code=centre, start=start, end=end)
        body = s.RegisterHeadSerializer(rows[:10000], many=True).data
        response = Response(body)
        response["Content-Disposition"] = (
            f'attachment; filename="register-heads-{today().isoformat()}.json"'
        )
        return response


class TrackThrottle(AnonRateThrottle):
    scope = "track_anon"


class Track(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [TrackThrottle]

    @extend_schema(
        tags=["public"],
        parameters=[
            OpenApiParameter("phone", OpenApiTypes.STR, required=True, description="Last 4 digits.")
        ],
        responses={200: s.TrackingSerializer},
    )
    def get(self, request, code: str):
        """Follow a matter: status, light and due date, personal data masked. A wrong phone
        answers 404 like an unknown code."""
        body = tracking.track(code, request.query_params.get("phone", ""))
        return Response(s.TrackingSerializer(body).data)


class TrackRating(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [TrackThrottle]

    @extend_schema(
        tags=["public"],
        request=s.TrackRatingInput,
        responses={200: s.TrackRatingSerializer},
    )
    def post(self, request, code: str):
        """满意度: the applicant rates their closed matter once (1–5, a comment if they wish),
        with the last four digits of their phone. A wrong phone answers 404 like an unknown
        code; not closed yet 409 `not_closed`; rated already 409 `already_rated`."""
        data = validated(s.TrackRatingInput, request.data)
        case = tracking.rate(code, data["phone"], rating=data["rating"], comment=data["comment"])
        return Response({"tracking_code": case.tracking_code, "rating": case.rating})
