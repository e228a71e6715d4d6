"""An appointment's timeline: one append-only event per change (who, when, from → to, note).
Every write that changes an appointment records its event here, in the same transaction —
except routing to an agent, whose event is one of the rows of `assignment.RECORD_ROUTED_SQL`.

Imports only this app's models; must never import another module of this app.
"""

from __future__ import annotations

from .models import AppointmentEvent


def record_event(appointment, *, actor, action, from_status="", note="", data=None) -> None:
    """The event of a change just made: `to_status` is the appointment's status now."""
    AppointmentEvent.objects.create(
        appointment=appointment,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=appointment.status,
        note=note,
        data=data or {},
    )
