"""Working-day arithmetic in Asia/Shanghai: is a day a working day, add N working days,
count working days between two dates. Each answer says whether it is provisional (it touched a
year whose holiday schedule is not published yet).

Which days are working days is decided in one place, the SQL table function `workdays_days`
(`workdays/sql/workdays_days.sql`; `workdays_is_workday` answers for one day), which routing plans into its
ranking; this module asks it for a whole range in one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.utils import timezone

from .models import CalendarYear


@dataclass(frozen=True)
class Answer:
    value: object
    provisional: bool


def local_date(moment: datetime | date) -> date:
    """The calendar date of a moment in the service's time zone (Asia/Shanghai)."""
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date()
    return moment


class _Window:
    """Which days of a range are working days, and whether any is in an unpublished year."""

    def __init__(self, start: date, end: date) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT d::date, workdays_is_workday(d::date) "
                "FROM generate_series(%s::date, %s::date, interval '1 day') AS d",
                [start, end],
            )
            self.workdays = dict(cursor.fetchall())
        self.published = set(
            CalendarYear.objects.filter(
                year__gte=start.year, year__lte=end.year, published=True
            ).values_list("year", flat=True)
        )
        self.provisional = False

    def is_workday(self, day: date) -> bool:
        if day.year not in self.published:
            self.provisional = True
        return self.workdays[day]


def is_workday(day: date | datetime) -> Answer:
    day = local_date(day)
    window = _Window(day, day)
    return Answer(window.is_workday(day), window.provisional)


def add_workdays(start: date | datetime, n: int) -> Answer:
    """The date N working days after `start` (the start day itself is not counted).

    add_workdays(Friday, 1) is the next Monday, unless that is a holiday.
    """
    day = local_date(start)
    if n < 0:
        raise ValueError("n must be zero or more")
    window = _Window(day, day + timedelta(days=n * 3 + 40))
    while n > 0:
        day += timedelta(days=1)
        if window.is_workday(day):
            n -= 1
    return Answer(day, window.provisional)


def workdays_between(start: date | datetime, end: date | datetime) -> Answer:
    """Working days after `start` up to and including `end` (0 if end <= start)."""
    first, last = local_date(start), local_date(end)
    if last <= first:
        return Answer(0, False)
    window = _Window(first, last)
    count = 0
    day = first
    while day < last:
        day += timedelta(days=1)
        if window.is_workday(day):
            count += 1
    return Answer(count, window.provisional)


def workdays_in_range(first: date, last: date) -> Answer:
    """Every working day from `first` to `last` inclusive."""
    window = _Window(first, last)
    days = []
    day = first
    while day <= last:
        if window.is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return Answer(days, window.provisional)
