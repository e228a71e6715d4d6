"""Home visit writes: schedule, check in, check out, cancel. Each locks the visit row.

The server measures the distance from the phone's position to the home (the appointment's or
the case's location) on the spheroid; a check-in farther than VISITS["CHECKIN_RADIUS_M"] is
kept but flagged, so a supervisor sees it (a phone indoors may be off by a block; a check-in
from the office is not a home visit).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import Appointment
from appointments.models import Status as AppointmentStatus
from appointments.selectors import appointments_for
from cases.access import handles
from cases.models import OPEN as OPEN_CASE
from cases.selectors import cases_for
from cases.services import appointment_by_client_uuid
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from core.offline import fingerprint, replayed
from geo.geometry import check_accuracy
from people.models import Role
from people.scope import scope_for

from .models import Visit
from .selectors import visits_for

Status = Visit.Status


def distance_m(a: Point | None, b: Point | None) -> float | None:
    if a is None or b is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Distance(ST_GeomFromEWKB(%s)::geography, ST_GeomFromEWKB(%s)::geography)",
            [bytes(a.ewkb), bytes(b.ewkb)],
        )
        return round(cursor.fetchone()[0], 1)


@transaction.atomic
def visit_schedule(
    *,
    actor,
    appointment_id: int | None = None,
    case_id: int | None = None,
    scheduled_for: datetime | None = None,
    client_uuid: uuid.UUID | None = None,
    appointment_client_uuid: uuid.UUID | None = None,
    case_client_uuid: uuid.UUID | None = None,
) -> tuple[Visit, bool]:
    """Plan a visit to an appointment's or a case's home; returns (visit, created). The same
    request with the same client_uuid from the same user returns the first visit (an offline
    phone's replay, `core.offline`); the appointment or case may be named by the client_uuid
    the phone gave it offline."""
    sent = fingerprint(
        {
            "appointment": appointment_id,
            "case": case_id,
            "scheduled_for": scheduled_for,
            "appointment_client_uuid": appointment_client_uuid,
            "case_client_uuid": case_client_uuid,
        }
    )
    existing = replayed(
        Visit,
        client_uuid,
        fingerprint=sent,
        owner="created_by_id",
        actor=actor,
        taken=_("This client_uuid belongs to another visit."),
    )
    if existing is not None:
        return existing, False
    if appointment_id is None and appointment_client_uuid is not None:
        appointment_id = appointment_by_client_uuid(actor, appointment_client_uuid)
    if case_id is None and case_client_uuid is not None:
        case_id = (
            cases_for(actor)
            .filter(client_uuid=case_client_uuid)
            .values_list("pk", flat=True)
            .first()
        )
        if case_id is None:
            raise NotFound("unknown_case", _("No such case."))
    if scheduled_for is not None:
        now = timezone.now()
        if not now - timedelta(days=30) <= scheduled_for <= now + timedelta(days=366):
            raise ApplicationError(
                "invalid_scheduled_for",
                _("A visit is planned from a month ago to a year ahead."),
                details={"field": "scheduled_for"},
            )
    if (appointment_id is None) == (case_id is None):
        raise ApplicationError(
            "visit_subject_required", _("A visit is for one appointment or one case.")
        )
    scope = scope_for(actor)
    staff = scope.staff
    if appointment_id is not None:
        subject = appointments_for(actor).filter(pk=appointment_id).first()
        if subject is None:
            raise NotFound("unknown_appointment", _("No such appointment."))
        if subject.status not in (AppointmentStatus.CONFIRMED, AppointmentStatus.IN_CASE):
            raise Conflict(
                "appointment_not_confirmed",
                _("Visits are planned for confirmed appointments (this one is %(status)s).")
                % {"status": subject.status},
            )
        agent = subject.agent
        allowed = (staff is not None and agent.pk == staff.pk) or scope.manages_staff(agent)
    else:
        subject = cases_for(actor).filter(pk=case_id).first()
        if subject is None:
            raise NotFound("unknown_case", _("No such case."))
        if subject.status not in OPEN_CASE:
            raise Conflict("case_closed", _("The case is no longer open."))
        agent = subject.responsible
        allowed = handles(actor, subject)
    if not allowed or not agent.has_role(Role.AGENT, Role.CENTRE_STAFF):
        raise PermissionDenied("permission_denied", _("You may not plan this visit."))
    visit = Visit.objects.create(
        client_uuid=client_uuid,
        client_fingerprint=sent if client_uuid is not None else "",
        appointment=subject if isinstance(subject, Appointment) else None,
        case=None if isinstance(subject, Appointment) else subject,
        agent=agent,
        created_by=actor,
        scheduled_for=scheduled_for,
        destination=subject.location,
    )
    return visit, True


def _locked(actor, visit_id: int) -> Visit:
    visit = visits_for(actor).select_for_update(of=("self",)).filter(pk=visit_id).first()
    if visit is None:
        raise NotFound("unknown_visit", _("No such visit."))
    staff = scope_for(actor).staff
    if staff is None or staff.pk != visit.agent_id:
        raise PermissionDenied("permission_denied", _("Only the visiting agent checks in and out."))
    return visit


def _check_state(visit: Visit, allowed: tuple[str, ...], action: str) -> None:
    if visit.status not in allowed:
        raise Conflict(
            "illegal_transition",
            _("Cannot %(action)s a visit that is %(status)s.")
            % {"action": action, "status": visit.status},
            details={"status": visit.status, "action": action},
        )


@transaction.atomic
def check_in(
    *, actor, visit_id: int, position: Point, accuracy_m: float | None = None, now=None
) -> Visit:
    visit = _locked(actor, visit_id)
    _check_state(visit, (Status.SCHEDULED,), "check in")
    check_accuracy(accuracy_m)
    visit.checked_in_at = now or timezone.now()
    visit.check_in_position = position
    visit.check_in_accuracy_m = accuracy_m
    visit.check_in_distance_m = distance_m(position, visit.destination)
    radius = settings.VISITS["CHECKIN_RADIUS_M"]
    visit.check_in_flagged = (
        visit.check_in_distance_m is not None and visit.check_in_distance_m > radius
    )
    visit.status = Status.IN_PROGRESS
    visit.version += 1
    visit.save()
    return visit


RECORD_LISTS = ("forms_filled", "papers_collected", "photos")


def _clean_record(record) -> dict:
    if record is None:
        return {}
    if not isinstance(record, dict) or set(record) - {*RECORD_LISTS, "notes"}:
        raise ApplicationError(
            "invalid_record",
            _("The visit record has forms_filled, papers_collected, photos (lists) and notes."),
            details={"field": "record"},
        )
    clean = {}
    for key in RECORD_LISTS:
        value = record.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            raise ApplicationError(
                "invalid_record",
                _("%(field)s must be a list.") % {"field": key},
                details={"field": f"record.{key}"},
            )
        clean[key] = value[:100]
    clean["notes"] = str(record.get("notes", ""))[:2000]
    return clean


@transaction.atomic
def check_out(*, actor, visit_id: int, position: Point, record=None, now=None) -> Visit:
    visit = _locked(actor, visit_id)
    _check_state(visit, (Status.IN_PROGRESS,), "check out")
    visit.record = _clean_record(record)
    visit.checked_out_at = now or timezone.now()
    visit.check_out_position = position
    visit.check_out_distance_m = distance_m(position, visit.destination)
    visit.status = Status.DONE
    visit.version += 1
    visit.save()
    return visit


@transaction.atomic
def visit_cancel(*, actor, visit_id: int) -> Visit:
    visit = visits_for(actor).select_for_update(of=("self",)).filter(pk=visit_id).first()
    if visit is None:
        raise NotFound("unknown_visit", _("No such visit."))
    scope = scope_for(actor)
    if not (
        (scope.staff is not None and scope.staff.pk == visit.agent_id)
        or scope.manages_staff(visit.agent)
    ):
        raise PermissionDenied("permission_denied", _("You may not cancel this visit."))
    _check_state(visit, (Status.SCHEDULED,), "cancel")
    visit.status = Status.CANCELLED
    visit.version += 1
    visit.save()
    return visit
