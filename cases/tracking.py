"""Public tracking: a resident follows their matter with the tracking code and the last four
digits of their phone. Personal data masked; a wrong phone looks exactly like a wrong code."""

from __future__ import annotations

import hmac
import unicodedata

from django.utils.translation import gettext as _

from appointments.models import Appointment
from core.errors import NotFound

from .deadlines import light_sql, today
from .models import Case

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


def _mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def track(code: str, phone_last4: str) -> dict:
    code = (code or "").strip().upper()
    unknown = NotFound(
        "unknown_tracking_code", _("No matter with that tracking code and phone number.")
    )
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
    # full-width digits from a Chinese input method count as digits; bytes compare safely
    given = unicodedata.normalize("NFKC", phone_last4 or "").strip()[-4:].rjust(4, "?")
    if subject is None or not hmac.compare_digest(
        subject.applicant_phone[-4:].encode(), given.encode()
    ):
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
        "timeline": [{"at": a.created_at, "action": "booked", "status": a.status}],
    }
