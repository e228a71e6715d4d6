"""Routing writes: where an appointment goes and what that records. `route` ranks the
candidates (`routing.rank`, the one SQL ranking), locks the chosen agent and writes the
appointment to them (`to_agent`) or to a station's, community's or district's queue
(`to_queue`), with its routing decision, event and notifications in the same transaction.
First-inquiry ownership (`take_first_inquiry`) is recorded here too.

Locking: call with the appointment's row locked (or with a new appointment not written yet);
an agent's row is locked before their open work is counted, so concurrent routing never pushes
anyone over the cap. Notification rows are written only through the notifications app
(`notifications.services`, and `notifications.sql` composed into RECORD_ROUTED_SQL).

Imports `routing`, `events` and this app's models; must never import `intake`,
`actions`, `sweeps`, `backlog`, `access` or the API (they import this).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core import rows
from core.errors import ApplicationError
from geo import selectors as geo_selectors
from geo.models import Area, Grid, ServiceCentre
from notifications import sql as notifications_sql
from notifications.services import deliver_on_commit, in_language, notify
from people.models import Role, Staff

from . import routing
from .events import record_event
from .models import Appointment, RoutingDecision, Status


def check_service_area(location, *, covered) -> None:
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


def take_first_inquiry(appointment: Appointment, staff: Staff, actor, now: datetime) -> None:
    """首问负责: the agent taking it in person owns it, confirmed at once; recorded as a routing
    decision of its own rule so every appointment's owner can be audited the same way."""
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
    record_event(
        appointment,
        actor=actor,
        action="first_inquiry",
        from_status=Status.UNROUTED,
        note=_("首问负责: taken in person by %(name)s.") % {"name": staff.full_name},
    )


def window(appointment: Appointment, now: datetime) -> tuple[datetime, datetime]:
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


def room(staff: Staff, now: datetime, *, grid: str | None = None, count: bool = True):
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
    start, end = window(appointment, now)
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
            check_service_area(appointment.location, covered=False)
        chosen = next((c for c in ranking.candidates if c.eligible), None)
        if chosen is None:
            return _to_queue(appointment, ranking, actor=actor, reason=reason, now=now)
        # lock the agent, then count again in a statement of its own (its snapshot sees every
        # booking committed while we waited): concurrent routing never pushes anyone over the cap
        staff = _lock_agent(chosen.staff_id)
        load, deadline, grid_id = room(staff, now, grid=ranking.grid)
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


def explanation(ranking, chosen, *, reason, rule, excluded) -> dict:
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
    appointment.routing = explanation(
        ranking, chosen, reason=reason, rule=rule, excluded=appointment.routing.get("excluded", [])
    )
    appointment.version += 1
    appointment.save()
    row = routed_row(
        appointment.pk,
        appointment.tracking_code,
        appointment.address,
        appointment.item_version.name,
        rule,
        chosen,
        actor=actor,
        from_status=previous,
        reason=reason,
        texts=routed_texts(staff.language),
    )
    deliver_on_commit(record_routed([row]))
    return appointment


# What routing to an agent records besides the appointment, for one booking or a backlog's pass
# alike, in one round trip: the decision with its explanation, the event, the agent's
# notification (data-modifying CTEs run once each; the notification's INSERT is the notifications
# app's own, composed in). The appointments are written already.
RECORD_ROUTED_SQL = f"""
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
    SELECT u.id, %(at)s, u.actor, 'routed', u.from_status, '{Status.AWAITING.value}', u.note,
           jsonb_build_object('reason', u.reason, 'rule', u.rule, 'agent', u.agent,
                              'grid', u.grid)
    FROM u
)
""" + notifications_sql.insert_from(
    "u",
    kind="appointment_routed",
    recipient="u.user_id",
    title="u.title",
    body="u.body",
    data="jsonb_build_object('appointment', u.id, 'confirm_by', u.confirm_deadline)",
    at="%(at)s",
)


def routed_texts(language: str) -> tuple[str, str, str]:
    """What routing to an agent says: the event note (in the language of the moment, as every
    event's), the notification's title and body in the agent's `language` (their profile's;
    the same rule as `notifications.services.notify`). Translated once per language for a whole
    backlog pass rather than per appointment."""
    return (
        _("Routed to %(name)s (%(rule)s)."),
        *in_language(
            language,
            lambda: (
                _("New appointment %(code)s"),
                _("%(item)s at %(address)s; please confirm or decline."),
            ),
        ),
    )


def routed_row(pk, code, address, item, rule, chosen, *, actor, from_status, reason, texts):
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


def record_routed(routed: list[dict]) -> list[int]:
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
    appointment.routing = explanation(
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
    record_event(
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
            title=lambda: _("Unrouted appointment %(code)s") % {"code": appointment.tracking_code},
            body=lambda: (
                _("%(item)s at %(address)s needs an agent.")
                % {"item": appointment.item_version.name, "address": appointment.address}
            ),
            data={"appointment": appointment.pk},
        )
    return appointment
