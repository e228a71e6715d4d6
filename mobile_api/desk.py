"""The desk's queues (/app/#/desk): street/town centre staff and approval-window staff work
their matters from lists the server cuts, one table of queues below.

    queue         desk     what is in it
    forwarded     centre   forwarded to the centre, not yet received at the window
    at_window     centre   at an approval window (each window and its deadline light)
    ready         centre   the window's result is ready, or it refused: to hand back
    overdue       centre   running past its deadline (the red light), whatever the state
    complaints    centre   complaints about staff sent to the centre, not closed yet
    to_receive    window   forwarded to this window: mark received
    in_progress   window   at this window: mark the result ready, or refuse with the reason
    decided       window   ready or refused here, not collected yet (the reason shown)

Every queue is a filter on what the requester may see (`cases.selectors.cases_for`,
`feedback.selectors.complaints_for`, both from people.scope), so a queue never widens access;
a queue not of the requester's desk answers 404 like a missing one. The figures at the top are
the supervision figures (on time %, overdue now) of the desk's unit, this month so far.

Must never write: reads only. Actions go through the cases and feedback APIs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from cases.deadlines import RED, light_sql
from cases.models import Status
from cases.selectors import cases_for
from catalogue.models import ApprovalWindow
from core.errors import NotFound
from feedback.models import Complaint
from feedback.selectors import complaints_for
from people.models import Role
from people.scope import scope_for
from supervision import figures as supervision_figures
from supervision.periods import parse_span
from supervision.selectors import stats

CENTRE, WINDOW = "centre", "window"
CENTRE_DESK_ROLES = (Role.CENTRE_STAFF, Role.CENTRE_LEAD, Role.DISTRICT_STAFF, Role.ADMIN)
DESK_LIMIT = 300  # rows a queue answers with (the count says how many there are)
LIGHTS = ("green", "yellow", "red")


@dataclass(frozen=True)
class Queue:
    key: str
    desk: str
    kind: str  # cases or complaints
    narrow: Callable[[QuerySet], QuerySet]


DECIDED = (Status.RESULT_READY, Status.REFUSED)
QUEUES: dict[str, Queue] = {
    q.key: q
    for q in (
        Queue("forwarded", CENTRE, "cases", lambda qs: qs.filter(status=Status.FORWARDED)),
        Queue("at_window", CENTRE, "cases", lambda qs: qs.filter(status=Status.AT_WINDOW)),
        Queue("ready", CENTRE, "cases", lambda qs: qs.filter(status__in=DECIDED)),
        Queue("overdue", CENTRE, "cases", lambda qs: qs.filter(light=RED)),
        Queue(
            "complaints",
            CENTRE,
            "complaints",
            lambda qs: qs.exclude(status=Complaint.Status.CLOSED),
        ),
        Queue("to_receive", WINDOW, "cases", lambda qs: qs.filter(status=Status.FORWARDED)),
        Queue("in_progress", WINDOW, "cases", lambda qs: qs.filter(status=Status.AT_WINDOW)),
        Queue("decided", WINDOW, "cases", lambda qs: qs.filter(status__in=DECIDED)),
    )
}

CASE_SORTS = {
    "due": (F("due_date").asc(nulls_last=True), "pk"),
    "-due": (F("due_date").desc(nulls_last=True), "-pk"),
    "opened": ("opened_at", "pk"),
    "-opened": ("-opened_at", "-pk"),
    "code": ("tracking_code",),
}
COMPLAINT_SORTS = {"created": ("created_at", "pk"), "-created": ("-created_at", "-pk")}
COMPLAINT_STATES = ("open", "closed", "all")


def desks_of(user) -> list[str]:
    """The desks the requester works at: centre (street/town centre staff and leads, district
    staff, administrators) and/or window (approval-window staff with their window set)."""
    if user is None or not user.is_authenticated:
        return []
    staff = scope_for(user).staff
    desks = []
    if user.is_superuser or (staff is not None and staff.has_role(*CENTRE_DESK_ROLES)):
        desks.append(CENTRE)
    if staff is not None and staff.has_role(Role.WINDOW_STAFF) and staff.window:
        desks.append(WINDOW)
    return desks


def _cases(user, day: date) -> QuerySet:
    return cases_for(user).annotate(light=light_sql(day))


def _rows(user, queue: Queue, day: date) -> QuerySet:
    if queue.kind == "complaints":
        return complaints_for(user)
    rows = _cases(user, day)
    if queue.desk == WINDOW:
        # the window's own matters, also for someone who is window staff and centre staff
        rows = rows.filter(window__code=scope_for(user).staff.window)
    return rows


def queue_counts(user, day: date) -> list[dict]:
    """Each queue of the requester's desks with how many matters are in it now."""
    desks = desks_of(user)
    result = []
    for queue in QUEUES.values():
        if queue.desk in desks:
            count = queue.narrow(_rows(user, queue, day)).count()
            result.append(
                {"key": queue.key, "desk": queue.desk, "kind": queue.kind, "count": count}
            )
    return result


def queue_get(user, key: str) -> Queue:
    queue = QUEUES.get(key)
    if queue is None or queue.desk not in desks_of(user):
        raise NotFound("unknown_queue", _("No such queue."), details={"queue": key})
    return queue


@dataclass(frozen=True)
class Filters:
    """What a queue is narrowed and sorted by (parsed and checked by the view): `text` (tracking
    code, applicant or item; for complaints also the text or whom it is about), `light`,
    `window`, `centre` (a station's 12-digit code) for cases; `state` for complaints."""

    sort: str
    text: str = ""
    light: str | None = None
    window: str = ""
    centre: str | None = None
    state: str = "open"


def queue_rows(user, queue: Queue, filters: Filters, day: date) -> tuple[int, list]:
    """One queue's matters, filtered and sorted: how many, and the first DESK_LIMIT. The
    complaints queue holds the open ones; `state` closed or all widens it to the centre's
    closed complaints (their history and outcome)."""
    text = filters.text
    if queue.kind == "complaints":
        rows = _rows(user, queue, day)
        if filters.state == "open":
            rows = queue.narrow(rows)
        elif filters.state == "closed":
            rows = rows.filter(status=Complaint.Status.CLOSED)
        if text:
            rows = rows.filter(
                Q(tracking_code__icontains=text)
                | Q(text__icontains=text)
                | Q(staff__full_name__icontains=text)
                | Q(case__tracking_code__icontains=text)
            )
        rows = rows.order_by(*COMPLAINT_SORTS[filters.sort])
        return rows.count(), list(rows[:DESK_LIMIT])
    rows = queue.narrow(_rows(user, queue, day))
    if filters.light:
        rows = rows.filter(light=filters.light)
    if filters.window:
        rows = rows.filter(window__code=filters.window)
    if filters.centre:
        rows = rows.filter(centre__area__code=filters.centre)
    if text:
        rows = rows.filter(
            Q(tracking_code__icontains=text)
            | Q(applicant_name__icontains=text)
            | Q(item_version__name__icontains=text)
        )
    rows = rows.order_by(*CASE_SORTS[filters.sort])
    return rows.count(), list(rows[:DESK_LIMIT])


def windows_in_queues(user, day: date) -> list[dict]:
    """The approval windows the requester's open matters are at (the window filter's choices),
    with how many of them are red."""
    rows = (
        _cases(user, day)
        .filter(status__in=(Status.FORWARDED, Status.AT_WINDOW, *DECIDED), window__isnull=False)
        .order_by()
        .values("window__code", "window__department", "window__name")
        .annotate(n=Count("pk"), red=Count("pk", filter=Q(light=RED)))
        .order_by("window__code")
    )
    return [
        {
            "code": r["window__code"],
            "name": f"{r['window__department']} {r['window__name']}",
            "open": r["n"],
            "red": r["red"],
        }
        for r in rows
    ]


def _unit_of(user) -> tuple[object, bool] | None:
    """The area whose figures head the desk, and whether the requester's reach covers it
    (centre staff: their street or town; district staff: the district) — else, for window
    staff, the area of their window's centre (two headline figures, not the figures API)."""
    staff = scope_for(user).staff
    if staff is None:
        return None
    if staff.has_role(*CENTRE_DESK_ROLES) and staff.centre_id:
        return staff.centre.area, True
    if staff.has_role(Role.WINDOW_STAFF) and staff.window:
        window = (
            ApprovalWindow.objects.select_related("centre__area").filter(code=staff.window).first()
        )
        if window is not None:
            return window.centre.area, False
    return None


def desk_figures(user, day: date) -> dict | None:
    """On time % (cases returned this month on or before their due date, of those returned)
    and overdue now, from the supervision figures (supervision.figures: one definition)."""
    found = _unit_of(user)
    if found is None:
        return None
    area, in_reach = found
    level = area.level
    if level not in supervision_figures.AREA_LEVELS:
        return None
    period = parse_span(None, None, today=day)
    if in_reach:
        table = stats(user=user, level=level, area_code=area.code, period=period, today=day)
        values = next((row.values for row in table.rows if row.unit.id == area.pk), None)
    else:
        values = supervision_figures.compute(level, [area.pk], period, today=day)[area.pk]
    if values is None:
        return None
    return {
        "unit": {"level": level, "code": area.code, "name": area.name},
        "from": period.first,
        "to": period.last,
        "on_time_pct": values.get("on_time_pct"),
        "cases_completed": values.get("cases_completed"),
        "cases_on_time": values.get("cases_on_time"),
        "overdue_now": values.get("overdue_now"),
    }
