"""A case's timeline: one append-only event per change (who, when, where, from → to, note),
written in the same transaction as the change.

Imports only this app's models; must never import `services`, `actions` or the API (both
of them write through this).
"""

from __future__ import annotations

from .models import Case, CaseEvent


def record_event(
    case: Case, *, actor, action: str, from_status: str = "", note="", data=None, position=None
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_status=from_status,
        to_status=case.status,
        note=note,
        data=data or {},
        position=position,
    )
