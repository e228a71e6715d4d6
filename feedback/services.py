"""Suggestion and complaint writes. Each write checks its rules here (the one place), locks the
row it changes and records what happened in the same transaction; texts to residents go to the
notification outbox and leave after commit.

Complaints follow one transition table (`TRANSITIONS`: action → from which states, to which,
who may, what it needs); `complaint_act` is the only function that changes a complaint's status.

Where a complaint goes (`handling_centre`): the street/town centre handles complaints about
staff (街(镇)行政服务中心负责对工作人员的投诉). A complaint about someone at a community/village
station goes to the street/town centre above that station; one about someone working at a
street/town centre or the district centre — or at no centre (approval-window staff) — goes to
the district centre, so that no centre judges complaints about its own people. A complaint
about a case with nobody named goes by the case's station the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from core.codes import new_tracking_code
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from core.validation import normalise_mobile
from geo.models import Area, ServiceCentre
from notifications.services import notify, notify_resident
from people.models import Role, Staff
from people.scope import scope_for

from .models import NAME_MAX, NOTE_MAX, REPLY_MAX, TEXT_MAX, Complaint, ComplaintEvent, Suggestion
from .selectors import CENTRE_HANDLER_ROLES, complaints_for, station_for_code, suggestions_for


def _text(value, *, field: str, max_length: int, required: bool) -> str:
    """Trimmed text within its limit; `<field>_required` / `<field>_too_long` otherwise."""
    text = str(value or "").strip()
    if required and not text:
        raise ApplicationError(
            f"{field}_required",
            _("%(field)s is required.") % {"field": field},
            details={"field": field},
        )
    if len(text) > max_length:
        raise ApplicationError(
            f"{field}_too_long",
            _("%(field)s may be at most %(max)d characters.") % {"field": field, "max": max_length},
            details={"field": field, "max_length": max_length},
        )
    return text


# --- suggestions (意见箱) -------------------------------------------------------------------


@transaction.atomic
def suggestion_create(
    *, station_code: str, text: str, name: str = "", phone: str = "", now: datetime | None = None
) -> Suggestion:
    """A slip in a station's suggestion box. Name and phone are optional (anonymous allowed);
    a phone given must be a mainland mobile number, and the reply is then sent to it."""
    text = _text(text, field="text", max_length=TEXT_MAX, required=True)
    name = _text(name, field="name", max_length=NAME_MAX, required=False)
    phone = normalise_mobile(phone) if str(phone or "").strip() else ""
    station = station_for_code(station_code)
    if station is None:
        raise ApplicationError(
            "unknown_station",
            _("No community, village or street/town centre with code %(code)s.")
            % {"code": station_code},
            details={"field": "station"},
        )
    return Suggestion.objects.create(
        station=station, text=text, name=name, phone=phone, created_at=now or timezone.now()
    )


def manages_suggestion(user, suggestion: Suggestion) -> bool:
    """The station's manager, the street/town centre above it, district staff, administrators
    (supervisors and agents only read)."""
    return scope_for(user).manages_area(suggestion.station.area_id)


def _suggestion_for_change(actor, suggestion_id: int) -> Suggestion:
    if not suggestions_for(actor).filter(pk=suggestion_id).exists():
        raise NotFound("unknown_suggestion", _("No such suggestion."))
    suggestion = (
        Suggestion.objects.select_for_update(of=("self",))
        .select_related("station__area")
        .get(pk=suggestion_id)
    )
    if not manages_suggestion(actor, suggestion):
        raise PermissionDenied(
            "permission_denied", _("Only the station's managers may answer its suggestions.")
        )
    return suggestion


@transaction.atomic
def suggestion_reply(
    *,
    actor,
    suggestion_id: int,
    reply: str,
    public: bool = True,
    now: datetime | None = None,
) -> Suggestion:
    """Answer a suggestion once. `public` decides whether it is posted on the station's board
    (a manager hides one that holds personal data). A suggester who left a phone gets the
    reply by text message."""
    suggestion = _suggestion_for_change(actor, suggestion_id)
    if suggestion.status == Suggestion.Status.REPLIED:
        raise Conflict(
            "already_replied",
            _("This suggestion has already been answered."),
            details={"replied_at": suggestion.replied_at.isoformat()},
        )
    suggestion.reply = _text(reply, field="reply", max_length=REPLY_MAX, required=True)
    suggestion.status = Suggestion.Status.REPLIED
    suggestion.replied_by = actor
    suggestion.replied_at = now or timezone.now()
    suggestion.public = bool(public)
    suggestion.save(update_fields=["reply", "status", "replied_by", "replied_at", "public"])
    if suggestion.phone:
        notify_resident(
            phone=suggestion.phone,
            kind="suggestion_replied",
            title=lambda: (
                _("Reply to your suggestion to %(station)s") % {"station": suggestion.station}
            ),
            body=suggestion.reply,
            data={"suggestion": suggestion.pk},
        )
    return suggestion


@transaction.atomic
def suggestion_set_public(*, actor, suggestion_id: int, public: bool) -> Suggestion:
    """Show or hide a suggestion and its reply on the station's public board."""
    suggestion = _suggestion_for_change(actor, suggestion_id)
    suggestion.public = bool(public)
    suggestion.save(update_fields=["public"])
    return suggestion


# --- complaints (投诉) ----------------------------------------------------------------------


def _tracking_code() -> str:
    return new_tracking_code(lambda c: Complaint.objects.filter(tracking_code=c).exists())


def _district_centre(area: Area | None) -> ServiceCentre:
    while area is not None and area.level != Area.Level.DISTRICT:
        area = area.parent
    if area is None:  # no area at all (approval-window staff): the district
        area = Area.objects.filter(level=Area.Level.DISTRICT).order_by("code").first()
    centre = ServiceCentre.objects.filter(area=area).first() if area is not None else None
    if centre is None:
        raise ApplicationError(
            "no_handling_centre", _("No centre is set up to handle this complaint.")
        )
    return centre


def handling_centre(*, staff: Staff | None, case: Case | None) -> ServiceCentre:
    """The centre that handles a complaint: the street/town centre above the named staff
    member's station (or above the case's station when nobody is named); the district centre
    for people of a street/town or the district centre, or of no centre."""
    if staff is not None:
        centre = staff.centre
    elif case is not None:
        centre = case.centre
    else:
        raise ValueError("a complaint is about a staff member or a case")
    area = centre.area if centre is not None else None
    if area is not None and area.level == Area.Level.COMMUNITY:
        street = area.parent
        street_centre = ServiceCentre.objects.filter(area=street).first()
        if street_centre is not None:
            return street_centre
        return _district_centre(street)
    return _district_centre(area)


def _handlers_of(complaint: Complaint):
    """Who is told of a new complaint: the handling centre's leads and staff, never the person
    it is about."""
    roles = [Role.CENTRE_LEAD, Role.CENTRE_STAFF, Role.DISTRICT_STAFF]
    about = {complaint.staff_id, complaint.case.responsible_id if complaint.case_id else None}
    return (
        Staff.objects.filter(centre_id=complaint.centre_id, active=True, roles__overlap=roles)
        .exclude(pk__in=about - {None})
        .select_related("user")
    )


def _event(complaint: Complaint, *, actor, action: str, from_status: str, note: str, at) -> None:
    ComplaintEvent.objects.create(
        complaint=complaint,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_status=from_status,
        to_status=complaint.status,
        note=note,
        at=at,
    )


@transaction.atomic
def complaint_create(
    *,
    actor,
    complainant_name: str,
    complainant_phone: str,
    text: str,
    staff_id: int | None = None,
    case_code: str = "",
    now: datetime | None = None,
) -> Complaint:
    """Receive a complaint about a staff member (by id) and/or a case (by tracking code). The
    complainant's name and mobile number are required: the centre must answer them. The
    handling centre's leads and staff are notified."""
    now = now or timezone.now()
    text = _text(text, field="text", max_length=TEXT_MAX, required=True)
    name = _text(complainant_name, field="complainant_name", max_length=NAME_MAX, required=True)
    phone = normalise_mobile(complainant_phone, field="complainant_phone")
    case_code = str(case_code or "").strip().upper()
    if staff_id is None and not case_code:
        raise ApplicationError(
            "subject_required",
            _("Name the staff member or the case the complaint is about."),
            details={"fields": ["staff", "case"]},
        )
    staff = None
    if staff_id is not None:
        staff = Staff.objects.select_related("centre__area__parent").filter(pk=staff_id).first()
        if staff is None:
            raise ApplicationError(
                "unknown_staff", _("No such staff member."), details={"field": "staff"}
            )
    case = None
    if case_code:
        case = (
            Case.objects.select_related("centre__area__parent")
            .filter(tracking_code=case_code)
            .first()
        )
        if case is None:
            raise ApplicationError(
                "unknown_case",
                _("No case with tracking code %(code)s.") % {"code": case_code},
                details={"field": "case"},
            )
    complaint = Complaint.objects.create(
        tracking_code=_tracking_code(),
        staff=staff,
        case=case,
        centre=handling_centre(staff=staff, case=case),
        complainant_name=name,
        complainant_phone=phone,
        text=text,
        created_at=now,
    )
    _event(complaint, actor=actor, action="receive", from_status="", note="", at=now)

    def subject() -> str:  # made in each handler's language
        return staff.full_name if staff is not None else _("case %(code)s") % {"code": case_code}

    for handler in _handlers_of(complaint):
        notify(
            user=handler.user,
            kind="complaint_received",
            title=lambda: _("New complaint %(code)s") % {"code": complaint.tracking_code},
            body=lambda: (
                _("A complaint about %(subject)s is waiting for your centre.")
                % {"subject": subject()}
            ),
            data={"complaint": complaint.pk},
        )
    return complaint


def handles_complaint(user, complaint: Complaint) -> bool:
    """Street/town centre staff and leads of the handling centre, district staff and
    administrators (supervisors only read)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    staff = scope_for(user).staff
    if staff is None:
        return False
    if staff.has_role(Role.ADMIN, Role.DISTRICT_STAFF):
        return True
    return staff.has_role(*CENTRE_HANDLER_ROLES) and staff.centre_id == complaint.centre_id


@dataclass(frozen=True)
class Transition:
    from_states: frozenset[str]
    to_state: str
    who: Callable[[object, Complaint], bool]
    needs: tuple[str, ...] = ()


S = Complaint.Status
TRANSITIONS: dict[str, Transition] = {
    "investigate": Transition(frozenset({S.RECEIVED}), S.INVESTIGATING, handles_complaint),
    "reply": Transition(frozenset({S.INVESTIGATING}), S.REPLIED, handles_complaint, ("reply",)),
    "close": Transition(frozenset({S.REPLIED}), S.CLOSED, handles_complaint, ("outcome",)),
}


def complaint_actions_offered(actor, complaint: Complaint) -> list[dict]:
    """What `actor` may do to `complaint` now, read off the table, with the fields each needs
    and the outcomes to choose from: the desk offers exactly these."""
    offered = []
    for name, spec in TRANSITIONS.items():
        if complaint.status not in spec.from_states or not spec.who(actor, complaint):
            continue
        offer: dict = {"action": name, "needs": list(spec.needs)}
        if name == "close":
            offer["choices"] = {
                "outcome": [{"id": v, "name": str(label)} for v, label in Complaint.Outcome.choices]
            }
        offered.append(offer)
    return offered


@transaction.atomic
def complaint_act(
    *, actor, complaint_id: int, action: str, payload: dict, now: datetime | None = None
) -> Complaint:
    """Apply one action of the table: out of scope 404, no right 403, wrong state 409
    `illegal_transition`, missing input 400. Writes the event; a reply goes to the
    complainant by text message."""
    now = now or timezone.now()
    if not complaints_for(actor).filter(pk=complaint_id).exists():
        raise NotFound("unknown_complaint", _("No such complaint."))
    spec = TRANSITIONS.get(action)
    if spec is None:
        raise NotFound(
            "unknown_action",
            _("No action %(action)s.") % {"action": action},
            details={"allowed": sorted(TRANSITIONS)},
        )
    complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
    if not spec.who(actor, complaint):
        raise PermissionDenied(
            "permission_denied", _("You may not %(action)s this complaint.") % {"action": action}
        )
    if complaint.status not in spec.from_states:
        raise Conflict(
            "illegal_transition",
            _("Cannot %(action)s a complaint that is %(status)s.")
            % {"action": action, "status": complaint.status},
            details={"status": complaint.status, "action": action},
        )
    given = {
        "reply": _text(payload.get("reply"), field="reply", max_length=REPLY_MAX, required=False),
        "outcome": str(payload.get("outcome") or "").strip(),
        "note": _text(payload.get("note"), field="note", max_length=NOTE_MAX, required=False),
    }
    for field_name in spec.needs:
        if not given[field_name]:
            raise ApplicationError(
                f"{field_name}_required",
                _("%(field)s is required.") % {"field": field_name},
                details={"field": field_name},
            )
    previous = complaint.status
    note = given["note"]
    if action == "reply":
        complaint.reply = given["reply"]
        complaint.replied_by = actor
        complaint.replied_at = now
        note = given["reply"]
    elif action == "close":
        if given["outcome"] not in Complaint.Outcome.values:
            raise ApplicationError(
                "invalid_outcome",
                _("The outcome is one of: %(allowed)s.")
                % {"allowed": ", ".join(Complaint.Outcome.values)},
                details={"field": "outcome", "allowed": list(Complaint.Outcome.values)},
            )
        complaint.outcome = given["outcome"]
        complaint.outcome_note = given["note"]
        complaint.closed_at = now
        note = f"{given['outcome']}: {given['note']}" if given["note"] else given["outcome"]
    complaint.status = spec.to_state
    complaint.save()
    _event(complaint, actor=actor, action=action, from_status=previous, note=note, at=now)
    if action == "reply":
        notify_resident(
            phone=complaint.complainant_phone,
            kind="complaint_replied",
            title=lambda: _("Reply to your complaint %(code)s") % {"code": complaint.tracking_code},
            body=complaint.reply,
            data={"complaint": complaint.pk, "tracking_code": complaint.tracking_code},
        )
    return complaint
