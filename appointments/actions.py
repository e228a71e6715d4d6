"""The appointment's actions: one table. Each action lists the states it starts from, the
state it leads to (None: the step routes it again and records that itself), who may take it
(`access`) and what it must carry; `appointment_act` (over the API) and `apply_action` (for
another app's service holding the row already, e.g. cases opening a case) are the only
functions that run them.

    (intake) ─routed─▶ awaiting_confirmation ─confirm─▶ confirmed ─open_case─▶ in_case
    (intake) ─no one can take it─▶ unrouted ─confirm (station agent / manager)─▶ confirmed
    (intake, in person: 首问负责) ─▶ confirmed
    awaiting_confirmation ─decline (reason) / not confirmed in time─▶ routed again
                                                  (awaiting the next candidate, or unrouted)
    awaiting_confirmation/confirmed ─hand_over (to)─▶ awaiting_confirmation (the new agent)
    awaiting/confirmed/unrouted ─reassign (to; managers)─▶ awaiting_confirmation
    awaiting/confirmed/unrouted ─cancel (reason)─▶ cancelled

Routing itself (`assignment`) and the sweeps (`sweeps`) are not actions: nobody takes them.
Imports `access`, `assignment` and `events`; must never import `intake`, `sweeps`, `backlog`,
another app's services or the API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError, NotFound
from core.transitions import guard
from notifications.services import notify
from people.models import Role, Staff
from people.scope import scope_for
from people.selectors import hand_over_choices

from .access import is_agent, manages_appointment, may_cancel, may_confirm, may_open_case, staff_of
from .assignment import room, route
from .events import record_event
from .models import Appointment, Status

OPEN = frozenset({Status.AWAITING, Status.CONFIRMED, Status.UNROUTED})


@dataclass(frozen=True)
class Action:
    from_states: frozenset[str]
    to: str | None
    who: Callable[[object, Appointment], bool]
    run: Callable[[Step], dict | None]
    needs: tuple[str, ...] = ()
    # after the event is written: who is told
    tell: Callable[[Step], None] | None = None
    # the event's name, when it is not the action's (a case opened, not "open_case")
    event: str = ""
    # refusal message when `who` says no, when it is more helpful than the generic one
    denied: object = None
    # taken over the API (False: only by another app's service, through `apply_action`)
    public: bool = True
    # the only columns it changes besides status and version (None: the step may change any)
    fields: tuple[str, ...] | None = None


@dataclass
class Step:
    appointment: Appointment
    actor: object
    payload: dict
    now: datetime
    previous: str
    note: str = ""
    data: dict = field(default_factory=dict)


# --- what each action does ----------------------------------------------------------------


def _confirm(step: Step) -> None:
    """The routed agent accepts it; from a queue, a station agent takes it (or a manager
    confirms it for the agent it is with)."""
    a = step.appointment
    staff = staff_of(step.actor)
    if step.previous == Status.UNROUTED and staff and staff.has_role(Role.AGENT):
        a.agent = staff
    if a.agent is None:
        raise ApplicationError("agent_required", _("Only an agent can take an appointment."))
    a.queue_centre = None
    a.confirm_deadline = None


def _decline(step: Step) -> None:
    """The agent says no (with a reason): recorded, then routed to the next candidate."""
    a = step.appointment
    record_event(a, actor=step.actor, action="decline", from_status=step.previous, note=step.note)
    a.routing.setdefault("excluded", []).append(a.agent_id)
    route(a, actor=step.actor, reason="declined", now=step.now)


def _target_agent(user, staff_id) -> Staff:
    staff = (
        scope_for(user).staff_members(Staff.objects.filter(active=True)).filter(pk=staff_id).first()
    )
    if staff is None or not staff.has_role(Role.AGENT):
        raise ApplicationError("unknown_agent", _("No such active agent."), details={"field": "to"})
    return staff


def _hand_over(step: Step) -> None:
    """To another agent (the agent's own hand-over, or a manager's reassignment), who must
    confirm in their station's time."""
    a = step.appointment
    target = _target_agent(step.actor, step.payload.get("to"))
    a.agent = target
    a.first_inquiry = False
    a.queue_centre = None
    a.routed_at = step.now
    _load, a.confirm_deadline, _grid = room(target, step.now, count=False)
    step.data = {"to": target.pk}


def _tell_new_agent(step: Step) -> None:
    a = step.appointment
    notify(
        user=a.agent.user,
        kind="appointment_handed_over",
        title=lambda: _("Appointment %(code)s handed to you") % {"code": a.tracking_code},
        body=step.note,
        data={"appointment": a.pk},
    )


def _cancel(step: Step) -> None:
    step.appointment.confirm_deadline = None


def _tell_agent_of_cancel(step: Step) -> None:
    a = step.appointment
    if a.agent_id and a.agent.user_id != getattr(step.actor, "pk", None):
        notify(
            user=a.agent.user,
            kind="appointment_cancelled",
            title=lambda: _("Appointment %(code)s cancelled") % {"code": a.tracking_code},
            body=step.note,
            data={"appointment": a.pk},
        )


def _nothing(step: Step) -> None:
    return None


ACTIONS: dict[str, Action] = {
    "confirm": Action(
        frozenset({Status.AWAITING, Status.UNROUTED}), Status.CONFIRMED, may_confirm, _confirm
    ),
    "decline": Action(frozenset({Status.AWAITING}), None, is_agent, _decline, needs=("reason",)),
    "hand_over": Action(
        frozenset({Status.AWAITING, Status.CONFIRMED}),
        Status.AWAITING,
        is_agent,
        _hand_over,
        needs=("to",),
        tell=_tell_new_agent,
    ),
    "reassign": Action(
        OPEN, Status.AWAITING, manages_appointment, _hand_over, needs=("to",), tell=_tell_new_agent
    ),
    "cancel": Action(
        OPEN, Status.CANCELLED, may_cancel, _cancel, needs=("reason",), tell=_tell_agent_of_cancel
    ),
    # a case is opened from it (cases.services.case_open): the matter goes on as a case
    "open_case": Action(
        frozenset({Status.CONFIRMED}),
        Status.IN_CASE,
        may_open_case,
        _nothing,
        event="case_opened",
        fields=(),
        denied=gettext_lazy("Only the appointment's agent or their managers open its case."),
        public=False,
    ),
}

PUBLIC_ACTIONS = sorted(name for name, spec in ACTIONS.items() if spec.public)


def actions_offered(actor, appointment: Appointment) -> list[dict]:
    """What `actor` may do to `appointment` now, read off the table (the states each action
    starts from and its `who`), with the fields each needs: the field app offers exactly these
    and keeps no copy of the state machine. `open_case` is taken through POST /api/v1/cases/."""
    if actor is None or not actor.is_authenticated:
        return []
    offered = []
    for name, spec in ACTIONS.items():
        if appointment.status in spec.from_states and spec.who(actor, appointment):
            offer: dict = {"action": name, "needs": list(spec.needs)}
            if "to" in spec.needs:
                station = appointment.agent.centre_id if appointment.agent_id else None
                offer["choices"] = {
                    "to": hand_over_choices(
                        actor,
                        centre_id=station or appointment.queue_centre_id,
                        exclude=appointment.agent_id,
                    )
                }
            offered.append(offer)
    return offered


def apply_action(
    appointment: Appointment, *, actor, action: str, payload: dict, now: datetime
) -> Appointment:
    """Guard, run and record `action` on an appointment whose row the caller has locked (in
    its transaction). Refusals: 409 `illegal_transition`, 403 `permission_denied`, 400
    `missing_<field>` (`core.transitions.guard`), before anything changes."""
    spec = ACTIONS[action]
    guard(
        action=action,
        status=appointment.status,
        from_states=spec.from_states,
        allowed=lambda: spec.who(actor, appointment),
        needs=spec.needs,
        payload=payload,
        illegal=_("Cannot %(action)s an appointment that is %(status)s.")
        % {"action": action, "status": appointment.status},
        denied=str(spec.denied)
        if spec.denied
        else _("You may not %(action)s this appointment.") % {"action": action},
    )
    step = Step(
        appointment,
        actor,
        payload,
        now,
        previous=appointment.status,
        note=str(payload.get("reason") or payload.get("note") or ""),
    )
    spec.run(step)
    if spec.to is None:  # routed again: routing wrote the appointment and its records
        return appointment
    appointment.status = spec.to
    appointment.version += 1
    appointment.save(
        update_fields=None if spec.fields is None else ["status", "version", *spec.fields]
    )
    record_event(
        appointment,
        actor=actor,
        action=spec.event or action,
        from_status=step.previous,
        note=step.note,
        data=step.data,
    )
    if spec.tell is not None:
        spec.tell(step)
    return appointment


@transaction.atomic
def appointment_act(
    *, actor, appointment_id: int, action: str, payload: dict, now: datetime | None = None
) -> Appointment:
    """Take a public action on an appointment: lock its row, guard, run, record."""
    now = now or timezone.now()
    spec = ACTIONS.get(action)
    if spec is None or not spec.public:
        raise NotFound(
            "unknown_action",
            _("No action %(action)s.") % {"action": action},
            details={"allowed": PUBLIC_ACTIONS},
        )
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("grid", "queue_centre", "agent__centre", "item_version")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise NotFound("unknown_appointment", _("No such appointment."))
    return apply_action(appointment, actor=actor, action=action, payload=payload, now=now)
