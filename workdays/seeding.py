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


@transaction.atomic
def seed_from_library(years: set[int] | None = None) -> dict[int, int]:
    """Load every year the library knows (or only `years`); returns days loaded per year.

    A year already edited by an administrator is reloaded only when asked for explicitly.
    """
    from chinese_calendar import constants

    rows: dict[int, list[SpecialDay]] = {}
    for table, kind in ((constants.holidays, "holiday"), (constants.workdays, "workday")):
        for day, holiday in table.items():
            if years is not None and day.year not in years:
                continue
            name = str(holiday)
            rows.setdefault(day.year, []).append(
                SpecialDay(date=day, kind=kind, name=NAMES_ZH.get(name, name))
            )
    existing = set(CalendarYear.objects.values_list("year", flat=True))
    loaded = {}
    for year, days in sorted(rows.items()):
        if year in existing and (years is None or year not in years):
            continue
        SpecialDay.objects.filter(date__year=year).delete()
        SpecialDay.objects.bulk_create(days)
        CalendarYear.objects.update_or_create(
            year=year, defaults={"published": True, "source": "chinesecalendar library"}
        )
        loaded[year] = len(days)
    return loaded
