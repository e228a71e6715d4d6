"""Appointment writes: intake, routing, the agent's answers, re-routing. Each write locks the
appointment row, records an event and its notifications in the same transaction.

The actions are one table (`ACTIONS`): which states an action starts from, what it needs and
who may take it; `appointment_act` is the only function that changes a status by action.
"""

from __future__ import annotations

import json
import multiprocessing
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.errors import DeadlockDetected

from catalogue.models import ServiceItem, ServiceItemVersion
from core import rows
from core.codes import new_tracking_code
from core.errors import ApplicationError, NotFound
from core.offline import replayed
from core.tasks import enqueue_on_commit
from core.transitions import guard
from core.validation import normalise_mobile
from geo import selectors as geo_selectors
from geo.models import Area, Grid, ServiceCentre
from notifications.services import notify
from people.models import Role, Staff
from people.scope import scope_for

from . import identity, routing
from .models import Appointment, AppointmentEvent, Channel, RoutingDecision, Status

IN_PERSON = {Channel.APP, Channel.DESK}


def _tracking_code() -> str:
    def taken(code: str) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT EXISTS (SELECT 1 FROM appointments_appointment WHERE tracking_code = %s)",
                [code],
            )
            return cursor.fetchone()[0]

    return new_tracking_code(taken)


def _event(appointment, *, actor, action, from_status="", note="", data=None) -> None:
    AppointmentEvent.objects.create(
        appointment=appointment,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=appointment.status,
        note=note,
        data=data or {},
    )


def staff_of(user) -> Staff | None:
    return scope_for(user).staff if user is not None and user.is_authenticated else None


# --- intake -----------------------------------------------------------------------------


@dataclass
class Intake:
    service_item: str
    applicant_name: str
    applicant_phone: str
    location: Point
    address: str
    channel: str
    description: str = ""
    resident_id: str = ""
    preferred_start: datetime | None = None
    preferred_end: datetime | None = None
    client_uuid: uuid.UUID | None = None
    notes: str = ""


def _current_version(code: str) -> ServiceItemVersion | None:
    """The active item `code` and its current version, in one plain query (every booking asks)."""
    version_fields, version_columns = rows.columns(ServiceItemVersion, "v")
    item_fields, item_columns = rows.columns(ServiceItem, "i")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {version_columns}, {item_columns} FROM catalogue_serviceitemversion v "
            "JOIN catalogue_serviceitem i ON i.id = v.item_id "
            "WHERE i.code = %s AND i.active ORDER BY v.version DESC LIMIT 1",
            [code],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    version, version.item = rows.split(
        row, (ServiceItemVersion, version_fields), (ServiceItem, item_fields)
    )
    return version


def _check_intake(actor, intake: Intake, now: datetime) -> tuple[ServiceItemVersion, str, str]:
    version = _current_version(intake.service_item)
    item = version.item if version is not None else None
    if item is None:
        raise ApplicationError(
            "unknown_service_item",
            _("No service item with code %(code)s.") % {"code": intake.service_item},
            details={"field": "service_item"},
        )
    if item.is_other_request and not intake.description.strip():
        raise ApplicationError(
            "description_required",
            _("An 'other request' needs a description of what is needed."),
            details={"field": "description"},
        )
    phone = normalise_mobile(intake.applicant_phone, field="applicant_phone")
    if not intake.applicant_name.strip():
        raise ApplicationError(
            "name_required",
            _("The applicant's name is required."),
            details={"field": "applicant_name"},
        )
    resident_id = identity.check_resident_id(intake.resident_id) if intake.resident_id else ""
    if intake.channel not in Channel.values:
        raise ApplicationError(
            "invalid_channel", _("Unknown channel."), details={"field": "channel"}
        )
    if staff_of(actor) is None and intake.channel in IN_PERSON:
        raise ApplicationError(
            "invalid_channel",
            _("Only staff take appointments in person (app or desk)."),
            details={"field": "channel"},
        )
    start, end = intake.preferred_start, intake.preferred_end
    if (start is None) != (end is None):
        raise ApplicationError(
            "invalid_window", _("Give both ends of the preferred window, or neither.")
        )
    if start is not None and (end <= start or end <= now or end - start > timedelta(days=14)):
        raise ApplicationError(
            "invalid_window",
            _(
                "The preferred window must run forwards, end in the future and span at most 14 days."
            ),
        )
    return version, phone, resident_id


@transaction.atomic
def appointment_create(*, actor, intake: Intake, now: datetime | None = None) -> Appointment:
    """Take a resident's request. An agent taking it in person owns it (首问负责); everything
    else is routed. A repeat with the same client_uuid returns the first appointment."""
    now = now or timezone.now()
    existing = replayed(
        Appointment.objects,
        intake.client_uuid,
        owner="created_by_id",
        actor=actor,
        taken=_("This client_uuid belongs to another appointment."),
    )
    if existing is not None:
        return existing
    version, phone, resident_id = _check_intake(actor, intake, now)
    staff = staff_of(actor)
    in_person = staff is not None and intake.channel in IN_PERSON and staff.has_role(Role.AGENT)
    if in_person:
        _check_service_area(intake.location, covered=geo_selectors.grid_for_point(intake.location))
    # (a routed booking is checked by routing: its ranking finds the covering or nearest grid)
    # not written yet: a routed booking is written once, already routed (one INSERT, no UPDATE)
    appointment = Appointment(
        tracking_code=_tracking_code(),
        client_uuid=intake.client_uuid,
        applicant_name=intake.applicant_name.strip(),
        applicant_phone=phone,
        resident_id_encrypted=identity.encrypt(resident_id) if resident_id else "",
        resident_id_hash=identity.lookup_hash(resident_id) if resident_id else "",
        resident_id_masked=identity.mask(resident_id) if resident_id else "",
        address=intake.address.strip(),
        location=intake.location,
        service_item=version.item,
        item_version=version,
        description=intake.description.strip(),
        preferred_start=intake.preferred_start,
        preferred_end=intake.preferred_end,
        channel=intake.channel,
        notes=intake.notes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        status=Status.UNROUTED,
    )
    if in_person:
        _take_first_inquiry(appointment, staff, actor, now)
    else:
        route(appointment, actor=actor, reason="new", now=now)
    return appointment


def _check_service_area(location, *, covered) -> None:
    """Inside the service area: in a grid, in an area of the district, or near a grid. Nothing
    is written before this passes."""
    if covered or geo_selectors.area_chain_for_point(location):
        return
    if geo_selectors.nearest_grid(location) is None:
        raise ApplicationError(
            "outside_service_area",
            _("The location is outside the district's service area."),
            details={"location": list(location.coords)},
        )


def _take_first_inquiry(appointment: Appointment, staff: Staff, actor, now: datetime) -> None:
    grid = geo_selectors.grid_for_point(appointment.location)
    appointment.status = Status.CONFIRMED
    appointment.agent = staff
    appointment.first_inquiry = True
    appointment.grid_id = grid.id if grid else None
    appointment.routed_at = now
    appointment.routing = {
        "rule": "first_inquiry",
        "grid": grid.code if grid else None,
        "excluded": [],
    }
    appointment.save()
    RoutingDecision.objects.create(
        appointment=appointment,
        reason="new",
        rule="first_inquiry",
        grid_code=grid.code if grid else "",
        agent=staff,
        candidates=[],
    )
    _event(
        appointment,
        actor=actor,
        action="first_inquiry",
        from_status=Status.UNROUTED,
        note=_("首问负责: taken in person by %(name)s.") % {"name": staff.full_name},
    )


# --- routing ----------------------------------------------------------------------------


def open_work(staff_ids) -> dict[int, int]:
    """Each agent's open work as the cap counts it (SQL function open_work: appointments without
    a case yet plus open cases), for agents already locked by the caller."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, o.load FROM unnest(%s::bigint[]) AS id "
            "CROSS JOIN LATERAL open_work_of(id) o",  # inlined: planned with the statement
            [list(staff_ids)],
        )
        return dict(cursor.fetchall())


def _window(appointment: Appointment, now: datetime) -> tuple[datetime, datetime]:
    """The preferred window, or else the next default working period (a night-time booking is
    for the next working day, not a reason to skip everyone)."""
    if appointment.preferred_start and appointment.preferred_end:
        return appointment.preferred_start, appointment.preferred_end
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT lower(r), upper(r) FROM unnest(people_default_working_time(%s, %s)) AS r LIMIT 1",
            [now, now + timedelta(days=14)],
        )
        row = cursor.fetchone()
    return row if row else (now, now + timedelta(hours=8))


# minutes an agent has to answer: their station's policy, else the default (one rule; the
# backlog's ASSIGN_SQL joins the same table set-based)
CONFIRM_BY_SQL = (
    "people_after_working_minutes(%(staff)s, %(now)s, coalesce((SELECT confirm_minutes "
    "FROM appointments_stationpolicy WHERE centre_id = %(centre)s), %(minutes)s))"
)


def _lock_agent(staff_id: int) -> Staff:
    """The agent's row, locked for the rest of the transaction (one plain statement; positions
    left deferred)."""
    fields, cols = rows.columns(Staff, "s", skip=("last_position",))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {cols} FROM people_staff s WHERE s.id = %s FOR UPDATE OF s", [staff_id]
        )
        return rows.instance(Staff, fields, cursor.fetchone())


def _room(staff: Staff, now: datetime, *, grid: str | None = None, count: bool = True):
    """In one round trip: the agent's open work as the cap counts it (`count`; ask once the
    agent is locked), when they must answer (station policy) and the id of the grid `grid`."""
    load = "(SELECT o.load FROM open_work_of(%(staff)s) o)" if count else "NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {load}, {CONFIRM_BY_SQL}, (SELECT id FROM geo_grid WHERE code = %(grid)s)",
            {
                "staff": staff.pk,
                "now": now,
                "centre": staff.centre_id,
                "minutes": settings.APPOINTMENTS["CONFIRM_MINUTES"],
                "grid": grid,
            },
        )
        return cursor.fetchone()


def _queue_centre(appointment: Appointment, ranking: routing.Ranking) -> tuple[str, ServiceCentre]:
    if ranking.grid:
        grid = Grid.objects.select_related("community__centre").get(code=ranking.grid)
        return "station_queue", grid.community.centre
    chain = geo_selectors.area_chain_for_point(appointment.location)
    community = next((a for a in chain if a.level == Area.Level.COMMUNITY), None)
    if community is not None:
        return "community_queue", community.centre
    district = (
        chain[0]
        if chain
        else Area.objects.filter(level=Area.Level.DISTRICT).order_by("code").first()
    )
    return "district_queue", district.centre


def _managers_of(centre: ServiceCentre):
    roles = [Role.STATION_MANAGER, Role.CENTRE_STAFF, Role.CENTRE_LEAD, Role.DISTRICT_STAFF]
    return Staff.objects.filter(centre=centre, active=True, roles__overlap=roles).select_related(
        "user"
    )


def route(
    appointment: Appointment, *, actor, reason: str, now: datetime | None = None
) -> Appointment:
    """Route (or re-route) one appointment; call inside a transaction with its row locked (or
    with a new appointment not written yet: routing writes it)."""
    now = now or timezone.now()
    excluded = set(appointment.routing.get("excluded", []))
    start, end = _window(appointment, now)
    key = appointment.pk or 0
    for _attempt in range(settings.APPOINTMENTS["ROUTING_RETRIES"]):
        ranking = routing.rank(
            [
                routing.Request(
                    key,
                    appointment.location.x,
                    appointment.location.y,
                    start,
                    end,
                    frozenset(excluded),
                )
            ]
        )[key]
        if appointment.pk is None and ranking.grid is None:
            # a new booking with no grid covering it or near it: in the district at all?
            _check_service_area(appointment.location, covered=False)
        chosen = next((c for c in ranking.candidates if c.eligible), None)
        if chosen is None:
            return _to_queue(appointment, ranking, actor=actor, reason=reason, now=now)
        # lock the agent, then count again in a statement of its own (its snapshot sees every
        # booking committed while we waited): concurrent routing never pushes anyone over the cap
        staff = _lock_agent(chosen.staff_id)
        load, deadline, grid_id = _room(staff, now, grid=ranking.grid)
        if load < chosen.cap:
            return _to_agent(
                appointment,
                ranking,
                chosen,
                staff,
                deadline=deadline,
                grid_id=grid_id,
                actor=actor,
                reason=reason,
                now=now,
            )
        excluded.add(chosen.staff_id)  # filled up meanwhile: next candidate
    ranking.candidates = []
    return _to_queue(appointment, ranking, actor=actor, reason=reason, now=now)


def _explanation(ranking, chosen, *, reason, rule, excluded) -> dict:
    """An appointment's routing explanation: rule, grid, distance, every candidate and why."""
    return {
        "rule": rule,
        "grid": ranking.grid,
        "outside_coverage": ranking.outside_coverage,
        "distance_m": None
        if chosen is None or chosen.distance_m is None
        else round(chosen.distance_m, 1),
        "candidates": [
            c.explain(chosen is not None and c.staff_id == chosen.staff_id)
            for c in ranking.candidates
        ],
        "excluded": sorted(excluded),
        "reason": reason,
    }


def _to_agent(
    appointment, ranking, chosen, staff: Staff, *, deadline, grid_id, actor, reason, now
) -> Appointment:
    previous = appointment.status
    rule = chosen.rule
    appointment.status = Status.AWAITING
    appointment.agent = staff
    appointment.queue_centre = None
    appointment.outside_coverage = ranking.outside_coverage
    appointment.routed_at = now
    appointment.confirm_deadline, appointment.grid_id = deadline, grid_id
    appointment.routing = _explanation(
        ranking, chosen, reason=reason, rule=rule, excluded=appointment.routing.get("excluded", [])
    )
    appointment.version += 1
    appointment.save()
    row = _routed_row(
        appointment.pk,
        appointment.tracking_code,
        appointment.address,
        appointment.item_version.name,
        rule,
        chosen,
        actor=actor,
        from_status=previous,
        reason=reason,
        texts=_routed_texts(),
    )
    notifications = _record_routed([row])
    for pk in notifications:
        enqueue_on_commit("notifications.tasks.deliver", pk)
    return appointment


# What routing to an agent records besides the appointment, for one booking or a backlog's pass
# alike, in one round trip: the decision with its explanation, the event, the agent's
# notification (data-modifying CTEs run once each). The appointments are written already.
RECORD_ROUTED_SQL = """
WITH u AS (
    -- one JSON document for all rows (text arrays of JSON are slow to pass); rule, grid,
    -- distance and candidates are read back from the explanation the appointment was written with
    SELECT u.*, a.confirm_deadline, s.user_id, a.routing ->> 'rule' AS rule,
           a.routing ->> 'grid' AS grid, a.routing -> 'candidates' AS candidates,
           (a.routing ->> 'distance_m')::float8 AS distance, a.outside_coverage AS outside
    FROM jsonb_to_recordset(%(rows)s::jsonb)
         AS u(id bigint, agent bigint, actor bigint, reason text, from_status text, note text,
              title text, body text)
    JOIN appointments_appointment a ON a.id = u.id
    JOIN people_staff s ON s.id = u.agent
),
decisions AS (
    INSERT INTO appointments_routingdecision (appointment_id, created_at, reason, rule, grid_code,
        agent_id, distance_m, outside_coverage, candidates)
    SELECT u.id, %(at)s, u.reason, u.rule, coalesce(u.grid, ''), u.agent, u.distance, u.outside,
           u.candidates
    FROM u
),
events AS (
    INSERT INTO appointments_appointmentevent (appointment_id, at, actor_id, action, from_status,
        to_status, note, data)
    SELECT u.id, %(at)s, u.actor, 'routed', u.from_status, 'awaiting_confirmation', u.note,
           jsonb_build_object('reason', u.reason, 'rule', u.rule, 'agent', u.agent,
                              'grid', u.grid)
    FROM u
)
INSERT INTO notifications_notification (recipient_id, phone, kind, title, body, data, created_at,
    read_at, delivered_at, attempts, last_error)
SELECT u.user_id, '', 'appointment_routed', u.title, u.body,
       jsonb_build_object('appointment', u.id, 'confirm_by', u.confirm_deadline), %(at)s,
       NULL, NULL, 0, ''
FROM u
RETURNING id
"""


def _routed_texts() -> tuple[str, str, str]:
    """What routing to an agent says (event note, notification title and body), translated once
    for a whole backlog pass rather than per appointment."""
    return (
        _("Routed to %(name)s (%(rule)s)."),
        _("New appointment %(code)s"),
        _("%(item)s at %(address)s; please confirm or decline."),
    )


def _routed_row(pk, code, address, item, rule, chosen, *, actor, from_status, reason, texts):
    """One row of RECORD_ROUTED_SQL: appointment `pk`, written routed to `chosen` by `rule`."""
    note, title, body = texts
    return {
        "id": pk,
        "agent": chosen.staff_id,
        "actor": actor.pk if getattr(actor, "is_authenticated", False) else None,
        "reason": reason,
        "from_status": from_status,
        "note": note % {"name": chosen.name, "rule": rule},
        "title": (title % {"code": code})[:200],
        "body": body % {"item": item, "address": address},
    }


def _record_routed(routed: list[dict]) -> list[int]:
    """Write RECORD_ROUTED_SQL for these rows; the new notifications' ids. Stamped with the
    clock at writing, as the rows written before them in the transaction are (a decline's or a
    timeout's event comes before the re-route's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            RECORD_ROUTED_SQL,
            {"rows": json.dumps(routed, ensure_ascii=False), "at": timezone.now()},
        )
        return [pk for (pk,) in cursor.fetchall()]


def _to_queue(appointment, ranking, *, actor, reason, now) -> Appointment:
    previous = appointment.status
    rule, centre = _queue_centre(appointment, ranking)
    appointment.status = Status.UNROUTED
    appointment.agent = None
    appointment.queue_centre = centre
    appointment.grid_id = (
        Grid.objects.filter(code=ranking.grid).values_list("pk", flat=True).first()
        if ranking.grid
        else None
    )
    appointment.outside_coverage = ranking.outside_coverage or not ranking.grid
    appointment.routed_at = now
    appointment.confirm_deadline = None
    appointment.routing = _explanation(
        ranking, None, reason=reason, rule=rule, excluded=appointment.routing.get("excluded", [])
    )
    appointment.routing["outside_coverage"] = appointment.outside_coverage
    decision = RoutingDecision(
        appointment=appointment,
        reason=reason,
        rule=rule,
        grid_code=ranking.grid or "",
        outside_coverage=ranking.outside_coverage,
        candidates=appointment.routing["candidates"],
    )
    appointment.version += 1
    appointment.save()
    decision.save()
    _event(
        appointment,
        actor=actor,
        action="queued",
        from_status=previous,
        note=_("No agent could take it: waiting in the queue of %(centre)s.")
        % {"centre": centre.name},
        data={"reason": reason, "rule": rule, "centre": centre.area.code},
    )
    for manager in _managers_of(centre):
        notify(
            user=manager.user,
            kind="appointment_unrouted",
            title=_("Unrouted appointment %(code)s") % {"code": appointment.tracking_code},
            body=_("%(item)s at %(address)s needs an agent.")
            % {"item": appointment.item_version.name, "address": appointment.address},
            data={"appointment": appointment.pk},
        )
    return appointment


# --- the agent's and managers' actions: one table ----------------------------------------


@dataclass(frozen=True)
class Action:
    from_states: frozenset[str]
    who: Callable[[object, Appointment], bool]
    needs: tuple[str, ...] = ()


def _is_agent(user, a: Appointment) -> bool:
    staff = staff_of(user)
    return staff is not None and a.agent_id == staff.pk


def manages_appointment(user, a: Appointment) -> bool:
    scope = scope_for(user)
    area_ids = {
        a.grid.community_id if a.grid_id else None,
        a.queue_centre.area_id if a.queue_centre_id else None,
        a.agent.centre.area_id if a.agent_id and a.agent.centre_id else None,
    } - {None}
    return scope.editor and any(scope.manages_area(i) for i in area_ids)


def _station_agent_for_queue(user, a: Appointment) -> bool:
    staff = staff_of(user)
    return (
        a.status == Status.UNROUTED
        and staff is not None
        and staff.has_role(Role.AGENT)
        and a.queue_centre_id is not None
        and staff.centre_id == a.queue_centre_id
    )


def _may_confirm(user, a):
    return (
        _is_agent(user, a)
        if a.status == Status.AWAITING
        else (_station_agent_for_queue(user, a) or manages_appointment(user, a))
    )


def _may_cancel(user, a):
    return (
        _is_agent(user, a)
        or manages_appointment(user, a)
        or (a.created_by_id is not None and a.created_by_id == user.pk)
    )


ACTIONS: dict[str, Action] = {
    "confirm": Action(frozenset({Status.AWAITING, Status.UNROUTED}), _may_confirm),
    "decline": Action(frozenset({Status.AWAITING}), _is_agent, needs=("reason",)),
    "hand_over": Action(frozenset({Status.AWAITING, Status.CONFIRMED}), _is_agent, needs=("to",)),
    "reassign": Action(
        frozenset({Status.AWAITING, Status.CONFIRMED, Status.UNROUTED}),
        manages_appointment,
        needs=("to",),
    ),
    "cancel": Action(
        frozenset({Status.AWAITING, Status.CONFIRMED, Status.UNROUTED}),
        _may_cancel,
        needs=("reason",),
    ),
}


def _target_agent(user, staff_id) -> Staff:
    staff = (
        scope_for(user).staff_members(Staff.objects.filter(active=True)).filter(pk=staff_id).first()
    )
    if staff is None or not staff.has_role(Role.AGENT):
        raise ApplicationError("unknown_agent", _("No such active agent."), details={"field": "to"})
    return staff


@transaction.atomic
def appointment_act(
    *, actor, appointment_id: int, action: str, payload: dict, now: datetime | None = None
) -> Appointment:
    now = now or timezone.now()
    spec = ACTIONS.get(action)
    if spec is None:
        raise NotFound(
            "unknown_action",
            _("No action %(action)s.") % {"action": action},
            details={"allowed": sorted(ACTIONS)},
        )
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("grid", "queue_centre", "agent__centre", "item_version")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise NotFound("unknown_appointment", _("No such appointment."))
    guard(
        action=action,
        status=appointment.status,
        from_states=spec.from_states,
        allowed=lambda: spec.who(actor, appointment),
        needs=spec.needs,
        payload=payload,
        illegal=_("Cannot %(action)s an appointment that is %(status)s.")
        % {"action": action, "status": appointment.status},
        denied=_("You may not %(action)s this appointment.") % {"action": action},
    )
    previous = appointment.status
    note = str(payload.get("reason") or payload.get("note") or "")
    if action == "confirm":
        staff = staff_of(actor)
        appointment.status = Status.CONFIRMED
        appointment.agent = (
            staff
            if previous == Status.UNROUTED and staff and staff.has_role(Role.AGENT)
            else appointment.agent
        )
        if appointment.agent is None:
            raise ApplicationError("agent_required", _("Only an agent can take an appointment."))
        appointment.queue_centre = None
        appointment.confirm_deadline = None
        appointment.version += 1
        appointment.save()
        _event(appointment, actor=actor, action="confirm", from_status=previous, note=note)
    elif action == "decline":
        _event(appointment, actor=actor, action="decline", from_status=previous, note=note)
        appointment.routing.setdefault("excluded", []).append(appointment.agent_id)
        route(appointment, actor=actor, reason="declined", now=now)
    elif action in ("hand_over", "reassign"):
        target = _target_agent(actor, payload.get("to"))
        appointment.status = Status.AWAITING
        appointment.agent = target
        appointment.first_inquiry = False
        appointment.queue_centre = None
        appointment.routed_at = now
        _load, appointment.confirm_deadline, _grid = _room(target, now, count=False)
        appointment.version += 1
        appointment.save()
        _event(
            appointment,
            actor=actor,
            action=action,
            from_status=previous,
            note=note,
            data={"to": target.pk},
        )
        notify(
            user=target.user,
            kind="appointment_handed_over",
            title=_("Appointment %(code)s handed to you") % {"code": appointment.tracking_code},
            body=note,
            data={"appointment": appointment.pk},
        )
    elif action == "cancel":
        appointment.status = Status.CANCELLED
        appointment.confirm_deadline = None
        appointment.version += 1
        appointment.save()
        _event(appointment, actor=actor, action="cancel", from_status=previous, note=note)
        if appointment.agent_id and appointment.agent.user_id != getattr(actor, "pk", None):
            notify(
                user=appointment.agent.user,
                kind="appointment_cancelled",
                title=_("Appointment %(code)s cancelled") % {"code": appointment.tracking_code},
                body=note,
                data={"appointment": appointment.pk},
            )
    return appointment


# --- background: timeouts and re-routing on change ----------------------------------------


def expire_confirmations(*, now: datetime | None = None) -> int:
    """Appointments not confirmed in time go to the next candidate (each once: the row lock and
    the status/deadline re-check make a second run a no-op)."""
    now = now or timezone.now()
    ids = list(
        Appointment.objects.filter(status=Status.AWAITING, confirm_deadline__lte=now).values_list(
            "pk", flat=True
        )
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            a = (
                Appointment.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Status.AWAITING, confirm_deadline__lte=now)
                .first()
            )
            if a is None:
                continue
            _event(
                a,
                actor=None,
                action="timeout",
                from_status=a.status,
                note=_("Not confirmed in time by the routed agent."),
                data={"agent": a.agent_id},
            )
            a.routing.setdefault("excluded", []).append(a.agent_id)
            route(a, actor=None, reason="timeout", now=now)
            done += 1
    return done


AFFECTED_SQL = """
SELECT a.id,
       CASE
         WHEN g.retired_at IS NOT NULL THEN 'grid_retired'
         WHEN NOT ST_Covers(g.boundary, a.location) THEN 'grid_changed'
         WHEN NOT s.active THEN 'agent_inactive'
         WHEN NOT EXISTS (
             SELECT 1 FROM people_gridassignment ga JOIN geo_grid gg ON gg.id = ga.grid_id
             WHERE ga.staff_id = s.id AND gg.community_id = g.community_id
               AND ga.valid_from <= (%(now)s AT TIME ZONE 'Asia/Shanghai')::date
               AND (ga.valid_to IS NULL OR ga.valid_to > (%(now)s AT TIME ZONE 'Asia/Shanghai')::date))
           THEN 'agent_unassigned'
         WHEN a.preferred_start IS NOT NULL
              AND isempty(people_working_time(s.id, greatest(a.preferred_start, %(now)s), a.preferred_end))
           THEN 'agent_on_leave'
       END AS why
FROM appointments_appointment a
JOIN people_staff s ON s.id = a.agent_id
JOIN geo_grid g ON g.id = a.grid_id
WHERE a.status IN ('awaiting_confirmation', 'confirmed') AND NOT a.first_inquiry
"""


def reroute_affected(*, now: datetime | None = None) -> int:
    """Open appointments whose grid was edited, split, merged or retired, or whose agent was
    deactivated, unassigned or went on leave, are routed again, each with an event saying why."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, why FROM ({AFFECTED_SQL}) x WHERE why IS NOT NULL", {"now": now}
        )
        affected = cursor.fetchall()
    for pk, why in affected:
        with transaction.atomic():
            a = (
                Appointment.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status__in=[Status.AWAITING, Status.CONFIRMED])
                .first()
            )
            if a is None:
                continue
            _event(
                a,
                actor=None,
                action="reroute",
                from_status=a.status,
                note=why,
                data={"why": why, "agent": a.agent_id},
            )
            if why in ("agent_inactive", "agent_unassigned", "agent_on_leave"):
                a.routing.setdefault("excluded", []).append(a.agent_id)
            route(a, actor=None, reason=why, now=now)
    return len(affected)


# --- set-based routing of a backlog -------------------------------------------------------

BACKLOG_SQL = """
SELECT a.id, ST_X(a.location), ST_Y(a.location), a.preferred_start, a.preferred_end,
       a.tracking_code, a.address, v.name
FROM appointments_appointment a
JOIN catalogue_serviceitemversion v ON v.id = a.item_version_id
WHERE a.status = 'unrouted' AND a.routed_at IS NULL
ORDER BY ST_GeoHash(a.location, 7), a.id  -- neighbours together (index appt_backlog)
LIMIT %s
FOR UPDATE OF a SKIP LOCKED
"""

DEADLOCK_RETRIES = 6

# One round trip writes a pass's appointments (RECORD_ROUTED_SQL their decisions, events and
# notifications in a second). Deadlines in working time per agent
# (`people_after_working_minutes_of`), minutes by their station's policy.
ASSIGN_SQL = """
WITH u AS (
    SELECT u.*, coalesce(p.confirm_minutes, %(minutes)s) AS minutes, g.id AS grid_id
    FROM jsonb_to_recordset(%(rows)s::jsonb)
         AS u(id bigint, agent bigint, grid text, outside boolean, routing jsonb)
    JOIN people_staff s ON s.id = u.agent
    LEFT JOIN appointments_stationpolicy p ON p.centre_id = s.centre_id
    LEFT JOIN geo_grid g ON g.code = u.grid
),
d AS (
    SELECT * FROM people_after_working_minutes_of(
        ARRAY(SELECT u.agent FROM u), %(now)s, ARRAY(SELECT u.minutes FROM u))
),
dl AS (SELECT DISTINCT ON (d.staff) d.staff, d.deadline FROM d)
UPDATE appointments_appointment a
SET status = 'awaiting_confirmation', agent_id = u.agent, queue_centre_id = NULL,
    grid_id = u.grid_id, outside_coverage = u.outside, routed_at = %(now)s,
    confirm_deadline = dl.deadline, routing = u.routing, version = a.version + 1
FROM u JOIN dl ON dl.staff = u.agent
WHERE a.id = u.id
"""


def route_queued(
    *,
    batch_size: int = 1000,
    now: datetime | None = None,
    limit: int | None = None,
    workers: int = 1,
) -> int:
    """Route appointments that arrived without routing (an imported or offline backlog) in
    batches: the ranking function once per pass for the whole batch (the one single bookings
    use), choices made in order with caps counted across the batch, written set-based. With
    `workers` > 1, as many processes (each its own database connection; threads would share one
    interpreter lock) take batches side by side: `SKIP LOCKED` gives each its own appointments,
    agents' rows are locked while their caps are counted. Returns how many were routed to an
    agent."""
    now = now or timezone.now()
    if workers <= 1:
        return _route_queued(batch_size, now, limit)
    if connection.in_atomic_block:
        # the workers' connections could not see the caller's uncommitted rows, and closing
        # the caller's connection before forking would end its transaction
        raise RuntimeError("route_queued(workers > 1) must not run inside a transaction")
    shares = (
        [None] * workers
        if limit is None
        else [limit // workers + (1 if i < limit % workers else 0) for i in range(workers)]
    )
    connections.close_all()  # a forked child must not share the parent's connection
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        routed = pool.starmap(_route_queued_in_child, [(batch_size, now, s) for s in shares])
    return sum(routed)


def _route_queued_in_child(batch_size: int, now: datetime, limit: int | None) -> int:
    try:
        return _route_queued(batch_size, now, limit)
    finally:
        connections.close_all()


def _route_queued(batch_size: int, now: datetime, limit: int | None) -> int:
    routed = 0
    done = 0
    while limit is None or done < limit:
        size = batch_size if limit is None else min(batch_size, limit - done)
        for attempt in range(DEADLOCK_RETRIES):
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute(BACKLOG_SQL, [size])
                        batch = cursor.fetchall()
                    count = _route_batch(batch, now) if batch else 0
                    if count:  # the batch's notifications, delivered once it is committed
                        enqueue_on_commit("notifications.tasks.deliver_pending")
                break
            except OperationalError as error:
                # two batches side by side reached for the same agents in different orders
                # (a second pass locks more of them): PostgreSQL cancelled one; do it again
                if not isinstance(error.__cause__, DeadlockDetected):
                    raise
                if attempt == DEADLOCK_RETRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        if not batch:
            break
        routed += count
        done += len(batch)
    return routed


def _route_batch(batch: list[tuple], now: datetime) -> int:
    """Rank the batch, give each appointment in order its best candidate still under the cap,
    write those; re-rank the ones that lost their candidates to earlier ones in the batch (their
    grid's agents are full now, so the community's are weighed); queue the ones nobody can take.
    """
    default_start, default_end = _window(Appointment(), now)
    pending = {
        pk: routing.Request(pk, x, y, start or default_start, end or default_end)
        for pk, x, y, start, end, *_details in batch
    }
    details = {row[0]: row[5:] for row in batch}  # tracking code, address, item name
    queued: list[int] = []
    routed = 0
    for _pass in range(settings.APPOINTMENTS["ROUTING_RETRIES"]):
        if not pending:
            break
        rankings = routing.rank(list(pending.values()))
        staff_ids = sorted(
            {c.staff_id for r in rankings.values() for c in r.candidates if c.eligible}
        )
        # lock every eligible candidate once, in id order, then count their open work as it stands
        # (single bookings routed meanwhile included)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM people_staff WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                [staff_ids],
            )
        loads = open_work(staff_ids)
        picks, lost = [], {}
        for pk, request in pending.items():
            ranking = rankings[pk]
            chosen = next(
                (c for c in ranking.candidates if c.eligible and loads[c.staff_id] < c.cap), None
            )
            if chosen is not None:
                loads[chosen.staff_id] += 1
                picks.append((pk, ranking, chosen))
            elif any(c.eligible for c in ranking.candidates):
                lost[pk] = request  # someone earlier in the batch took the last place
            else:
                queued.append(pk)
        _assign(picks, details, now)
        routed += len(picks)
        pending = lost
    queued.extend(pending)
    for a in Appointment.objects.filter(pk__in=queued).select_related("item_version"):
        # rare in a healthy district: the full path, with managers notified
        route(a, actor=None, reason="batch", now=now)
    return routed


def _assign(
    picks: list[tuple[int, routing.Ranking, routing.Candidate]], details: dict, now
) -> None:
    """Write a pass's picks: the appointments set-based, then what routing records for each."""
    if not picks:
        return
    assigned, recorded, texts = [], [], _routed_texts()
    for pk, ranking, chosen in picks:
        rule = chosen.rule
        explanation = _explanation(ranking, chosen, reason="batch", rule=rule, excluded=())
        assigned.append(
            {
                "id": pk,
                "agent": chosen.staff_id,
                "grid": ranking.grid,
                "outside": ranking.outside_coverage,
                "routing": explanation,
            }
        )
        code, address, item = details[pk]
        recorded.append(
            _routed_row(
                pk,
                code,
                address,
                item,
                rule,
                chosen,
                actor=None,
                from_status=Status.UNROUTED,
                reason="batch",
                texts=texts,
            )
        )
    with connection.cursor() as cursor:
        cursor.execute(
            ASSIGN_SQL,
            {
                "rows": json.dumps(assigned, ensure_ascii=False),
                "now": now,
                "minutes": settings.APPOINTMENTS["CONFIRM_MINUTES"],
            },
        )
    _record_routed(recorded)
