"""Taking a resident's request in (预约): check it, give it a tracking code, and either let the
agent in front of the resident own it (首问负责) or route it (`assignment.route`).

The checks shared with cases (item, applicant, resident ID) live in `residents.intake`.
Imports `assignment` (routing writes) and never `actions`, `sweeps`, `backlog` or the API.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import ServiceItemVersion
from core.codes import new_tracking_code
from core.errors import ApplicationError
from core.offline import fingerprint, replayed
from geo import selectors as geo_selectors
from people.models import Role
from residents.intake import Applicant, checked_applicant, requested_version

from .access import staff_of
from .assignment import check_service_area, route, take_first_inquiry
from .models import Appointment, Channel, Status

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


def _check_intake(actor, intake: Intake, now: datetime) -> tuple[ServiceItemVersion, Applicant]:
    version = requested_version(intake.service_item, intake.description)
    applicant = checked_applicant(
        name=intake.applicant_name, phone=intake.applicant_phone, resident_id=intake.resident_id
    )
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
    return version, applicant


@transaction.atomic
def appointment_create(*, actor, intake: Intake, now: datetime | None = None) -> Appointment:
    """Take a resident's request. An agent taking it in person owns it (首问负责); everything
    else is routed. A repeat of the same request with the same client_uuid returns the first
    appointment, concurrent repeats included (`core.offline`: the key is locked first, so the
    booking is routed and notified once)."""
    now = now or timezone.now()
    sent = fingerprint(intake)
    existing = replayed(
        Appointment,
        intake.client_uuid,
        fingerprint=sent,
        owner="created_by_id",
        actor=actor,
        taken=_("This client_uuid belongs to another appointment."),
    )
    if existing is not None:
        return existing
    version, applicant = _check_intake(actor, intake, now)
    staff = staff_of(actor)
    in_person = staff is not None and intake.channel in IN_PERSON and staff.has_role(Role.AGENT)
    if in_person:
        check_service_area(intake.location, covered=geo_selectors.grid_for_point(intake.location))
    # (a routed booking is checked by routing: its ranking finds the covering or nearest grid)
    # not written yet: a routed booking is written once, already routed (one INSERT, no UPDATE)
    appointment = Appointment(
        tracking_code=_tracking_code(),
        client_uuid=intake.client_uuid,
        client_fingerprint=sent if intake.client_uuid is not None else "",
        applicant_name=applicant.name,
        applicant_phone=applicant.phone,
        **applicant.stored_id(),
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
        take_first_inquiry(appointment, staff, actor, now)
    else:
        route(appointment, actor=actor, reason="new", now=now)
    return appointment
