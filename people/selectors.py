"""Reads about people: who is at a desk, which working days lack cover, whether an agent is
available in a window, which position may be used for routing, staffing gaps of grids."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from geo.models import Grid, ServiceCentre
from workdays import calendar

from .models import DeskDay, DeskShift, GridAssignment, Leave, Role, Staff
from .scope import scope_for


def active_assignments(on: date | None = None):
    on = on or timezone.localdate()
    return GridAssignment.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on), valid_from__lte=on
    )


# --- desk cover -------------------------------------------------------------------------


def who_is_at_desk(centre: ServiceCentre, at: datetime) -> list[Staff]:
    """集中受理: the people receiving residents at this centre at this moment."""
    local = timezone.localtime(at)
    day, moment = local.date(), local.time()
    on_leave = Leave.objects.filter(staff=OuterRef("pk"), start__lte=at, end__gt=at)
    shift_staff = DeskShift.objects.filter(
        centre=centre, date=day, start__lte=moment, end__gt=moment
    ).values("staff_id")
    people = Q(pk__in=shift_staff)
    if centre.acceptance == ServiceCentre.Acceptance.FIXED_DAYS and calendar.is_workday(day).value:
        desk_staff = DeskDay.objects.filter(
            centre=centre, weekday=day.isoweekday(), start__lte=moment, end__gt=moment
        ).values("staff_id")
        people |= Q(pk__in=desk_staff)
    return list(
        Staff.objects.filter(people, active=True)
        .annotate(away=Exists(on_leave))
        .filter(away=False)
        .order_by("full_name")
    )


@dataclass(frozen=True)
class DeskGaps:
    centre: ServiceCentre
    days: list[date]
    provisional: bool


def desk_gaps(centre: ServiceCentre, first: date, last: date) -> DeskGaps:
    """Every working day from `first` to `last` on which nobody is at the centre's desk.

    A day is covered by a rota shift, or (fixed-days centres) by a desk day on that weekday, of
    an active staff member who is not on leave for the whole day. The plan requires cover on
    every working day, including adjusted working weekends (调休).
    """
    workdays = calendar.workdays_in_range(first, last)
    shifts = DeskShift.objects.filter(
        centre=centre, date__gte=first, date__lte=last, staff__active=True
    ).values_list("date", "staff_id")
    by_day: dict[date, set[int]] = {}
    for day, staff_id in shifts:
        by_day.setdefault(day, set()).add(staff_id)
    fixed: dict[int, set[int]] = {}
    if centre.acceptance == ServiceCentre.Acceptance.FIXED_DAYS:
        for weekday, staff_id in DeskDay.objects.filter(
            centre=centre, staff__active=True
        ).values_list("weekday", "staff_id"):
            fixed.setdefault(weekday, set()).add(staff_id)
    tz = timezone.get_current_timezone()
    leaves = list(
        Leave.objects.filter(
            staff__centre=centre,
            start__lt=datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz),
            end__gt=datetime.combine(first, time.min, tzinfo=tz),
        ).values_list("staff_id", "start", "end")
    )

    def away_all_day(staff_id: int, day: date) -> bool:
        day_start = datetime.combine(day, time(8, 0), tzinfo=tz)
        day_end = datetime.combine(day, time(18, 0), tzinfo=tz)
        return any(
            s == staff_id and start <= day_start and end >= day_end for s, start, end in leaves
        )

    gaps = []
    for day in workdays.value:
        people = by_day.get(day, set()) | fixed.get(day.isoweekday(), set())
        if not any(not away_all_day(staff_id, day) for staff_id in people):
            gaps.append(day)
    return DeskGaps(centre=centre, days=gaps, provisional=workdays.provisional)


# --- agent availability -----------------------------------------------------------------


def working_intervals(
    staff: Staff, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The agent's working time within [start, end): their hours (or the default ones) on
    working days, less leave. Computed by the SQL function `people_working_time`, the one
    definition routing uses too."""
    if end <= start:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT people_working_time(%s, %s, %s)", [staff.pk, start, end])
        multirange = cursor.fetchone()[0]
    return [(r.lower, r.upper) for r in multirange]


def is_available(staff: Staff, start: datetime, end: datetime) -> bool:
    """Is the agent working (their schedule, a working day, not on leave) at some time in the
    window? A booking made at night asks about its window, not about the night."""
    if not staff.active or end <= start:
        return False
    return bool(working_intervals(staff, start, end))


def next_working_period(staff: Staff, after: datetime, horizon_days: int = 14):
    """The agent's next stretch of working time after `after` (None within the horizon)."""
    intervals = working_intervals(staff, after, after + timedelta(days=horizon_days))
    return intervals[0] if intervals else None


# --- positions --------------------------------------------------------------------------


def usable_position(staff: Staff, now: datetime | None = None) -> Point | None:
    """The last known position if it is fresh and accurate enough to route by, else None:
    the SQL function `people_position_fresh`, the one definition routing uses too."""
    if staff.last_position is None:
        return None
    people = settings.PEOPLE
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT people_position_fresh(%s, %s, %s, %s, %s)",
            [
                staff.last_position_at,
                staff.last_position_accuracy_m,
                now or timezone.now(),
                people["POSITION_MAX_AGE_MINUTES"],
                people["POSITION_MAX_ACCURACY_M"],
            ],
        )
        fresh = cursor.fetchone()[0]
    return staff.last_position if fresh else None


# --- staffing of grids (extends the spatial core's coverage analysis) -------------------


@dataclass(frozen=True)
class Staffing:
    without_primary: list[str]
    all_agents_on_leave: list[str]


def staffing_gaps(community_ids, at: datetime | None = None) -> Staffing:
    """Active grids with no active primary agent, and grids whose agents are all on leave."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    assigned = active_assignments(today).filter(grid=OuterRef("pk"), staff__active=True)
    present = assigned.exclude(
        staff__in=Leave.objects.filter(start__lte=at, end__gt=at).values("staff_id")
    )
    grids = Grid.objects.filter(community_id__in=community_ids, retired_at__isnull=True).annotate(
        has_primary=Exists(assigned.filter(kind=GridAssignment.Kind.PRIMARY)),
        has_agent=Exists(assigned),
        has_present=Exists(present),
    )
    without_primary = list(
        grids.filter(has_primary=False).values_list("code", flat=True).order_by("code")
    )
    all_away = list(
        grids.filter(has_agent=True, has_present=False)
        .values_list("code", flat=True)
        .order_by("code")
    )
    return Staffing(without_primary=without_primary, all_agents_on_leave=all_away)


def hand_over_choices(user, *, centre_id: int | None, exclude: int | None = None) -> list[dict]:
    """The colleagues `user` may hand a matter of station `centre_id` to: its active agents
    that `user` may see (the targets the hand-over steps accept), for the field app's picker."""
    if centre_id is None:
        return []
    rows = (
        scope_for(user)
        .staff_members(Staff.objects.filter(active=True, centre_id=centre_id))
        .filter(roles__contains=[Role.AGENT])
        .exclude(pk=exclude)
        .order_by("full_name", "pk")[:200]
    )
    return [{"id": s.pk, "name": s.full_name} for s in rows]
