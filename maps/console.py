"""Reads for the zone console on /map/ (edit mode): a grid's staffing and a station's agents.

Both start from the requester's scope (people.scope): a grid out of scope answers 404
`unknown_grid`, a centre out of scope 404 `unknown_centre`, the same as missing ones. An
agent's figures are those the rest of the product counts: open work is `open_work()` (what the
cap counts), leave is the agent's Leave rows, training the Training rows. The console adds no
rule: assigning, replacing and ending go through the existing assignment endpoints.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.selectors import open_work
from core.errors import NotFound
from geo.models import Grid, ServiceCentre
from geo.selectors import area_descendant_ids
from people.models import GridAssignment, Leave, Role, Staff, Training
from people.scope import scope_for
from people.selectors import staffing_gaps
from people.services import centre_area_visible

# leave starting within this many days is shown as "next leave"
LEAVE_AHEAD_DAYS = 14


def _agents(staff: list[Staff], now: datetime) -> dict[int, dict]:
    """{staff id: the figures the console shows for an agent}, in a few queries."""
    ids = [s.pk for s in staff]
    loads = open_work(ids) if ids else {}
    current: dict[int, Leave] = {}
    upcoming: dict[int, Leave] = {}
    leaves = Leave.objects.filter(
        staff_id__in=ids, end__gt=now, start__lt=now + timedelta(days=LEAVE_AHEAD_DAYS)
    ).order_by("start")
    for leave in leaves:
        if leave.start <= now:
            current.setdefault(leave.staff_id, leave)
        else:
            upcoming.setdefault(leave.staff_id, leave)
    trainings: dict[int, Training] = {}
    year_ago = timezone.localdate(now) - timedelta(days=365)
    counts: dict[int, int] = defaultdict(int)
    for training in Training.objects.filter(staff_id__in=ids).order_by("-date", "-pk"):
        trainings.setdefault(training.staff_id, training)
        if training.date >= year_ago:
            counts[training.staff_id] += 1
    out = {}
    for s in staff:
        last = trainings.get(s.pk)
        leave, ahead = current.get(s.pk), upcoming.get(s.pk)
        out[s.pk] = {
            "id": s.pk,
            "name": s.full_name,
            "post": s.post,
            "phone": s.phone,
            "open_work": loads.get(s.pk, 0),
            "open_work_cap": s.open_work_cap,
            "on_leave_until": leave.end if leave else None,
            "next_leave": {"start": ahead.start, "end": ahead.end} if ahead else None,
            "last_training": {"date": last.date, "topic": last.topic} if last else None,
            "trainings_last_year": counts.get(s.pk, 0),
        }
    return out


def _current_and_future(today):
    return GridAssignment.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))


def grid_staffing(*, user, code: str, now: datetime | None = None) -> dict:
    """A grid's primary and backup agents (today's and those starting later) with their open
    work, leave and training; whether the requester may change them; the station to pick from."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    scope = scope_for(user)
    grid = (
        scope.grids(Grid.objects.filter(code=code))
        .select_related("community")
        .defer("boundary", "community__boundary")
        .first()
    )
    if grid is None:
        raise NotFound(
            "unknown_grid",
            _("No grid with code %(code)s.") % {"code": code},
            details={"code": code},
        )
    rows = list(
        _current_and_future(today)
        .filter(grid=grid)
        .select_related("staff")
        .order_by("valid_from", "pk")
    )
    agents = _agents(list({r.staff_id: r.staff for r in rows}.values()), now)
    centre = ServiceCentre.objects.filter(area_id=grid.community_id).only("name").first()
    assignments = [
        {
            "id": r.pk,
            "kind": r.kind,
            "kind_display": r.get_kind_display(),
            "valid_from": r.valid_from,
            "valid_to": r.valid_to,
            "current": r.valid_from <= today,
            "agent": agents[r.staff_id],
        }
        for r in rows
    ]
    assignments.sort(key=lambda a: (not a["current"], a["kind"] != "primary"))
    return {
        "grid": {
            "code": grid.code,
            "name": grid.name,
            "active": grid.retired_at is None,
            "community": {"code": grid.community.code, "name": grid.community.name},
        },
        "date": today,
        "may_edit": scope.manages_area(grid.community_id),
        "has_primary": any(a["current"] and a["kind"] == "primary" for a in assignments),
        "centre": (
            {"code": grid.community.code, "name": centre.name} if centre is not None else None
        ),
        "assignments": assignments,
    }


def station_agents(*, user, code: str, now: datetime | None = None) -> dict:
    """A station's active agents with the grids each covers today (primary/backup) and their
    load, leave and training; the station's grids without an active primary agent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    area = centre_area_visible(user, code)
    scope = scope_for(user)
    staff = list(
        scope.staff_members(
            Staff.objects.filter(centre__area=area, active=True, roles__contains=[Role.AGENT])
        ).order_by("full_name", "pk")
    )
    agents = _agents(staff, now)
    grids: dict[int, list] = defaultdict(list)
    rows = (
        _current_and_future(today)
        .filter(valid_from__lte=today, staff_id__in=agents, grid__retired_at__isnull=True)
        .select_related("grid")
        .defer("grid__boundary")
        .order_by("grid__code", "pk")
    )
    for r in rows:
        grids[r.staff_id].append(
            {"code": r.grid.code, "name": r.grid.name, "kind": r.kind, "assignment": r.pk}
        )
    return {
        "centre": {"code": area.code, "name": area.centre.name},
        "may_edit": scope.manages_area(area.pk),
        "agents": [{**agents[s.pk], "grids": grids.get(s.pk, [])} for s in staff],
        "grids_without_primary": staffing_gaps(area_descendant_ids(area), now).without_primary,
    }
