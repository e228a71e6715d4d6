"""Background sweeps (django-q2 schedules, every minute; `tasks.py` calls them): appointments
not confirmed in time go to the next candidate; open appointments whose grid or agent changed
under them are routed again. Idempotent: each re-reads and locks its rows (SKIP LOCKED), so a
second run — or two running side by side — does nothing twice.

Imports `assignment` (routing) and `events`; must never import `intake`, `actions`, `backlog`
or the API.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .assignment import route
from .events import record_event
from .models import Appointment, Status


def expire_confirmations(*, now: datetime | None = None) -> int:
    """Appointments not confirmed in time go to the next candidate (each once: the row lock and
    the status/deadline re-check make a second run a no-op)."""
    now = now or timezone.now()
    ids = list(
        Appointment.objects.filter(status=Status.AWAITING, confirm_deadline__lte=now).values_list(
            "pk", flat=True
        )
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            a = (
                Appointment.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Status.AWAITING, confirm_deadline__lte=now)
                .first()
            )
            if a is None:
                continue
            record_event(
                a,
                actor=None,
                action="timeout",
                from_status=a.status,
                note=_("Not confirmed in time by the routed agent."),
                data={"agent": a.agent_id},
            )
            a.routing.setdefault("excluded", []).append(a.agent_id)
            route(a, actor=None, reason="timeout", now=now)
            done += 1
    return done


AFFECTED_SQL = f"""
SELECT a.id,
       CASE
         WHEN g.retired_at IS NOT NULL THEN 'grid_retired'
         -- routed inside its grid, and the grid no longer covers the point
         WHEN NOT a.outside_coverage AND NOT ST_Covers(g.boundary, a.location) THEN 'grid_changed'
         -- routed outside coverage to the nearest grid: changed only when the lookup no longer
         -- gives that grid as the nearest (a grid covers the point now, another one is nearer,
         -- none is in range), never merely because its grid still does not cover the point
         -- (that re-routed such a booking every minute)
         WHEN a.outside_coverage AND NOT EXISTS (
             SELECT 1 FROM grid_at(a.location, %(max_m)s) n
             WHERE n.grid_id = a.grid_id AND n.outside) THEN 'grid_changed'
         WHEN NOT s.active THEN 'agent_inactive'
         WHEN NOT EXISTS (
             SELECT 1 FROM people_gridassignment ga JOIN geo_grid gg ON gg.id = ga.grid_id
             WHERE ga.staff_id = s.id AND gg.community_id = g.community_id
               AND ga.valid_from <= (%(now)s AT TIME ZONE 'Asia/Shanghai')::date
               AND (ga.valid_to IS NULL OR ga.valid_to > (%(now)s AT TIME ZONE 'Asia/Shanghai')::date))
           THEN 'agent_unassigned'
         WHEN a.preferred_start IS NOT NULL
              AND isempty(people_working_time(s.id, greatest(a.preferred_start, %(now)s), a.preferred_end))
           THEN 'agent_on_leave'
       END AS why
FROM appointments_appointment a
JOIN people_staff s ON s.id = a.agent_id
JOIN geo_grid g ON g.id = a.grid_id
WHERE a.status IN ('{Status.AWAITING.value}', '{Status.CONFIRMED.value}') AND NOT a.first_inquiry
"""


def _affected(now: datetime, where: str = "", params: dict | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, why FROM ({AFFECTED_SQL}{where}) x WHERE why IS NOT NULL ORDER BY id",
            {"now": now, "max_m": settings.GEO["NEAREST_GRID_MAX_M"], **(params or {})},
        )
        return cursor.fetchall()


def _reroute(pk: int, why: str, *, actor, now: datetime, wait: bool) -> Appointment | None:
    """Route one affected appointment again, with an event saying why (the one place a changed
    grid or agent sends an open appointment elsewhere)."""
    with transaction.atomic():
        a = (
            Appointment.objects.select_for_update(skip_locked=not wait)
            .filter(pk=pk, status__in=[Status.AWAITING, Status.CONFIRMED])
            .first()
        )
        if a is None:
            return None
        record_event(
            a,
            actor=actor,
            action="reroute",
            from_status=a.status,
            note=why,
            data={"why": why, "agent": a.agent_id},
        )
        if why in ("agent_inactive", "agent_unassigned", "agent_on_leave"):
            a.routing.setdefault("excluded", []).append(a.agent_id)
        return route(a, actor=actor, reason=why, now=now)


def reroute_affected(*, now: datetime | None = None) -> int:
    """Open appointments whose grid was edited, split, merged or retired, or whose agent was
    deactivated, unassigned or went on leave, are routed again, each with an event saying why."""
    now = now or timezone.now()
    affected = _affected(now)
    for pk, why in affected:
        _reroute(pk, why, actor=None, now=now, wait=False)
    return len(affected)


# an edit's own appointments: routed to one of its grids, or outside coverage near its region
EDIT_FILTER = """
  AND (a.grid_id = ANY(%(grids)s)
       OR (a.outside_coverage AND ST_DWithin(a.location::geography,
                                            ST_GeomFromEWKB(%(region)s)::geography, %(max_m)s)))
"""


def reroute_for_grid_edit(
    *, grid_ids: list[int], region, actor, now: datetime
) -> list[tuple[str, int, Appointment]]:
    """The sweep's rule for the appointments one grid edit affects, run inside the edit's
    transaction (waiting for their row locks rather than skipping): [(why, from agent id,
    appointment as routed now)]."""
    done = []
    params = {"grids": list(grid_ids), "region": bytes(region.ewkb)}
    for pk, why in _affected(now, EDIT_FILTER, params):
        before = Appointment.objects.filter(pk=pk).values_list("agent_id", flat=True).first()
        appointment = _reroute(pk, why, actor=actor, now=now, wait=True)
        if appointment is not None:
            done.append((why, before, appointment))
    return done
