"""Public tracking: a resident follows their matter with the tracking code and the last four
digits of their phone. Personal data masked; a wrong phone looks exactly like a wrong code.

Tracking codes are public (Open311 lists them), so the four digits are the only secret, and
10,000 guesses would find them: every try is counted on its code before it is checked, for
every caller — anonymous or staff — and too many wrong ones lock the code (`lookup_reserve`,
the brake of ADR 0024). Complaints' look-ups (feedback) use the same rule.
"""

from __future__ import annotations

import hmac
import math
import unicodedata

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.brake import Reservation, Rule, TooManyAttempts, brake_reserve, brake_settle
from appointments.models import Appointment
from core.errors import ApplicationError, Conflict, NotFound

from . import rules
from .deadlines import light_sql, today
from .events import record_event
from .models import Case, Holder, Status

# what a resident sees of the timeline (no names, no notes: those are for staff)
PUBLIC_ACTIONS = {
    "open",
    "review",
    "accept",
    "decline",
    "forward",
    "receive",
    "result_ready",
    "refuse",
    "collect",
    "return",
    "close",
}


def lookup_reserve(*, kind: str, code: str) -> Reservation:
    """Count a code-plus-phone try on its code (`kind` names the codes: "tracking",
    "complaint") before the phone is checked; 429 `too_many_attempts` when the code is locked,
    even for the right phone. Unknown codes are counted alike, so a lock tells nothing. The
    caller settles the try with `brake_settle(reservation=…, succeeded=…)`."""
    window = settings.CASES["TRACK_WINDOW_SECONDS"]
    rule = Rule(f"{kind}-lookup", settings.CASES["TRACK_MAX_FAILURES"], window, window)
    reservation = brake_reserve(checks=[(rule, code)])
    if reservation.refused:
        retry_after = reservation.retry_after
        raise TooManyAttempts(
            "too_many_attempts",
            _("Too many wrong tries for this code; try again in %(minutes)d minutes.")
            % {"minutes": max(1, math.ceil(retry_after / 60))},
            details={"retry_after": retry_after},
        )
    return reservation


def _mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def _unknown() -> NotFound:
    return NotFound(
        "unknown_tracking_code", _("No matter with that tracking code and phone number.")
    )


def _phone_matches(stored: str, phone_last4: str) -> bool:
    # full-width digits from a Chinese input method count as digits; bytes compare safely
    given = unicodedata.normalize("NFKC", phone_last4 or "").strip()[-4:].rjust(4, "?")
    return hmac.compare_digest(stored[-4:].encode(), given.encode())


def track(code: str, phone_last4: str) -> dict:
    code = (code or "").strip().upper()
    reservation = lookup_reserve(kind="tracking", code=code)
    unknown = _unknown()
    case = (
        Case.objects.select_related("item_version", "responsible")
        .annotate(light=light_sql(today()))
        .filter(tracking_code=code)
        .first()
    )
    subject = (
        case
        or Appointment.objects.select_related("item_version", "agent")
        .filter(tracking_code=code)
        .first()
    )
    matched = subject is not None and _phone_matches(subject.applicant_phone, phone_last4)
    brake_settle(reservation=reservation, succeeded=matched)
    if not matched:
        raise unknown
    if case is not None:
        return {
            "tracking_code": case.tracking_code,
            "kind": "case",
            "status": case.status,
            "status_label": str(case.get_status_display()),
            "item": case.item_version.name,
            "applicant": _mask_name(case.applicant_name),
            "agent": case.responsible.full_name if case.responsible.public else None,
            "light": case.light,
            "due_date": case.due_date,
            "due_provisional": case.due_provisional,
            "reason": case.refusal_reason or case.decline_reason,
            "originals": [
                {"name": o.name, "holder": o.holder, "holder_label": str(Holder(o.holder).label)}
                for o in case.originals.order_by("pk")
            ],
            "rating": case.rating,
            "can_rate": case.status == Status.CLOSED and case.rating is None,
            "timeline": [
                {"at": e.at, "action": e.action, "status": e.to_status}
                for e in case.events.filter(action__in=PUBLIC_ACTIONS)
            ],
        }
    a = subject
    return {
        "tracking_code": a.tracking_code,
        "kind": "appointment",
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "item": a.item_version.name,
        "applicant": _mask_name(a.applicant_name),
        "agent": a.agent.full_name if a.agent_id and a.agent.public else None,
        "light": None,
        "due_date": None,
        "due_provisional": False,
        "reason": "",
        "originals": [],
        "rating": None,
        "can_rate": False,
        "timeline": [{"at": a.created_at, "action": "booked", "status": a.status}],
    }


def rate(code: str, phone_last4: str, *, rating, comment: str = "") -> Case:
    """满意度: the applicant rates their matter once it is closed, with the tracking code and
    the last four digits of their phone (counted and braked like a look-up; a wrong phone
    answers like a wrong code). Once only: a matter rated at closing, or already rated by the
    applicant, answers 409 `already_rated`; one not closed yet, 409 `not_closed`."""
    code = (code or "").strip().upper()
    reservation = lookup_reserve(kind="tracking", code=code)
    found = Case.objects.filter(tracking_code=code).only("applicant_phone").first()
    matched = found is not None and _phone_matches(found.applicant_phone, phone_last4)
    brake_settle(reservation=reservation, succeeded=matched)
    if not matched:
        raise _unknown()
    rating, comment = rules.check_rating(rating, comment)
    if rating is None:
        raise ApplicationError(
            "rating_required", _("Choose a rating from 1 to 5."), details={"field": "rating"}
        )
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=found.pk)
        if case.status != Status.CLOSED:
            raise Conflict(
                "not_closed",
                _("The matter is not finished yet; it can be rated once it is closed."),
            )
        if case.rating is not None:
            raise Conflict("already_rated", _("This matter has already been rated."))
        case.rating, case.rating_comment = rating, comment
        case.version += 1
        case.save(update_fields=["rating", "rating_comment", "version"])
        record_event(
            case, actor=None, action="rate", from_status=case.status, data={"rating": rating}
        )
    return case
