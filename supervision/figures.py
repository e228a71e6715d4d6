"""The supervision figures (考核指标数据) per unit over a period, computed in the database.

One aggregate statement per source (appointments, routing answers, cases, complaints,
trainings, inspections), grouped by unit; Python only merges the short per-unit results. A unit
with nothing to count gets zeros; a share or an average with nothing to divide is null.

Units and levels: agent (a Staff with the agent role), grid, community (the station),
street/town, district. The area tree is three levels deep, so the unit of an area at a level is
the area itself, its parent or its grandparent (`AREA_UNITS`).

Which unit a record counts for (one rule per source, documented here and nowhere else):

| source | agent | grid | community / street / district |
| --- | --- | --- | --- |
| appointment | its current agent | its grid | its grid's community, else the queue's centre, else its agent's station |
| routing answer | the agent it was routed to | as the appointment | as the appointment |
| case | the responsible agent (首问负责) | its appointment's grid, else the active grid covering its location | the centre whose register it is in |
| complaint | the staff member named, else the case's responsible agent | the case's grid | the named person's centre, else the case's centre |
| training | the agent trained | grids the agent was assigned to that day | the agent's station |
| inspection | – | – | the centre inspected |

Definitions (the period is local days `first`..`last`, both included):

- appointments: created in the period.
- routed_in_grid: of those, the ones whose latest routing decision kept them in their grid —
  rule `grid_member`, or `first_inquiry` taken inside a grid.
- answer_minutes: for every routing decision to an agent (not first-inquiry) of those
  appointments, minutes until that agent's first answer (confirm or decline); unanswered
  decisions (timeouts, cancellations) are left out of the average.
- visits_due / visits_in_time: appointments taken by an agent (confirmed, or a case opened),
  except those taken at a station's desk (the resident was there already); in time when a
  visit to the appointment or its case was checked in within SUPERVISION["VISIT_WITHIN_HOURS"]
  calendar hours of the later of the booking and the start of the resident's preferred window.
- cases_accepted: accepted in the period. cases_completed: returned to the applicant in the
  period (`returned_at`; a department's refusal carried back counts as completed).
  cases_on_time: completed with the local date of the return on or before the due date.
- overdue_now: cases whose deadline is running (RUNNING states) and whose due date is before
  `today` — a state, not a period figure (cases.deadlines' red light).
- workdays_avg: average working days from acceptance to return, `workdays_count` in SQL (the
  acceptance day not counted; adjusted working weekends count, holidays do not).
- rating_avg: average rating of cases closed in the period.
- complaints: received in the period. trainings: agents' training sessions dated in the period.
- inspections: inspections dated in the period; inspection_score: the latest inspection of
  each centre up to the period's last day, as a percentage of its highest total, averaged over
  the centres of the unit that have one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings

from cases.models import RUNNING
from core.db.replicas import read_connection
from people.models import Role

from .models import Level
from .periods import Period

LEVELS = tuple(Level.values)
AREA_LEVELS = (Level.COMMUNITY, Level.STREET, Level.DISTRICT)
LEVEL_DEPTH = {Level.DISTRICT: 0, Level.STREET: 1, Level.COMMUNITY: 2}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str  # Chinese, as on exported sheets and in notices
    suffix: str = ""  # what a value is in: %, 分钟…
    decimals: int | None = None  # None: a count
    levels: tuple[str, ...] = LEVELS

    @property
    def header(self) -> str:
        return f"{self.label}({self.suffix})" if self.suffix else self.label

    @property
    def is_count(self) -> bool:
        return self.decimals is None


FIGURES: tuple[Figure, ...] = (
    Figure("appointments", "预约受理数"),
    Figure("routed_in_grid", "网格内派单数"),
    Figure("routed_in_grid_pct", "网格内派单率", "%", 1),
    Figure("answer_minutes", "首次响应平均用时", "分钟", 1),
    Figure("visits_due", "应上门服务数"),
    Figure("visits_in_time", "按时上门服务数"),
    Figure("visits_in_time_pct", "按时上门率", "%", 1),
    Figure("cases_accepted", "受理件数"),
    Figure("cases_completed", "办结件数"),
    Figure("cases_on_time", "按时办结件数"),
    Figure("on_time_pct", "按时办结率", "%", 1),
    Figure("overdue_now", "当前超期件数"),
    Figure("workdays_avg", "平均办结用时", "工作日", 2),
    Figure("rating_avg", "平均满意度", "分", 2),
    Figure("complaints", "投诉数"),
    Figure("trainings", "代办员培训次数"),
    Figure("inspections", "督导检查次数", levels=AREA_LEVELS),
    Figure("inspection_score", "最近督导检查得分", "%", 1, levels=AREA_LEVELS),
)
FIGURES_BY_KEY = {f.key: f for f in FIGURES}


def figures_for(level: str) -> list[Figure]:
    return [f for f in FIGURES if level in f.levels]


def visit_within_hours() -> float:
    return float(settings.SUPERVISION["VISIT_WITHIN_HOURS"])


# --- attribution: which unit a row of each source counts for ----------------------------------

# every area with the id of its unit at %(level)s (itself, its parent or its grandparent)
AREA_UNITS = """
    SELECT a.id AS area_id,
           CASE %(level)s WHEN a.level THEN a.id WHEN p.level THEN p.id WHEN pp.level THEN pp.id
           END AS unit_id
    FROM geo_area a
    LEFT JOIN geo_area p ON p.id = a.parent_id
    LEFT JOIN geo_area pp ON pp.id = p.parent_id
"""

# a case's grid: its appointment's, else the active grid covering its location (smallest code
# on a shared edge, as geo.selectors decides); needs `c` (the case)
CASE_GRID = """
    LEFT JOIN appointments_appointment ca ON ca.id = c.appointment_id
    LEFT JOIN LATERAL (
        SELECT g.id FROM geo_grid g
        WHERE ca.grid_id IS NULL AND c.location IS NOT NULL AND g.retired_at IS NULL
          AND ST_Covers(g.boundary, c.location)
        ORDER BY g.code
        LIMIT 1
    ) cg ON true
"""


@dataclass(frozen=True)
class Attribution:
    """Per level: the joins a source needs and the SQL expression of its unit id. For area
    levels the expression is the row's area id, mapped to its unit through AREA_UNITS."""

    agent: tuple[str, str] | None
    grid: tuple[str, str] | None
    area: tuple[str, str]

    def at(self, level: str) -> tuple[str, str]:
        if level == Level.AGENT:
            return self.agent
        if level == Level.GRID:
            return self.grid
        joins, area_id = self.area
        return f"{joins} JOIN ({AREA_UNITS}) u ON u.area_id = {area_id}", "u.unit_id"


APPOINTMENT_AREA = (
    """
    LEFT JOIN geo_grid ag ON ag.id = a.grid_id
    LEFT JOIN geo_servicecentre aq ON aq.id = a.queue_centre_id
    LEFT JOIN people_staff ast ON ast.id = a.agent_id
    LEFT JOIN geo_servicecentre asc_ ON asc_.id = ast.centre_id
    """,
    "COALESCE(ag.community_id, aq.area_id, asc_.area_id)",
)

BY_APPOINTMENT = Attribution(
    agent=("", "a.agent_id"), grid=("", "a.grid_id"), area=APPOINTMENT_AREA
)
BY_ROUTED_AGENT = Attribution(
    agent=("", "d.agent_id"), grid=("", "a.grid_id"), area=APPOINTMENT_AREA
)
BY_CASE = Attribution(
    agent=("", "c.responsible_id"),
    grid=(CASE_GRID, "COALESCE(ca.grid_id, cg.id)"),
    area=("JOIN geo_servicecentre cc ON cc.id = c.centre_id", "cc.area_id"),
)
BY_COMPLAINT = Attribution(
    agent=(
        "LEFT JOIN cases_case fc ON fc.id = f.case_id",
        "COALESCE(f.staff_id, fc.responsible_id)",
    ),
    grid=("LEFT JOIN cases_case c ON c.id = f.case_id " + CASE_GRID, "COALESCE(ca.grid_id, cg.id)"),
    area=(
        """
        LEFT JOIN cases_case fc ON fc.id = f.case_id
        LEFT JOIN people_staff fs ON fs.id = f.staff_id
        LEFT JOIN geo_servicecentre fsc ON fsc.id = fs.centre_id
        LEFT JOIN geo_servicecentre fcc ON fcc.id = fc.centre_id
        """,
        "COALESCE(fsc.area_id, fcc.area_id)",
    ),
)
BY_TRAINING = Attribution(
    agent=("", "t.staff_id"),
    grid=(
        """
        JOIN people_gridassignment ga ON ga.staff_id = t.staff_id
         AND ga.valid_from <= t.date AND (ga.valid_to IS NULL OR ga.valid_to > t.date)
        """,
        "ga.grid_id",
    ),
    area=("JOIN geo_servicecentre tc ON tc.id = ts.centre_id", "tc.area_id"),
)


# --- the statements -------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    sql: str  # with {joins} and {unit}
    attribution: Attribution | None  # None: area levels only, joins written in
    levels: tuple[str, ...] = LEVELS


APPOINTMENTS = Statement(
    """
    SELECT unit_id, appointments, routed_in_grid,
           round(100.0 * routed_in_grid / NULLIF(appointments, 0), 1) AS routed_in_grid_pct,
           visits_due, visits_in_time,
           round(100.0 * visits_in_time / NULLIF(visits_due, 0), 1) AS visits_in_time_pct
    FROM (
        SELECT {unit} AS unit_id,
               count(*) AS appointments,
               count(*) FILTER (
                   WHERE d.rule = 'grid_member' OR (d.rule = 'first_inquiry' AND a.grid_id IS NOT NULL)
               ) AS routed_in_grid,
               count(*) FILTER (WHERE a.status = ANY(%(taken)s) AND a.channel <> 'desk') AS visits_due,
               count(*) FILTER (
                   WHERE a.status = ANY(%(taken)s) AND a.channel <> 'desk' AND EXISTS (
                       SELECT 1 FROM visits_visit v
                       LEFT JOIN cases_case vc ON vc.id = v.case_id
                       WHERE (v.appointment_id = a.id OR vc.appointment_id = a.id)
                         AND v.checked_in_at <= GREATEST(a.created_at, a.preferred_start)
                                                + %(visit_hours)s * interval '1 hour'
                   )
               ) AS visits_in_time
        FROM appointments_appointment a
        LEFT JOIN LATERAL (
            SELECT rd.rule FROM appointments_routingdecision rd
            WHERE rd.appointment_id = a.id
            ORDER BY rd.created_at DESC, rd.id DESC
            LIMIT 1
        ) d ON true
        {joins}
        WHERE a.created_at >= %(start)s AND a.created_at < %(end)s AND {unit} = ANY(%(units)s)
        GROUP BY 1
    ) x
    """,
    BY_APPOINTMENT,
)

ANSWERS = Statement(
    """
    SELECT {unit} AS unit_id,
           round(avg(extract(epoch FROM ans.at - d.created_at))::numeric / 60, 1) AS answer_minutes
    FROM appointments_routingdecision d
    JOIN appointments_appointment a ON a.id = d.appointment_id
    JOIN people_staff ds ON ds.id = d.agent_id
    JOIN LATERAL (
        SELECT e.at FROM appointments_appointmentevent e
        WHERE e.appointment_id = d.appointment_id AND e.action IN ('confirm', 'decline')
          AND e.actor_id = ds.user_id AND e.at >= d.created_at
        ORDER BY e.at, e.id
        LIMIT 1
    ) ans ON true
    {joins}
    WHERE d.rule <> 'first_inquiry'
      AND a.created_at >= %(start)s AND a.created_at < %(end)s AND {unit} = ANY(%(units)s)
    GROUP BY 1
    """,
    BY_ROUTED_AGENT,
)

_RETURNED = "c.returned_at >= %(start)s AND c.returned_at < %(end)s"
_LOCAL_DAY = "(c.{} AT TIME ZONE 'Asia/Shanghai')::date"

CASES = Statement(
    f"""
    SELECT unit_id, cases_accepted, cases_completed, cases_on_time,
           round(100.0 * cases_on_time / NULLIF(cases_completed, 0), 1) AS on_time_pct,
           overdue_now, round(workdays_avg, 2) AS workdays_avg, round(rating_avg, 2) AS rating_avg
    FROM (
        SELECT {{unit}} AS unit_id,
               count(*) FILTER (
                   WHERE c.accepted_at >= %(start)s AND c.accepted_at < %(end)s
               ) AS cases_accepted,
               count(*) FILTER (WHERE {_RETURNED}) AS cases_completed,
               count(*) FILTER (
                   WHERE {_RETURNED} AND {_LOCAL_DAY.format("returned_at")} <= c.due_date
               ) AS cases_on_time,
               count(*) FILTER (
                   WHERE c.status = ANY(%(running)s) AND c.due_date < %(today)s
               ) AS overdue_now,
               avg(workdays_count({_LOCAL_DAY.format("accepted_at")},
                                  {_LOCAL_DAY.format("returned_at")}))
                   FILTER (WHERE {_RETURNED}) AS workdays_avg,
               avg(c.rating) FILTER (
                   WHERE c.closed_at >= %(start)s AND c.closed_at < %(end)s
               ) AS rating_avg
        FROM cases_case c
        {{joins}}
        WHERE {{unit}} = ANY(%(units)s)
          AND (c.accepted_at >= %(start)s AND c.accepted_at < %(end)s
               OR {_RETURNED}
               OR c.closed_at >= %(start)s AND c.closed_at < %(end)s
               OR c.status = ANY(%(running)s) AND c.due_date < %(today)s)
        GROUP BY 1
    ) x
    """,
    BY_CASE,
)

COMPLAINTS = Statement(
    """
    SELECT {unit} AS unit_id, count(DISTINCT f.id) AS complaints
    FROM feedback_complaint f
    {joins}
    WHERE f.created_at >= %(start)s AND f.created_at < %(end)s AND {unit} = ANY(%(units)s)
    GROUP BY 1
    """,
    BY_COMPLAINT,
)

TRAININGS = Statement(
    """
    SELECT {unit} AS unit_id, count(DISTINCT t.id) AS trainings
    FROM people_training t
    JOIN people_staff ts ON ts.id = t.staff_id
    {joins}
    WHERE ts.roles @> ARRAY[%(agent_role)s]::varchar(20)[]
      AND t.date >= %(first)s AND t.date <= %(last)s AND {unit} = ANY(%(units)s)
    GROUP BY 1
    """,
    BY_TRAINING,
)

INSPECTIONS = Statement(
    f"""
    WITH latest AS (
        SELECT DISTINCT ON (i.centre_id) i.centre_id, 100.0 * i.total / i.max_total AS pct
        FROM supervision_inspection i
        WHERE i.date <= %(last)s
        ORDER BY i.centre_id, i.date DESC, i.id DESC
    ), counted AS (
        SELECT i.centre_id, count(*) AS n
        FROM supervision_inspection i
        WHERE i.date >= %(first)s AND i.date <= %(last)s
        GROUP BY 1
    )
    SELECT u.unit_id, COALESCE(sum(counted.n), 0)::integer AS inspections,
           round(avg(latest.pct), 1) AS inspection_score
    FROM geo_servicecentre ic
    JOIN ({AREA_UNITS}) u ON u.area_id = ic.area_id
    LEFT JOIN latest ON latest.centre_id = ic.id
    LEFT JOIN counted ON counted.centre_id = ic.id
    WHERE u.unit_id = ANY(%(units)s)
    GROUP BY 1
    """,
    None,
    AREA_LEVELS,
)

STATEMENTS = (APPOINTMENTS, ANSWERS, CASES, COMPLAINTS, TRAININGS, INSPECTIONS)


def _plain(value: Any) -> Any:
    """Numbers as JSON carries them: Decimal → float (already rounded in SQL)."""
    return float(value) if isinstance(value, Decimal) else value


def empty(level: str) -> dict[str, Any]:
    """A unit with nothing: counts are zero, shares and averages undefined (None)."""
    return {f.key: 0 if f.is_count else None for f in figures_for(level)}


def compute(
    level: str, unit_ids: Iterable[int], period: Period, *, today: date
) -> dict[int, dict[str, Any]]:
    """Every figure of the level for each unit id, over the period; `today` decides what is
    overdue now. One aggregate statement per source."""
    ids = sorted(set(unit_ids))
    result = {unit_id: empty(level) for unit_id in ids}
    if not ids:
        return result
    params = {
        "level": level,
        "units": ids,
        "start": period.start,
        "end": period.end,
        "first": period.first,
        "last": period.last,
        "today": today,
        "running": [str(s) for s in RUNNING],
        "taken": ["confirmed", "in_case"],
        "visit_hours": visit_within_hours(),
        "agent_role": str(Role.AGENT),
    }
    with read_connection().cursor() as cursor:  # a replica on a routed GET (ADR 0031)
        for statement in STATEMENTS:
            if level not in statement.levels:
                continue
            if statement.attribution is None:
                sql = statement.sql
            else:
                joins, unit = statement.attribution.at(level)
                sql = statement.sql.format(joins=joins, unit=unit)
            cursor.execute(sql, params)
            columns = [c.name for c in cursor.description][1:]
            for unit_id, *values in cursor.fetchall():
                if unit_id in result:
                    result[unit_id].update(zip(columns, map(_plain, values), strict=True))
    return result
