"""Routing a backlog set-based: appointments that arrived without routing (an import, an
offline intake) are ranked a batch at a time by the same ranking single bookings use
(`routing.rank`), choices made in order with caps counted across the batch, written in two
round trips (ASSIGN_SQL, then `assignment.RECORD_ROUTED_SQL`); optionally several processes
side by side (`route_queued(workers=…)`). What nobody can take goes through `assignment.route`.

Imports `assignment`, `routing` and `selectors`; must never import `intake`, `actions`, `sweeps`
or the API. The management command `route_queued` calls it.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from datetime import datetime

from django.conf import settings
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone
from psycopg.errors import DeadlockDetected

from notifications.services import deliver_pending_on_commit

from . import routing
from .assignment import explanation, record_routed, route, routed_row, routed_texts, window
from .models import Appointment, Status
from .selectors import open_work

BACKLOG_SQL = f"""
SELECT a.id, ST_X(a.location), ST_Y(a.location), a.preferred_start, a.preferred_end,
       a.tracking_code, a.address, v.name
FROM appointments_appointment a
JOIN catalogue_serviceitemversion v ON v.id = a.item_version_id
WHERE a.status = '{Status.UNROUTED.value}' AND a.routed_at IS NULL
ORDER BY ST_GeoHash(a.location, 7), a.id  -- neighbours together (index appt_backlog)
LIMIT %s
FOR UPDATE OF a SKIP LOCKED
"""

DEADLOCK_RETRIES = 6

# One round trip writes a pass's appointments (RECORD_ROUTED_SQL their decisions, events and
# notifications in a second). Deadlines in working time per agent
# (`people_after_working_minutes_of`), minutes by their station's policy.
ASSIGN_SQL = f"""
WITH u AS (
    SELECT u.*, coalesce(p.confirm_minutes, %(minutes)s) AS minutes, g.id AS grid_id
    FROM jsonb_to_recordset(%(rows)s::jsonb)
         AS u(id bigint, agent bigint, grid text, outside boolean, routing jsonb)
    JOIN people_staff s ON s.id = u.agent
    LEFT JOIN appointments_stationpolicy p ON p.centre_id = s.centre_id
    LEFT JOIN geo_grid g ON g.code = u.grid
),
d AS (
    SELECT * FROM people_after_working_minutes_of(
        ARRAY(SELECT u.agent FROM u), %(now)s, ARRAY(SELECT u.minutes FROM u))
),
dl AS (SELECT DISTINCT ON (d.staff) d.staff, d.deadline FROM d)
UPDATE appointments_appointment a
SET status = '{Status.AWAITING.value}', agent_id = u.agent, queue_centre_id = NULL,
    grid_id = u.grid_id, outside_coverage = u.outside, routed_at = %(now)s,
    confirm_deadline = dl.deadline, routing = u.routing, version = a.version + 1
FROM u JOIN dl ON dl.staff = u.agent
WHERE a.id = u.id
"""


def route_queued(
    *,
    batch_size: int = 1000,
    now: datetime | None = None,
    limit: int | None = None,
    workers: int = 1,
) -> int:
    """Route appointments that arrived without routing (an imported or offline backlog) in
    batches: the ranking function once per pass for the whole batch (the one single bookings
    use), choices made in order with caps counted across the batch, written set-based. With
    `workers` > 1, as many processes (each its own database connection; threads would share one
    interpreter lock) take batches side by side: `SKIP LOCKED` gives each its own appointments,
    agents' rows are locked while their caps are counted. Returns how many were routed to an
    agent."""
    now = now or timezone.now()
    if workers <= 1:
        return _route_queued(batch_size, now, limit)
    if connection.in_atomic_block:
        # the workers' connections could not see the caller's uncommitted rows, and closing
        # the caller's connection before forking would end its transaction
        raise RuntimeError("route_queued(workers > 1) must not run inside a transaction")
    shares = (
        [None] * workers
        if limit is None
        else [limit // workers + (1 if i < limit % workers else 0) for i in range(workers)]
    )
    connections.close_all()  # a forked child must not share the parent's connection
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        routed = pool.starmap(_route_queued_in_child, [(batch_size, now, s) for s in shares])
    return sum(routed)


def _route_queued_in_child(batch_size: int, now: datetime, limit: int | None) -> int:
    try:
        return _route_queued(batch_size, now, limit)
    finally:
        connections.close_all()


def _route_queued(batch_size: int, now: datetime, limit: int | None) -> int:
    routed = 0
    done = 0
    while limit is None or done < limit:
        size = batch_size if limit is None else min(batch_size, limit - done)
        for attempt in range(DEADLOCK_RETRIES):
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute(BACKLOG_SQL, [size])
                        batch = cursor.fetchall()
                    count = _route_batch(batch, now) if batch else 0
                    if count:  # the batch's notifications, delivered once it is committed
                        deliver_pending_on_commit()
                break
            except OperationalError as error:
                # two batches side by side reached for the same agents in different orders
                # (a second pass locks more of them): PostgreSQL cancelled one; do it again
                if not isinstance(error.__cause__, DeadlockDetected):
                    raise
                if attempt == DEADLOCK_RETRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        if not batch:
            break
        routed += count
        done += len(batch)
    return routed


def _route_batch(batch: list[tuple], now: datetime) -> int:
    """Rank the batch, give each appointment in order its best candidate still under the cap,
    write those; re-rank the ones that lost their candidates to earlier ones in the batch (their
    grid's agents are full now, so the community's are weighed); queue the ones nobody can take.
    """
    default_start, default_end = window(Appointment(), now)
    pending = {
        pk: routing.Request(pk, x, y, start or default_start, end or default_end)
        for pk, x, y, start, end, *_details in batch
    }
    details = {row[0]: row[5:] for row in batch}  # tracking code, address, item name
    queued: list[int] = []
    routed = 0
    for _pass in range(settings.APPOINTMENTS["ROUTING_RETRIES"]):
        if not pending:
            break
        rankings = routing.rank(list(pending.values()))
        staff_ids = sorted(
            {c.staff_id for r in rankings.values() for c in r.candidates if c.eligible}
        )
        # lock every eligible candidate once, in id order (reading the language their notices
        # are written in), then count their open work as it stands (single bookings routed
        # meanwhile included)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, language FROM people_staff WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                [staff_ids],
            )
            languages = dict(cursor.fetchall())
        loads = open_work(staff_ids)
        picks, lost = [], {}
        for pk, request in pending.items():
            ranking = rankings[pk]
            chosen = next(
                (c for c in ranking.candidates if c.eligible and loads[c.staff_id] < c.cap), None
            )
            if chosen is not None:
                loads[chosen.staff_id] += 1
                picks.append((pk, ranking, chosen))
            elif any(c.eligible for c in ranking.candidates):
                lost[pk] = request  # someone earlier in the batch took the last place
            else:
                queued.append(pk)
        _assign(picks, details, languages, now)
        routed += len(picks)
        pending = lost
    queued.extend(pending)
    for a in Appointment.objects.filter(pk__in=queued).select_related("item_version"):
        # rare in a healthy district: the full path, with managers notified
        route(a, actor=None, reason="batch", now=now)
    return routed


def _assign(
    picks: list[tuple[int, routing.Ranking, routing.Candidate]],
    details: dict,
    languages: dict[int, str],
    now,
) -> None:
    """Write a pass's picks: the appointments set-based, then what routing records for each,
    each agent's notice in their language (`languages`: staff id → language; the texts are
    translated once per language in the pass, usually one or two)."""
    if not picks:
        return
    assigned, recorded = [], []
    texts = {
        language: routed_texts(language)
        for language in {languages[chosen.staff_id] for _pk, _ranking, chosen in picks}
    }
    for pk, ranking, chosen in picks:
        rule = chosen.rule
        explained = explanation(ranking, chosen, reason="batch", rule=rule, excluded=())
        assigned.append(
            {
                "id": pk,
                "agent": chosen.staff_id,
                "grid": ranking.grid,
                "outside": ranking.outside_coverage,
                "routing": explained,
            }
        )
        code, address, item = details[pk]
        recorded.append(
            routed_row(
                pk,
                code,
                address,
                item,
                rule,
                chosen,
                actor=None,
                from_status=Status.UNROUTED,
                reason="batch",
                texts=texts[languages[chosen.staff_id]],
            )
        )
    with connection.cursor() as cursor:
        cursor.execute(
            ASSIGN_SQL,
            {
                "rows": json.dumps(assigned, ensure_ascii=False),
                "now": now,
                "minutes": settings.APPOINTMENTS["CONFIRM_MINUTES"],
            },
        )
    record_routed(recorded)
