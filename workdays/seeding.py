"""Seed the calendar from the maintained chinesecalendar library (holidays and 调休 days)."""

from __future__ import annotations

from django.db import transaction

from .models import CalendarYear, SpecialDay

NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def library_days(years: set[int] | None = None):
    """(date, kind, Chinese name) for every special day the chinesecalendar library knows."""
    from chinese_calendar import constants

    for table, kind in ((constants.holidays, "holiday"), (constants.workdays, "workday")):
        for day, name in table.items():
            if years is None or day.year in years:
                yield day, kind, NAMES_ZH.get(str(name), str(name))


@transaction.atomic
def seed_from_library(
    years: set[int] | None = None, *, special_day=SpecialDay, calendar_year=CalendarYear
) -> dict[int, int]:
    """Load every year the library knows (or only `years`); returns days loaded per year.

    A year already in the calendar (perhaps edited by an administrator) is reloaded only when
    asked for explicitly. The model classes are parameters so the data migration can pass its
    historical ones.
    """
    rows: dict[int, list] = {}
    for day, kind, name in library_days(years):
        rows.setdefault(day.year, []).append(special_day(date=day, kind=kind, name=name))
    existing = set(calendar_year.objects.values_list("year", flat=True))
    loaded = {}
    for year, days in sorted(rows.items()):
        if year in existing and (years is None or year not in years):
            continue
        special_day.objects.filter(date__year=year).delete()
        special_day.objects.bulk_create(days)
        calendar_year.objects.update_or_create(
            year=year, defaults={"published": True, "source": "chinesecalendar library"}
        )
        loaded[year] = len(days)
    return loaded
