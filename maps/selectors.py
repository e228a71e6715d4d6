"""Reads for the coverage review page: a grid's panel and where the map opens.

The panel counts what the grid tile shows (tiles/layers.py), from the same rules: agents are
the active agents assigned today (`people.selectors.active_assignments`), their open work is
`open_work()`, overdue cases are red by `cases.deadlines.light_sql`. Lists are cut to the
requester's scope (`appointments_for`, `cases_for`); the grid itself to `Scope.grids`.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.gis.db.models import Extent
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.models import OPEN_STATUSES
from appointments.selectors import appointments_for, open_work
from cases.deadlines import light_sql
from cases.models import RUNNING, Case
from cases.selectors import cases_for
from core.errors import NotFound
from geo.models import Area, Grid
from people.models import GridAssignment
from people.scope import scope_for
from people.selectors import active_assignments
from tiles.layers import may_read_positions
from tiles.lights import appointment_light_sql

PANEL_LIST_LIMIT = 100
# where the map opens when the requester sees no area (the demo district, 盘锦市双台子区)
DEFAULT_BOUNDS = ((41.15, 121.98), (41.25, 122.13))


def grid_panel(*, user, code: str, now: datetime | None = None) -> dict:
    """A grid's agents (primary first) with their open work and overdue cases, its open
    appointments, and the overdue cases of its agents that the requester may see."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    grid = (
        scope_for(user)
        .grids(Grid.objects.filter(code=code))
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
    assignments = list(
        active_assignments(today)
        .filter(grid=grid, staff__active=True)
        .select_related("staff")
        .order_by("staff__full_name", "staff_id")
    )
    assignments.sort(key=lambda a: a.kind != GridAssignment.Kind.PRIMARY)  # primary first
    staff_ids = [a.staff_id for a in assignments]
    loads = open_work(staff_ids) if staff_ids else {}
    red = Case.objects.filter(responsible_id__in=staff_ids, status__in=RUNNING).annotate(
        light=light_sql(today)
    )
    overdue_by_agent = dict(
        red.filter(light="red").values_list("responsible_id").annotate(n=Count("pk"))
    )
    appointments = (
        appointments_for(user)
        .filter(grid=grid, status__in=OPEN_STATUSES)
        .defer("grid__boundary", "queue_centre__area__boundary")
        .annotate(light=appointment_light_sql(now))
        .order_by("created_at", "pk")[:PANEL_LIST_LIMIT]
    )
    overdue = (
        cases_for(user)
        .filter(responsible_id__in=staff_ids, status__in=RUNNING)
        .defer("centre__area__boundary")
        .annotate(light=light_sql(today))
        .filter(light="red")
        .order_by("due_date", "pk")[:PANEL_LIST_LIMIT]
    )
    return {
        "grid": {
            "code": grid.code,
            "name": grid.name,
            "active": grid.retired_at is None,
            "community": {"code": grid.community.code, "name": grid.community.name},
        },
        "date": today,
        "agents": [
            {
                "id": a.staff.pk,
                "name": a.staff.full_name,
                "post": a.staff.post,
                "phone": a.staff.phone,
                "kind": a.kind,
                "kind_display": a.get_kind_display(),
                "open_work": loads.get(a.staff_id, 0),
                "overdue": overdue_by_agent.get(a.staff_id, 0),
            }
            for a in assignments
        ],
        "appointments": [
            {
                "id": ap.pk,
                "tracking_code": ap.tracking_code,
                "item": ap.item_version.name,
                "status": ap.status,
                "status_display": ap.get_status_display(),
                "light": ap.light,
                "agent": ap.agent.full_name if ap.agent else None,
                "preferred_start": ap.preferred_start,
            }
            for ap in appointments
        ],
        "overdue": [
            {
                "id": c.pk,
                "tracking_code": c.tracking_code,
                "item": c.item_version.name,
                "agent": c.responsible.full_name,
                "due_date": c.due_date,
                "status": c.status,
                "status_display": c.get_status_display(),
            }
            for c in overdue
        ],
    }


def map_bounds(user, areas=None) -> tuple[tuple[float, float], tuple[float, float]]:
    """((south, west), (north, east)) of what the requester looks after: their grids, else
    their areas (`areas`: `area_bounds(user)` when the caller has it), else the demo district."""
    scope = scope_for(user)
    extent = (
        scope.grids(Grid.objects.filter(retired_at__isnull=True)).aggregate(e=Extent("boundary"))[
            "e"
        ]
        if not scope.everything
        else None
    )
    if extent is None:
        return areas or area_bounds(user)
    west, south, east, north = extent
    return ((south, west), (north, east))


def area_bounds(user) -> tuple[tuple[float, float], tuple[float, float]]:
    """((south, west), (north, east)) of the areas the requester sees: every grid, area and gap
    a tile can show them lies inside, so the page asks for no tile outside it."""
    extent = scope_for(user).areas(Area.objects.all()).aggregate(e=Extent("boundary"))["e"]
    if extent is None:
        return DEFAULT_BOUNDS
    west, south, east, north = extent
    return ((south, west), (north, east))


def map_options(user) -> dict:
    """What the page may offer this requester."""
    return {"agents": may_read_positions(scope_for(user))}
