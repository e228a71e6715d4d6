"""Open311 reads: the catalogue as GeoReport v2 services, appointments and cases as service
requests, each as a dict holding exactly the spec's fields.

The request reads are public (no key), so they carry no personal data: no names, phones, ID
numbers, no free text a resident or a member of staff typed (the description, refusal and
decline reasons): `status_notes` is the status label. What maps to what is in docs/open311.md.
Must not import views or rendering.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from appointments.models import OPEN_STATUSES, Appointment, AppointmentEvent
from appointments.models import Status as AppointmentStatus
from cases.models import Case, CaseEvent
from cases.models import Status as CaseStatus
from catalogue.models import ServiceItem, ServiceItemVersion
from catalogue.selectors import current_versions
from core.errors import ApplicationError, NotFound

from .models import Submission

SH = ZoneInfo("Asia/Shanghai")
# the spec's defaults: the last 90 days, at most 1000 requests, a window of at most 90 days
DEFAULT_WINDOW = timedelta(days=90)
MAX_WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
CLOSED_CASE_STATUSES = (CaseStatus.DECLINED, CaseStatus.RETURNED, CaseStatus.CLOSED)
# the status labels as get_status_display() gives them (lazy: translated when read), without
# its per-call rebuilding of the choices (up to 1,000 rows a list: ADR 0036)
_APPOINTMENT_LABELS = dict(AppointmentStatus.choices)
_CASE_LABELS = dict(CaseStatus.choices)
STATUSES = ("open", "closed")


def w3c(value: datetime | None) -> str | None:
    """The spec's W3C date-time, in Asia/Shanghai: 2026-10-08T10:00:00+08:00."""
    return value.astimezone(SH).isoformat(timespec="seconds") if value else None


# --- services -----------------------------------------------------------------------------


def _service(version: ServiceItemVersion) -> dict:
    item = version.item
    return {
        "service_code": item.code,
        "service_name": version.name,
        "description": version.description or None,
        # the "other request" item has an informational attribute (see service_definition)
        "metadata": item.is_other_request,
        "type": "realtime",
        "keywords": ",".join(k for k in (version.category, version.department) if k) or None,
        "group": version.category or None,
    }


def services_list() -> list[dict]:
    """Every active item at its current version, by code."""
    ids = current_versions().values("pk")
    versions = (
        ServiceItemVersion.objects.filter(pk__in=ids).select_related("item").order_by("item__code")
    )
    return [_service(v) for v in versions]


def _item(code: str) -> ServiceItem:
    item = ServiceItem.objects.filter(code=code, active=True).first()
    if item is None:
        raise NotFound(
            "unknown_service_code",
            _("No service with service_code %(code)s.") % {"code": code},
            details={"field": "service_code"},
        )
    return item


def service_get(code: str) -> dict:
    return _service(_item(code).current)


def service_definition(code: str) -> dict:
    """We ask for no attributes. The "other request" item carries one informational attribute
    (`variable` false: shown to the user, not answered) saying that `description` is needed."""
    item = _item(code)
    attributes = []
    if item.is_other_request:
        attributes.append(
            {
                "variable": False,
                "code": "DESCRIPTION_NEEDED",
                "datatype": "text",
                "required": False,
                "datatype_description": None,
                "order": 1,
                "description": _(
                    "Say in the description what you need help with: a request of this "
                    "type without a description is refused."
                ),
            }
        )
    return {"service_code": item.code, "attributes": attributes}


def item_notice(version: ServiceItemVersion) -> str:
    """无偿代办 and 限时办结 in one sentence: the fees (free unless a law requires one) and the
    proxy time limit."""
    if version.fees:
        fees = "、".join(f"{fee.get('name', '')} ¥{fee.get('amount', '')}" for fee in version.fees)
        notice = _("Legally required fees: %(fees)s.") % {"fees": fees}
    else:
        notice = _("Free of charge.")
    return (
        notice
        + " "
        + _("Completed within %(days)d working days of acceptance.")
        % {"days": version.proxy_limit_days}
    )


def submitted_notice(appointment: Appointment) -> str:
    """The answer to a new request: who calls back, what to have ready (一次告知), the limits."""
    if appointment.agent_id:
        first = _("An agent will phone you to arrange a visit.")
    else:
        first = _("The station will assign an agent, who will phone you to arrange a visit.")
    parts = [first]
    materials = "、".join(m.get("name", "") for m in appointment.item_version.materials)
    if materials:
        parts.append(_("Please have ready: %(materials)s.") % {"materials": materials})
    parts.append(item_notice(appointment.item_version))
    return " ".join(parts)


# --- requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestQuery:
    """The spec's filters. With `ids`, every other filter is ignored (as the spec says)."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: frozenset[str] = frozenset(STATUSES)


def _listed(value: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in (value or "").split(",") if v.strip()))


_OFFSET_AFTER_SPACE = re.compile(r" (\d{2}:?\d{2})$")


def _when(value: str, field: str) -> datetime:
    # an unencoded "+08:00" in a query string arrives as " 08:00"
    text = _OFFSET_AFTER_SPACE.sub(r"+\1", value.strip())
    try:
        moment = parse_datetime(text)
        if moment is None and (day := parse_date(text)) is not None:
            moment = datetime.combine(day, time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise ApplicationError(
            "invalid_date",
            _("%(field)s must be a W3C date-time such as 2026-10-01T00:00:00+08:00.")
            % {"field": field},
            details={"field": field},
        )
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=SH)


def request_query(params: Mapping[str, str], *, now: datetime | None = None) -> RequestQuery:
    """Parse the spec's query parameters; each malformed one is a 400 naming it."""
    ids = _listed(params.get("service_request_id"))
    if ids:
        return RequestQuery(ids=tuple(i.upper() for i in ids[:MAX_REQUESTS]))
    statuses = {s.lower() for s in _listed(params.get("status"))}
    if statuses - set(STATUSES):
        raise ApplicationError(
            "invalid_status",
            _("status must be open, closed or both (comma-separated)."),
            details={"field": "status"},
        )
    start = _when(params["start_date"], "start_date") if params.get("start_date") else None
    end = _when(params["end_date"], "end_date") if params.get("end_date") else None
    if start is None and end is None:
        end = now or timezone.now()
    if start is None:
        start = end - DEFAULT_WINDOW
    if end is None:
        end = start + DEFAULT_WINDOW
    if end < start:
        raise ApplicationError(
            "invalid_date_range",
            _("end_date is before start_date."),
            details={"field": "end_date"},
        )
    if end - start > MAX_WINDOW:
        raise ApplicationError(
            "date_range_too_long",
            _("start_date and end_date may not span more than 90 days."),
            details={"field": "end_date"},
        )
    return RequestQuery(
        service_codes=_listed(params.get("service_code")),
        start=start,
        end=end,
        statuses=frozenset(statuses or STATUSES),
    )


PUBLIC_DECIMALS = 2


def _row(
    *,
    code: str,
    closed: bool,
    status_label: str,
    version: ServiceItemVersion,
    item_code: str,
    agency: str | None,
    requested: datetime,
    updated: datetime | None,
    expected: datetime | None,
    address: str,
    location,
    media_url: str | None,
) -> dict:
    return {
        "service_request_id": code,
        "status": "closed" if closed else "open",
        "status_notes": status_label,
        "service_name": version.name,
        "service_code": item_code,
        "description": None,  # the resident's own words stay with the staff
        "agency_responsible": agency,
        "service_notice": item_notice(version),
        "requested_datetime": w3c(requested),
        "updated_datetime": w3c(updated or requested),
        "expected_datetime": w3c(expected),
        # a keyless public list of who asked for what must not show where a vulnerable person
        # lives: no address, and the place only to about a kilometre (two decimals)
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": round(location.y, PUBLIC_DECIMALS) if location is not None else None,
        "long": round(location.x, PUBLIC_DECIMALS) if location is not None else None,
        "media_url": media_url or None,
    }


def _appointment_row(a: Appointment) -> dict:
    return _row(
        code=a.tracking_code,
        closed=a.status == AppointmentStatus.CANCELLED,
        status_label=str(_APPOINTMENT_LABELS.get(a.status, a.status)),
        version=a.item_version,
        item_code=a.service_item.code,
        agency=a.agency,
        requested=a.created_at,
        updated=a.updated,
        expected=None,
        address=a.address,
        location=a.location,
        media_url=a.media_url,
    )


def _end_of_day(day: date | None) -> datetime | None:
    return datetime.combine(day, time(23, 59, 59), tzinfo=SH) if day else None


def _case_row(c: Case) -> dict:
    return _row(
        code=c.tracking_code,
        closed=c.status in CLOSED_CASE_STATUSES,
        status_label=str(_CASE_LABELS.get(c.status, c.status)),
        version=c.item_version,
        item_code=c.service_item.code,
        agency=c.centre.name,
        requested=c.requested,
        updated=c.updated,
        expected=_end_of_day(c.due_date),
        address=c.address,
        location=c.location,
        media_url=c.media_url,
    )


# personal data is never even read for these public answers
_APPOINTMENT_PRIVATE = (
    "applicant_name",
    "applicant_phone",
    "resident_id_encrypted",
    "resident_id_hash",
    "resident_id_masked",
    "description",
    "notes",
    "routing",
)
_CASE_PRIVATE = (
    "applicant_name",
    "applicant_phone",
    "resident_id_encrypted",
    "resident_id_hash",
    "resident_id_masked",
    "description",
    "decline_reason",
    "refusal_reason",
    "return_code",
    "rating_comment",
    "checklist",
)


def _appointments():
    """Appointments not (yet) taken up as a case: a case speaks for its appointment."""
    return (
        Appointment.objects.filter(case__isnull=True)
        .select_related("service_item", "item_version")
        .defer(*_APPOINTMENT_PRIVATE)
        .annotate(
            # the station it is with: its agent's, the queue it waits in, its grid's
            agency=Coalesce(
                "agent__centre__name", "queue_centre__name", "grid__community__centre__name"
            ),
            updated=Subquery(
                AppointmentEvent.objects.filter(appointment=OuterRef("pk"))
                .order_by("-at")
                .values("at")[:1]
            ),
            media_url=Subquery(
                Submission.objects.filter(appointment=OuterRef("pk")).values("media_url")[:1]
            ),
        )
    )


def _cases():
    return (
        Case.objects.select_related("service_item", "item_version", "centre")
        .defer(*_CASE_PRIVATE)
        .annotate(
            requested=Coalesce("appointment__created_at", "opened_at"),
            updated=Subquery(
                CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at").values("at")[:1]
            ),
            media_url=Subquery(
                Submission.objects.filter(appointment=OuterRef("appointment_id")).values(
                    "media_url"
                )[:1]
            ),
        )
    )


def requests_search(query: RequestQuery) -> list[dict]:
    """Service requests matching the query, newest first, at most MAX_REQUESTS: appointments
    without a case and cases (a case from an appointment keeps its tracking code)."""
    appointments, cases = _appointments(), _cases()
    if query.ids:
        appointments = appointments.filter(tracking_code__in=query.ids)
        cases = cases.filter(tracking_code__in=query.ids)
    else:
        if query.service_codes:
            appointments = appointments.filter(service_item__code__in=query.service_codes)
            cases = cases.filter(service_item__code__in=query.service_codes)
        appointments = appointments.filter(created_at__gte=query.start, created_at__lte=query.end)
        cases = cases.filter(requested__gte=query.start, requested__lte=query.end)
        if query.statuses == {"open"}:
            appointments = appointments.filter(status__in=OPEN_STATUSES)
            cases = cases.exclude(status__in=CLOSED_CASE_STATUSES)
        elif query.statuses == {"closed"}:
            appointments = appointments.filter(status=AppointmentStatus.CANCELLED)
            cases = cases.filter(status__in=CLOSED_CASE_STATUSES)
    found = [
        (a.created_at, _appointment_row(a))
        for a in appointments.order_by("-created_at", "-pk")[:MAX_REQUESTS]
    ] + [(c.requested, _case_row(c)) for c in cases.order_by("-requested", "-pk")[:MAX_REQUESTS]]
    found.sort(key=lambda pair: (pair[0], pair[1]["service_request_id"]), reverse=True)
    return [row for _when_requested, row in found[:MAX_REQUESTS]]


def request_get(code: str) -> dict:
    rows = requests_search(RequestQuery(ids=((code or "").strip().upper(),)))
    if not rows:
        raise NotFound(
            "unknown_service_request",
            _("No service request with id %(id)s.") % {"id": code},
            details={"field": "service_request_id"},
        )
    return rows[0]
