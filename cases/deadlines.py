"""Time-limited completion (限时办结): the due date in working days and the light.

due = acceptance day + the item version's proxy limit in working days (the acceptance day is
not counted). The light, for a case whose deadline is running: red once the due date has
passed, yellow from 80 % of the limit elapsed (in working days), green before. The light is
computed in SQL only (`light_sql`, one query for one case or a list); which days are working
days is decided only by the workdays app. The escalation sweep uses the same thresholds.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db.models import CharField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from workdays.calendar import Answer, add_workdays, local_date

from .models import RUNNING

GREEN, YELLOW, RED = "green", "yellow", "red"


def yellow_percent() -> int:
    return settings.CASES["YELLOW_PERCENT"]


def due_date(accepted_at: datetime, limit_days: int) -> Answer:
    """The due date, and whether it lies in a year without a published holiday schedule."""
    return add_workdays(accepted_at, limit_days)


def light_sql(today: date) -> RawSQL:
    """The same light as an annotation for querysets of cases (one query for a whole list)."""
    running = ", ".join(f"'{s}'" for s in RUNNING)
    return RawSQL(
        f"""CASE
          WHEN cases_case.status NOT IN ({running}) OR cases_case.due_date IS NULL THEN NULL
          WHEN %s::date > cases_case.due_date THEN 'red'
          WHEN workdays_count((cases_case.accepted_at AT TIME ZONE 'Asia/Shanghai')::date, %s::date)
               * 100 >= (SELECT v.proxy_limit_days FROM catalogue_serviceitemversion v
                         WHERE v.id = cases_case.item_version_id) * %s THEN 'yellow'
          ELSE 'green' END""",
        [today, today, yellow_percent()],
        output_field=CharField(),
    )


def today() -> date:
    return local_date(timezone.now())
