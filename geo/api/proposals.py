"""Grid proposals over HTTP: list, detail, apply, reject, withdraw (docs/zone-console-api.md).

Thin: the rules — who sees, who decides, applying as a direct edit — are geo.proposals'.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from core.api.input import query_choice, validated
from core.api.pagination import PageNumberPagination

from .. import hooks, proposals
from ..models import Area, GridProposal
from .common import CrsContextMixin
from .fields import CRS_QUERY_PARAMETER, CrsGeometryField
from .refusals import refusals_in_crs


class ProposalSerializer(serializers.ModelSerializer):
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    base_version = serializers.IntegerField(source="base_revision", read_only=True)
    result_version = serializers.IntegerField(
        source="result_revision", read_only=True, allow_null=True
    )
    name = serializers.CharField(allow_null=True, help_text="New name, if the edit renames.")
    areas = serializers.SerializerMethodField(help_text="Division codes of every area involved.")
    before = CrsGeometryField(help_text="The grid's boundary when the proposal was made.")
    after = CrsGeometryField(help_text="The boundary proposed.")
    proposed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    may_decide = serializers.SerializerMethodField()

    class Meta:
        model = GridProposal
        fields = [
            "id",
            "status",
            "kind",
            "grid",
            "base_version",
            "name",
            "note",
            "reason",
            "reason_message",
            "neighbours",
            "areas",
            "before",
            "after",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "result_version",
            "may_decide",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["name"] = instance.name or None
        return data

    def get_areas(self, obj) -> list[str]:
        codes = self.context.get("area_codes")
        if codes is None:
            codes = dict(Area.objects.filter(pk__in=obj.area_ids).values_list("pk", "code"))
        return sorted(codes[i] for i in obj.area_ids if i in codes)

    def get_may_decide(self, obj) -> bool:
        request = self.context.get("request")
        return (
            request is not None
            and obj.status == GridProposal.Status.OPEN
            and proposals.may_decide(request.user, obj)
        )


class ProposalApplyInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ProposalRejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class ProposalAppliedOutput(serializers.Serializer):
    proposal = ProposalSerializer()
    grid = serializers.DictField(help_text="The grid as GET /grids/{code}/ answers it.")
    rerouted = serializers.ListField(child=serializers.DictField())
    rerouted_count = serializers.IntegerField()


STATUSES = [*GridProposal.Status.values, "all"]


def _related(qs):
    return qs.select_related("grid", "proposed_by", "decided_by")


@extend_schema(
    tags=["grid proposals"],
    parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=STATUSES, description="Default open."),
        OpenApiParameter("grid", OpenApiTypes.STR, description="Only this grid's proposals."),
        CRS_QUERY_PARAMETER,
    ],
)
class ProposalList(CrsContextMixin, generics.ListAPIView):
    """Proposals the requester sees (made by them, or touching only areas they manage)."""

    serializer_class = ProposalSerializer
    pagination_class = PageNumberPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GridProposal.objects.none()
        qs = proposals.proposals_visible(self.request.user, _related(GridProposal.objects))
        wanted = query_choice(self.request, "status", STATUSES, default="open")
        if wanted != "all":
            qs = qs.filter(status=wanted)
        if code := self.request.query_params.get("grid"):
            qs = qs.filter(grid__code=code)
        return qs.order_by("-proposed_at", "-pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["area_codes"] = dict(Area.objects.values_list("pk", "code"))
        return context


@extend_schema(tags=["grid proposals"], parameters=[CRS_QUERY_PARAMETER])
class ProposalDetail(CrsContextMixin, generics.GenericAPIView):
    """One proposal with its before/after boundaries for an overlay."""

    queryset = GridProposal.objects.none()
    serializer_class = ProposalSerializer

    def get(self, request, pk):
        return Response(self.get_serializer(proposals.proposal_get(request.user, pk)).data)


@extend_schema(
    tags=["grid proposals"],
    request=ProposalApplyInput,
    responses={200: ProposalAppliedOutput},
    parameters=[CRS_QUERY_PARAMETER],
)
class ProposalApply(CrsContextMixin, generics.GenericAPIView):
    """Apply a proposal as a direct edit of its grid, against the version it was made from."""

    queryset = GridProposal.objects.none()
    serializer_class = ProposalSerializer

    def post(self, request, pk):
        data = validated(ProposalApplyInput, request.data)
        report = hooks.EditReport()
        with refusals_in_crs(self.get_serializer_context()["crs"]):
            proposal = proposals.proposal_apply(
                user=request.user, pk=pk, note=data.get("note", ""), report=report
            )
        members = report.as_members()
        return Response(
            {
                "proposal": self.get_serializer(proposals.proposal_get(request.user, pk)).data,
                "grid": self.grid_feature(proposal.grid.code),
                **members,
            }
        )


@extend_schema(
    tags=["grid proposals"],
    request=ProposalRejectInput,
    responses={200: ProposalSerializer},
    parameters=[CRS_QUERY_PARAMETER],
)
class ProposalReject(CrsContextMixin, generics.GenericAPIView):
    """Reject a proposal, saying why."""

    queryset = GridProposal.objects.none()
    serializer_class = ProposalSerializer

    def post(self, request, pk):
        data = validated(ProposalRejectInput, request.data)
        proposal = proposals.proposal_reject(user=request.user, pk=pk, reason=data["reason"])
        return Response(self.get_serializer(proposal).data)


@extend_schema(
    tags=["grid proposals"],
    request=None,
    responses={200: ProposalSerializer},
    parameters=[CRS_QUERY_PARAMETER],
)
class ProposalWithdraw(CrsContextMixin, generics.GenericAPIView):
    """The proposer takes their proposal back."""

    queryset = GridProposal.objects.none()
    serializer_class = ProposalSerializer

    def post(self, request, pk):
        proposal = proposals.proposal_withdraw(user=request.user, pk=pk)
        return Response(self.get_serializer(proposal).data)
