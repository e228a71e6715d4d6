"""Who may do what to an appointment: the predicates the action table (`actions.ACTIONS`) and
the views ask. Answers only; nothing here writes, raises or reads beyond the rows given.

Imports only `people` and this app's models; must never import the app's writing modules
(`intake`, `assignment`, `actions`, `sweeps`, `backlog`) or the API.
"""

from __future__ import annotations

from people.models import Role, Staff
from people.scope import scope_for

from .models import Appointment, Status


def staff_of(user) -> Staff | None:
    """The user's staff profile, if they are signed in and have one."""
    return scope_for(user).staff if user is not None and user.is_authenticated else None


def is_agent(user, a: Appointment) -> bool:
    """The appointment is with this user (routed to them, or theirs once confirmed)."""
    staff = staff_of(user)
    return staff is not None and a.agent_id == staff.pk


def manages_appointment(user, a: Appointment) -> bool:
    """An editor managing the area it lies in, waits in, or whose agent's station is in."""
    scope = scope_for(user)
    area_ids = {
        a.grid.community_id if a.grid_id else None,
        a.queue_centre.area_id if a.queue_centre_id else None,
        a.agent.centre.area_id if a.agent_id and a.agent.centre_id else None,
    } - {None}
    return scope.editor and any(scope.manages_area(i) for i in area_ids)


def station_agent_for_queue(user, a: Appointment) -> bool:
    """Any agent of the station whose unrouted queue it waits in may take it."""
    staff = staff_of(user)
    return (
        a.status == Status.UNROUTED
        and staff is not None
        and staff.has_role(Role.AGENT)
        and a.queue_centre_id is not None
        and staff.centre_id == a.queue_centre_id
    )


def may_confirm(user, a: Appointment) -> bool:
    """While awaiting: only the routed agent. From a queue: its station's agents, managers."""
    return (
        is_agent(user, a)
        if a.status == Status.AWAITING
        else (station_agent_for_queue(user, a) or manages_appointment(user, a))
    )


def may_cancel(user, a: Appointment) -> bool:
    """The agent it is with, its managers, or whoever booked it."""
    return (
        is_agent(user, a)
        or manages_appointment(user, a)
        or (a.created_by_id is not None and a.created_by_id == user.pk)
    )


def may_open_case(user, a: Appointment) -> bool:
    """首问负责: the appointment's agent opens its case, or an editor managing their station."""
    staff = staff_of(user)
    owner = a.agent
    if staff is not None and owner.pk == staff.pk:
        return True
    scope = scope_for(user)
    return bool(scope.editor and owner.centre_id and scope.manages_area(owner.centre.area_id))
