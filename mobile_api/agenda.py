"""The agent's day (`GET /api/v1/me/tasks/`): what waits for them, most urgent first, each with
its place and the distance from where the agent is, and a suggested visiting order.

Urgency (lower first): 0 routed appointments awaiting the agent's answer (by their confirm-by
time); 1 overdue cases (red); 2 visits planned for the day and appointments wanted that day;
3 cases near their deadline (yellow); 4 confirmed appointments not yet taken up, cases in
pre-review; 5 cases on time (green). Ties: the earlier deadline or time, then the nearer.

The visiting order is a nearest-neighbour tour from the agent's fresh position (else their
station) over the tasks that have a place, each leg explained; for a dozen stops it is within
a few percent of the best tour and needs no routing engine (no road network offline).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.gis.geos import Point
from django.db import connections, router
from django.utils import timezone

from appointments.models import Appointment
from appointments.models import Status as AppointmentStatus
from cases.deadlines import light_sql
from cases.models import RUNNING, Case, Status
from core import rows
from people.models import Staff
from people.selectors import usable_position
from visits.models import Visit

CASE_URGENCY = {"red": 1, "yellow": 3, "green": 5, None: 4}


@dataclass
class Task:
    kind: str  # appointment_to_confirm | appointment | visit | case
    id: int
    title: str
    urgency: int
    when: datetime | date | None
    location: Point | None
    status: str
    light: str | None = None
    tracking_code: str = ""
    address: str = ""
    distance_m: float | None = None
    data: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def metres(a: Point, b: Point) -> float:
    """Great-circle distance (haversine, mean Earth radius): enough to order stops."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a.x, a.y, b.x, b.y))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def origin_of(staff: Staff, now: datetime) -> tuple[Point | None, str | None]:
    position = usable_position(staff, now)
    if position is not None:
        return position, "position"
    if staff.centre_id and staff.centre.location is not None:
        return staff.centre.location, "station"
    return None, None


def _fields(model, names: tuple[str, ...], alias: str):
    """The columns of `names` only (the rest deferred), for core.rows."""
    skip = tuple(f.name for f in model._meta.concrete_fields if f.name not in names)
    return rows.columns(model, alias, skip=skip)


_APPOINTMENT = ("id", "status", "preferred_start", "confirm_deadline", "location")
_APPOINTMENT += ("tracking_code", "address", "applicant_name", "applicant_phone")
_VISIT = ("id", "status", "scheduled_for", "destination", "appointment", "case")
_CASE = ("id", "status", "due_date", "location", "tracking_code", "address")


def tasks_for(staff: Staff, day: date, now: datetime) -> list[Task]:
    """The agent's open work as tasks. Plain SQL with only the columns a task shows: the day list
    is the request phones send most, and the ORM's compile of these three querysets was most of
    its cost (ADR 0036); the filters are the ones the querysets had."""
    tasks: list[Task] = []
    # where the ORM would have read them: a caught-up replica on a routed GET (ADR 0031)
    connection = connections[router.db_for_read(Appointment)]
    a_fields, a_columns = _fields(Appointment, _APPOINTMENT, "a")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {a_columns}, v.name FROM appointments_appointment a "
            "JOIN catalogue_serviceitemversion v ON v.id = a.item_version_id "
            "WHERE a.agent_id = %s AND a.status IN (%s, %s)",
            [staff.pk, AppointmentStatus.AWAITING, AppointmentStatus.CONFIRMED],
        )
        found = cursor.fetchall()
    for row in found:
        a, title = rows.instance(Appointment, a_fields, row[:-1]), row[-1]
        awaiting = a.status == AppointmentStatus.AWAITING
        wanted_today = (
            a.preferred_start is not None and timezone.localdate(a.preferred_start) == day
        )
        tasks.append(
            Task(
                kind="appointment_to_confirm" if awaiting else "appointment",
                id=a.pk,
                title=title,
                urgency=0 if awaiting else (2 if wanted_today else 4),
                when=a.confirm_deadline if awaiting else a.preferred_start,
                location=a.location,
                status=a.status,
                tracking_code=a.tracking_code,
                address=a.address,
                data={"applicant": a.applicant_name, "phone": a.applicant_phone},
            )
        )
    v_fields, v_columns = _fields(Visit, _VISIT, "v")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {v_columns}, ap.address, ap.tracking_code, c.address, c.tracking_code "
            "FROM visits_visit v "
            "LEFT JOIN appointments_appointment ap ON ap.id = v.appointment_id "
            "LEFT JOIN cases_case c ON c.id = v.case_id "
            "WHERE v.agent_id = %s AND (v.status = %s OR (v.status = %s "
            "AND (v.scheduled_for AT TIME ZONE %s)::date = %s))",
            [
                staff.pk,
                Visit.Status.IN_PROGRESS,
                Visit.Status.SCHEDULED,
                timezone.get_current_timezone_name(),
                day,
            ],
        )
        found = cursor.fetchall()
    for row in found:
        v = rows.instance(Visit, v_fields, row[:-4])
        # the visit's subject: its appointment, else its case
        address, code = row[-4:-2] if v.appointment_id is not None else row[-2:]
        tasks.append(
            Task(
                kind="visit",
                id=v.pk,
                title=address or code,
                urgency=2,
                when=v.scheduled_for,
                location=v.destination,
                status=v.status,
                tracking_code=code,
                address=address,
                data={"appointment": v.appointment_id, "case": v.case_id},
            )
        )
    light = light_sql(day)
    c_fields, c_columns = _fields(Case, _CASE, "cases_case")
    statuses = [Status.CONSULTING, Status.AWAITING_PAPERS, *RUNNING]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {c_columns}, v.name, ({light.sql}) FROM cases_case "
            "JOIN catalogue_serviceitemversion v ON v.id = cases_case.item_version_id "
            "WHERE cases_case.responsible_id = %s AND cases_case.status = ANY(%s)",
            [*light.params, staff.pk, [str(s) for s in statuses]],
        )
        found = cursor.fetchall()
    for row in found:
        c, title, case_light = rows.instance(Case, c_fields, row[:-2]), row[-2], row[-1]
        tasks.append(
            Task(
                kind="case",
                id=c.pk,
                title=title,
                urgency=CASE_URGENCY[case_light],
                when=c.due_date,
                location=c.location,
                status=c.status,
                light=case_light,
                tracking_code=c.tracking_code,
                address=c.address,
                data={"due_date": c.due_date.isoformat() if c.due_date else None},
            )
        )
    return tasks


def _sort_key(task: Task):
    when = task.when
    if isinstance(when, datetime):
        when = timezone.localtime(when).replace(tzinfo=None)
    elif isinstance(when, date):
        when = datetime(when.year, when.month, when.day, 23, 59)
    return (
        task.urgency,
        when is None,
        when or datetime.max,
        task.distance_m is None,
        task.distance_m or 0,
        task.key,
    )


def visiting_order(origin: Point | None, tasks: list[Task]) -> dict:
    stops = [t for t in tasks if t.location is not None]
    if origin is None or not stops:
        return {
            "method": "nearest_neighbour",
            "stops": [],
            "total_m": 0,
            "explanation": "No starting point or no task with a place: nothing to order.",
        }
    here, legs, total = origin, [], 0.0
    left = list(stops)
    while left:
        nearest = min(left, key=lambda t: (metres(here, t.location), t.key))
        leg = metres(here, nearest.location)
        total += leg
        legs.append({"task": nearest.key, "leg_m": round(leg)})
        here = nearest.location
        left.remove(nearest)
    return {
        "method": "nearest_neighbour",
        "stops": legs,
        "total_m": round(total),
        "explanation": (
            "From where you are, always the nearest remaining place (straight-line distance); "
            "urgent tasks come first in the task list, this order only saves walking."
        ),
    }


def agenda(staff: Staff, day: date, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    origin, source = origin_of(staff, now)
    tasks = tasks_for(staff, day, now)
    for t in tasks:
        if origin is not None and t.location is not None:
            t.distance_m = round(metres(origin, t.location), 1)
    tasks.sort(key=_sort_key)
    return {
        "date": day,
        "origin": {"source": source, "location": origin},
        "tasks": tasks,
        "suggested_order": visiting_order(origin, tasks),
    }
