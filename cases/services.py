"""Case writes: opening a case, editing its fields. The actions (pre-review, acceptance, the
window steps, return, closing…) are one table in `cases/actions.py`.

Each write locks the case row and records an event (and any notification) in the same
transaction. A case opened from an appointment moves the appointment on by its own action
(`appointments.actions`, "open_case"); the applicant's checks are `residents.intake`'s.

Imports `actions` (the review a checklist given at opening records); `actions` must never
import this module.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.actions import apply_action as appointment_apply_action
from appointments.models import Appointment
from appointments.models import Status as AppointmentStatus
from appointments.selectors import appointments_for
from core.codes import new_tracking_code
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from core.offline import fingerprint, replayed
from core.validation import normalise_mobile
from geo.models import Area
from people.models import Role, Staff
from people.scope import scope_for
from residents.intake import checked_applicant, requested_version

from . import rules
from .access import handles
from .actions import apply_review
from .events import record_event
from .models import OPEN, Case, Origin, Status

OPENER_ROLES = (Role.AGENT, Role.STATION_MANAGER, Role.CENTRE_STAFF, Role.CENTRE_LEAD)


def _tracking_code() -> str:
    """A walk-in case's own code, unused by any appointment or case."""
    return new_tracking_code(
        lambda c: (
            Case.objects.filter(tracking_code=c).exists()
            or Appointment.objects.filter(tracking_code=c).exists()
        )
    )


@dataclass
class Opening:
    """A new case: from an appointment (its data copied), or a walk-in with the applicant's."""

    appointment: int | None = None
    service_item: str = ""
    applicant_name: str = ""
    applicant_phone: str = ""
    resident_id: str = ""
    address: str = ""
    location: Point | None = None
    description: str = ""
    checklist: dict | None = None
    note: str = ""
    client_uuid: uuid.UUID | None = None
    appointment_client_uuid: uuid.UUID | None = None


def _opener(actor) -> Staff:
    staff = scope_for(actor).staff
    if staff is None or not staff.has_role(*OPENER_ROLES) or staff.centre_id is None:
        raise PermissionDenied(
            "permission_denied",
            _("Cases are opened by agents and by station or street/town centre staff."),
        )
    return staff


def _from_appointment(actor, pk: int, now) -> dict:
    appointment = (
        appointments_for(actor)
        .select_for_update(of=("self",))
        .select_related("agent__centre", "grid__community__centre")
        .filter(pk=pk)
        .first()
    )
    if appointment is None:
        raise NotFound("unknown_appointment", _("No such appointment."))
    if appointment.status == AppointmentStatus.IN_CASE:
        raise Conflict("case_exists", _("A case was already opened for this appointment."))
    if appointment.status != AppointmentStatus.CONFIRMED:
        raise Conflict(
            "appointment_not_confirmed",
            _("Open a case once the appointment is confirmed (it is %(status)s).")
            % {"status": appointment.status},
            details={"status": appointment.status},
        )
    # the appointment's own action: who may (its agent, their managers), the status, its event
    appointment_apply_action(appointment, actor=actor, action="open_case", payload={}, now=now)
    owner = appointment.agent
    station = owner.centre or (appointment.grid.community.centre if appointment.grid_id else None)
    return {
        "appointment": appointment,
        "origin": Origin.APPOINTMENT,
        "tracking_code": appointment.tracking_code,
        "centre": station,
        "responsible": owner,  # 首问负责: the appointment's owner
        "service_item": appointment.service_item,
        "item_version": appointment.service_item.current,
        "applicant_name": appointment.applicant_name,
        "applicant_phone": appointment.applicant_phone,
        "resident_id_encrypted": appointment.resident_id_encrypted,
        "resident_id_hash": appointment.resident_id_hash,
        "resident_id_masked": appointment.resident_id_masked,
        "address": appointment.address,
        "location": appointment.location,
        "description": appointment.description,
    }


def _walk_in(opener: Staff, opening: Opening) -> dict:
    version = requested_version(opening.service_item, opening.description)
    applicant = checked_applicant(
        name=opening.applicant_name,
        phone=opening.applicant_phone,
        resident_id=opening.resident_id,
    )
    # the level alone: the area row carries a boundary no one reads here
    level = Area.objects.filter(pk=opener.centre.area_id).values_list("level", flat=True).first()
    return {
        "appointment": None,
        "origin": Origin.CENTRE if level != Area.Level.COMMUNITY else Origin.STATION_DESK,
        "tracking_code": _tracking_code(),
        "centre": opener.centre,
        "responsible": opener,  # 首问负责: whoever the resident first asked
        "service_item": version.item,
        "item_version": version,
        "applicant_name": applicant.name,
        "applicant_phone": applicant.phone,
        **applicant.stored_id(),
        "address": opening.address.strip(),
        "location": opening.location,
        "description": opening.description.strip(),
    }


def appointment_by_client_uuid(actor, client_uuid) -> int:
    """An offline phone refers to the appointment it created offline by its client_uuid."""
    pk = (
        appointments_for(actor).filter(client_uuid=client_uuid).values_list("pk", flat=True).first()
    )
    if pk is None:
        raise NotFound("unknown_appointment", _("No such appointment."))
    return pk


@transaction.atomic
def case_open(*, actor, opening: Opening, now: datetime | None = None) -> Case:
    """Open a case from a confirmed appointment, at a station's desk or at a street/town centre.
    The case starts in pre-review (consulting); a checklist given here is recorded at once.
    The same request with the same client_uuid again returns the first case, marked
    `replayed` (`core.offline`, concurrent repeats included)."""
    now = now or timezone.now()
    sent = fingerprint(opening)
    existing = replayed(
        Case,
        opening.client_uuid,
        fingerprint=sent,
        owner="opened_by_id",
        actor=actor,
        taken=_("This client_uuid belongs to another case."),
    )
    if existing is not None:
        existing.replayed = True
        return existing
    opener = _opener(actor)
    if opening.appointment is None and opening.appointment_client_uuid is not None:
        opening.appointment = appointment_by_client_uuid(actor, opening.appointment_client_uuid)
    if opening.appointment is not None:
        fields = _from_appointment(actor, opening.appointment, now)
    else:
        fields = _walk_in(opener, opening)
    if fields["centre"] is None:
        raise ApplicationError(
            "no_station", _("The appointment's agent belongs to no station to register it.")
        )
    version = fields["item_version"]
    checklist = (
        rules.check_checklist(version, opening.checklist) if opening.checklist is not None else {}
    )
    case = Case.objects.create(
        **fields,
        client_uuid=opening.client_uuid,
        client_fingerprint=sent if opening.client_uuid is not None else "",
        window=version.window,
        opened_by=actor,
        status=Status.CONSULTING,
        checklist=checklist,
    )
    record_event(
        case,
        actor=actor,
        action="open",
        note=opening.note,
        data={"origin": case.origin, "responsible": case.responsible_id},
    )
    if checklist:
        apply_review(case, actor=actor, checklist=checklist, note="", position=None)
    case.replayed = False
    return case


# --- editing fields: optimistic concurrency ----------------------------------------------

EDITABLE = ("description", "address", "location", "applicant_phone")


@transaction.atomic
def case_edit(*, actor, case_id: int, if_match: str | None, changes: dict) -> Case:
    """Edit a case's own fields. The caller must send the version it read (If-Match): a stale
    one is refused with 412 so one person's edit never silently overwrites another's."""
    from .selectors import cases_for

    case = (
        cases_for(actor)
        .select_for_update(of=("self",))
        .select_related("centre__area")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("unknown_case", _("No such case."))
    if not handles(actor, case):
        raise PermissionDenied("permission_denied", _("You may not edit this case."))
    if if_match is None or not if_match.strip():
        raise ApplicationError(
            "if_match_required",
            _("Send If-Match with the case's version to edit it."),
            status=428,
        )
    if if_match.strip().strip('W/"') != str(case.version):
        raise ApplicationError(
            "stale_version",
            _("The case changed since you read it (now version %(v)d).") % {"v": case.version},
            details={"version": case.version},
            status=412,
        )
    if case.status not in OPEN:
        raise Conflict(
            "case_closed", _("A %(status)s case is not edited.") % {"status": case.status}
        )
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown or not changes:
        raise ApplicationError(
            "invalid_edit",
            _("Editable fields: %(fields)s.") % {"fields": ", ".join(EDITABLE)},
            details={"unknown": unknown},
        )
    if "applicant_phone" in changes:
        changes["applicant_phone"] = normalise_mobile(
            changes["applicant_phone"], field="applicant_phone"
        )
    before = {k: _plain(getattr(case, k)) for k in changes}
    for key, value in changes.items():
        setattr(case, key, value.strip() if isinstance(value, str) else value)
    case.version += 1
    case.save()
    record_event(
        case,
        actor=actor,
        action="edit",
        from_status=case.status,
        data={"before": before, "after": {k: _plain(getattr(case, k)) for k in changes}},
    )
    return case


def _plain(value):
    return list(value.coords) if isinstance(value, Point) else value
