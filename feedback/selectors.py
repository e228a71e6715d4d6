"""Reads of suggestions and complaints: always from the requester's scope, the public board,
the complainant's tracking look-up, and the counts for the supervision figures.

Out of scope looks like missing: a complaint about someone is never visible to them, nor to
their station (only the centre that handles it, the district and administrators see it).
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.brake import brake_settle
from cases.tracking import lookup_reserve
from core.errors import ApplicationError, NotFound
from geo.models import Area, ServiceCentre
from geo.services import normalise_area_code
from people.models import Role
from people.scope import scope_for

from .models import Complaint, Suggestion

# a suggestion box hangs in a community/village station or a street/town centre
STATION_LEVELS = (Area.Level.COMMUNITY, Area.Level.STREET)
# street/town centre people who handle the complaints sent to their centre
CENTRE_HANDLER_ROLES = (Role.CENTRE_STAFF, Role.CENTRE_LEAD)
BOARD_LIMIT = 100


def station_for_code(code: str) -> ServiceCentre | None:
    """The community/village station or street/town centre with this division code."""
    try:
        normalised = normalise_area_code(code)
    except ApplicationError:
        return None
    return (
        ServiceCentre.objects.select_related("area")
        .filter(area__code=normalised, area__level__in=STATION_LEVELS)
        .first()
    )


# --- suggestions --------------------------------------------------------------------------


def suggestions_for(user) -> QuerySet:
    """Administrators, district staff and supervisors see all; station managers and
    street/town centre people the stations of the areas they manage; agents their own
    station's box. Anyone else nothing."""
    qs = Suggestion.objects.select_related("station__area", "replied_by")
    if user is None or not user.is_authenticated:
        return qs.none()
    scope = scope_for(user)
    if scope.everything:
        return qs
    visible = Q(pk__in=[])
    if scope.managed_area_ids:
        visible |= Q(station__area_id__in=list(scope.managed_area_ids))
    staff = scope.staff
    if staff is not None and staff.has_role(Role.AGENT) and staff.centre_id:
        visible |= Q(station_id=staff.centre_id)
    return qs.filter(visible)


def board_suggestions(*, code: str) -> QuerySet:
    """The station's public board (意见箱回复公示): replied suggestions not hidden by a manager,
    newest reply first. Callers show text, reply and dates only, never who wrote it."""
    station = station_for_code(code)
    if station is None:
        raise NotFound("unknown_station", _("No station with code %(code)s.") % {"code": code})
    return (
        Suggestion.objects.filter(station=station, status=Suggestion.Status.REPLIED, public=True)
        .only("text", "reply", "created_at", "replied_at")
        .order_by("-replied_at", "-pk")[:BOARD_LIMIT]
    )


# --- complaints ---------------------------------------------------------------------------


def complaints_for(user) -> QuerySet:
    """Street/town centre staff and leads see the complaints their centre handles; district
    staff, supervisors and administrators see all. Nobody sees a complaint about themselves
    (named, or as the responsible person of the case); station managers and agents see none."""
    qs = Complaint.objects.select_related("staff", "case", "centre__area")
    if user is None or not user.is_authenticated:
        return qs.none()
    scope = scope_for(user)
    staff = scope.staff
    if not scope.everything:
        if staff is None or not staff.has_role(*CENTRE_HANDLER_ROLES) or not staff.centre_id:
            return qs.none()
        qs = qs.filter(centre_id=staff.centre_id)
    if staff is not None:
        qs = qs.exclude(staff_id=staff.pk).exclude(case__responsible_id=staff.pk)
    return qs


def complaint_track(*, tracking_code: str, phone_last4: str) -> Complaint:
    """The complainant's look-up: the tracking code and the last four digits of the mobile
    number given. A wrong number answers exactly like an unknown code; tries are limited per
    code, as for case tracking (`cases.tracking.lookup_reserve`)."""
    code = str(tracking_code or "").strip().upper()
    reservation = lookup_reserve(kind="complaint", code=code)
    complaint = Complaint.objects.filter(tracking_code=code).first()
    given = unicodedata.normalize("NFKC", str(phone_last4 or "")).strip()
    matched = (
        complaint is not None
        and len(given) == 4
        and secrets.compare_digest(complaint.complainant_phone[-4:].encode(), given.encode())
    )
    brake_settle(reservation=reservation, succeeded=matched)
    if not matched:
        raise NotFound("unknown_complaint", _("No such complaint."))
    return complaint


# --- the supervision figures ---------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackCounts:
    suggestions_received: int = 0
    suggestions_replied: int = 0
    complaints_received: int = 0
    complaints_upheld: int = 0
    complaints_partly_upheld: int = 0


def counts(area_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, FeedbackCounts]:
    """Per centre id, for what was received in [start, end): suggestions received and how many
    of them have been replied (by now), complaints received and how many of them were closed as
    upheld or partly upheld. Suggestions count at the station whose box they were put in,
    complaints at the centre that handles them (area_ids select both). One aggregate query
    each; a centre with nothing to count is absent (all zero)."""
    ids = list(area_ids)
    suggestions = (
        Suggestion.objects.filter(
            station__area_id__in=ids, created_at__gte=start, created_at__lt=end
        )
        .order_by()
        .values("station_id")
        .annotate(
            received=Count("pk"),
            replied=Count("pk", filter=Q(status=Suggestion.Status.REPLIED)),
        )
    )
    complaints = (
        Complaint.objects.filter(centre__area_id__in=ids, created_at__gte=start, created_at__lt=end)
        .order_by()
        .values("centre_id")
        .annotate(
            received=Count("pk"),
            upheld=Count("pk", filter=Q(outcome=Complaint.Outcome.UPHELD)),
            partly=Count("pk", filter=Q(outcome=Complaint.Outcome.PARTLY_UPHELD)),
        )
    )
    # merging two short per-centre lists: one entry per centre, never per suggestion
    result = {
        row["station_id"]: FeedbackCounts(
            suggestions_received=row["received"], suggestions_replied=row["replied"]
        )
        for row in suggestions
    }
    for row in complaints:
        result[row["centre_id"]] = replace(
            result.get(row["centre_id"], FeedbackCounts()),
            complaints_received=row["received"],
            complaints_upheld=row["upheld"],
            complaints_partly_upheld=row["partly"],
        )
    return result
