"""The resident-ID read log (PIPL): who read whose full ID number, when, of which matter.

Readable by the people who answer for the whole district's records — administrators and
district centre staff, as the change log (`audit.selectors.may_read_trail`); for everyone else
the endpoint does not exist (404, like an unknown URL). Filters: the person (their ID number,
matched by its keyed hash, or that hash), the reader (username), a time range.

The reads are written where the number is shown (`appointments`, `cases` views); this module
only reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import ResidentIdRead
from core.errors import ApplicationError, NotFound
from residents import identity

from .selectors import may_read_trail

_HASH = re.compile(r"[0-9a-f]{64}")
_USERNAME = re.compile(r"[\w.@+-]{1,150}")


@dataclass(frozen=True)
class ReadFilter:
    person_hash: str = ""
    reader: str = ""
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive


def _moment(value: str, name: str, *, end: bool) -> datetime:
    """A date (its whole day, Asia/Shanghai) or an ISO 8601 date and time."""
    text = str(value).strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day + timedelta(days=1 if end else 0), time())
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise ApplicationError(
            "invalid_datetime",
            _("%(name)s must be a date like 2026-10-01 or an ISO 8601 date and time.")
            % {"name": name},
            details={"field": name},
        ) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def read_filter(params) -> ReadFilter:
    """The query string's filters, checked: each bad value is a 400 with its own code."""
    person = str(params.get("person", "")).strip()
    person_hash = ""
    if person:
        if _HASH.fullmatch(person.lower()):
            person_hash = person.lower()
        else:
            try:
                person_hash = identity.lookup_hash(identity.check_resident_id(person))
            except ApplicationError as exc:
                raise ApplicationError(
                    "invalid_person",
                    _("person must be a resident ID number or its look-up hash."),
                    details={"field": "person"},
                ) from exc
    reader = str(params.get("reader", "")).strip()
    if reader and not _USERNAME.fullmatch(reader):
        raise ApplicationError(
            "invalid_reader", _("reader must be a username."), details={"field": "reader"}
        )
    start = _moment(params["from"], "from", end=False) if params.get("from") else None
    end = _moment(params["to"], "to", end=True) if params.get("to") else None
    if start and end and end <= start:
        raise ApplicationError(
            "invalid_range",
            _("from must come before to."),
            details={"from": params.get("from"), "to": params.get("to")},
        )
    return ReadFilter(person_hash=person_hash, reader=reader, start=start, end=end)


def resident_id_reads(*, user, params) -> QuerySet[ResidentIdRead]:
    """Reads of full ID numbers, filtered by the query string `params` (newest first by the
    caller's pagination). Who may not read the log learns nothing, not even which filters are
    bad: the access check comes first."""
    if not may_read_trail(user):
        raise NotFound("not_found", _("No such API endpoint."))
    filters = read_filter(params)
    rows = ResidentIdRead.objects.select_related("reader", "appointment", "case")
    if filters.person_hash:
        rows = rows.filter(
            Q(appointment__resident_id_hash=filters.person_hash)
            | Q(case__resident_id_hash=filters.person_hash)
        )
    if filters.reader:
        rows = rows.filter(reader__username=filters.reader)
    if filters.start:
        rows = rows.filter(at__gte=filters.start)
    if filters.end:
        rows = rows.filter(at__lt=filters.end)
    return rows
