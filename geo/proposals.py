"""Proposals: boundary edits that reach outside their editor's managed area (ADR 0026).

`grid_update_or_propose` is the one entry for a boundary edit by a person: it runs
geo.services.grid_update, which checks every rule and, when the new boundary reaches beyond
what the actor manages (geo.rules.edit_reach), refuses with `OutsideManagedArea` before writing;
the edit is then stored here as a proposal. Whoever manages every area involved applies it — the
same `grid_update`, against the revision the proposal was made from — or rejects it; the
proposer may withdraw it. Who sees what is the access policy's (geo.access): the proposer, and
those who manage every area involved; anyone else is answered as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, NotFound, PermissionDenied

from . import access, hooks, services
from .models import Area, Grid, GridProposal


@dataclass
class Outcome:
    """A boundary edit's result: the grid changed, or a proposal stored instead."""

    grid: Grid | None = None
    proposal: GridProposal | None = None


def _managed(user) -> frozenset[int] | None:
    return access.policy().managed_area_ids(user)


def _may_decide(user, proposal: GridProposal) -> bool:
    managed = _managed(user)
    return managed is None or set(proposal.area_ids) <= managed


def proposals_visible(user, qs: QuerySet | None = None) -> QuerySet:
    """The proposals `user` sees: their own, and those whose every area they manage."""
    qs = GridProposal.objects.all() if qs is None else qs
    managed = _managed(user)
    if managed is None:
        return qs
    return qs.filter(Q(proposed_by=user) | Q(area_ids__contained_by=sorted(managed)))


def proposal_get(user, pk: int) -> GridProposal:
    proposal = (
        proposals_visible(user, GridProposal.objects.select_related("grid", "proposed_by"))
        .filter(pk=pk)
        .first()
    )
    if proposal is None:
        raise NotFound(
            "unknown_proposal",
            _("No proposal number %(id)s.") % {"id": pk},
            details={"id": pk},
        )
    return proposal


def may_decide(user, proposal: GridProposal) -> bool:
    return proposal.proposed_by_id != user.pk and _may_decide(user, proposal)


@transaction.atomic
def grid_update_or_propose(
    *,
    grid: Grid,
    actor,
    name: str | None = None,
    boundary: GEOSGeometry | None = None,
    note: str = "",
    expected_revision: int | None = None,
    report: hooks.EditReport | None = None,
    at: datetime | None = None,
) -> Outcome:
    """A person's edit of a grid: applied if it stays inside what they manage, else proposed."""
    at = at or timezone.now()
    try:
        with transaction.atomic():
            return Outcome(
                grid=services.grid_update(
                    grid=grid,
                    actor=actor,
                    name=name,
                    boundary=boundary,
                    note=note,
                    at=at,
                    expected_revision=expected_revision,
                    report=report,
                )
            )
    except services.OutsideManagedArea as exc:
        refusal = exc
    reach = refusal.reach
    # grid_update checked the revision and every spatial rule, under the grid's lock, before it
    # refused: the proposal keeps what it checked (a change since makes applying it stale)
    proposal = GridProposal.objects.create(
        grid=grid,
        base_revision=refusal.revision,
        name=name or "",
        note=note[:200],
        before=refusal.before,
        after=refusal.after,
        reason=reach["reason"],
        reason_message=str(reach["reason_message"])[:300],
        neighbours=reach["neighbours"],
        area_ids=reach["area_ids"],
        proposed_by=actor,
        proposed_at=at,
    )
    return Outcome(proposal=proposal)


def _lock_open(user, pk: int) -> GridProposal:
    proposal = proposal_get(user, pk)
    proposal = GridProposal.objects.select_for_update().select_related("grid").get(pk=proposal.pk)
    if proposal.status != GridProposal.Status.OPEN:
        raise Conflict(
            "proposal_decided",
            _("This proposal was already %(status)s.") % {"status": proposal.get_status_display()},
            details={"status": proposal.status},
        )
    return proposal


def _require_decider(user, proposal: GridProposal) -> None:
    if not may_decide(user, proposal):
        raise PermissionDenied(
            "permission_denied",
            _("Only someone who manages every area this proposal touches may decide it."),
            details={
                "areas": sorted(
                    Area.objects.filter(pk__in=proposal.area_ids).values_list("code", flat=True)
                )
            },
        )


def _decide(proposal: GridProposal, user, status: str, note: str, at: datetime) -> None:
    proposal.status = status
    proposal.decided_by = user
    proposal.decided_at = at
    proposal.decision_note = note[:200]
    proposal.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "result_revision"]
    )


@transaction.atomic
def proposal_apply(
    *,
    user,
    pk: int,
    note: str = "",
    report: hooks.EditReport | None = None,
    at: datetime | None = None,
) -> GridProposal:
    """Apply an open proposal: the same grid_update as a direct edit, against the revision the
    proposal was made from (changed since → 409 `proposal_stale`, the proposal stays open)."""
    at = at or timezone.now()
    proposal = _lock_open(user, pk)
    _require_decider(user, proposal)
    try:
        grid = services.grid_update(
            grid=proposal.grid,
            actor=user,
            name=proposal.name or None,
            boundary=proposal.after,
            note=(note or proposal.note or f"proposal {proposal.pk}")[:200],
            at=at,
            expected_revision=proposal.base_revision,
            report=report,
        )
    except services.VersionMismatch as exc:
        raise Conflict(
            "proposal_stale",
            _(
                "Grid %(code)s changed after this proposal was made (version %(base)d, now "
                "%(current)d); reject it and propose again from the current boundary."
            )
            % {
                "code": proposal.grid.code,
                "base": proposal.base_revision,
                "current": exc.details["current_version"],
            },
            details={
                "grid": proposal.grid.code,
                "base_version": proposal.base_revision,
                "current_version": exc.details["current_version"],
            },
        ) from None
    proposal.result_revision = grid.revision
    _decide(proposal, user, GridProposal.Status.APPLIED, note, at)
    return proposal


@transaction.atomic
def proposal_reject(*, user, pk: int, reason: str, at: datetime | None = None) -> GridProposal:
    proposal = _lock_open(user, pk)
    _require_decider(user, proposal)
    _decide(proposal, user, GridProposal.Status.REJECTED, reason, at or timezone.now())
    return proposal


@transaction.atomic
def proposal_withdraw(*, user, pk: int, at: datetime | None = None) -> GridProposal:
    proposal = _lock_open(user, pk)
    if proposal.proposed_by_id != user.pk:
        raise PermissionDenied(
            "permission_denied", _("Only the person who made a proposal may withdraw it.")
        )
    _decide(proposal, user, GridProposal.Status.WITHDRAWN, "", at or timezone.now())
    return proposal
