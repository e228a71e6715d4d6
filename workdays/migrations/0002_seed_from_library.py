"""Load the holiday schedules the chinesecalendar library knows, so every installation has a
calendar from its first migrate (administrators add new years later)."""

from django.db import migrations


def seed(apps, schema_editor):
    from chinese_calendar import constants

    from workdays.seeding import NAMES_ZH

    SpecialDay = apps.get_model("workdays", "SpecialDay")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    rows = {}
    for table, kind in ((constants.holidays, "holiday"), (constants.workdays, "workday")):
        for day, name in table.items():
            rows[day] = SpecialDay(date=day, kind=kind, name=NAMES_ZH.get(str(name), str(name)))
    SpecialDay.objects.bulk_create(rows.values(), ignore_conflicts=True)
    for year in sorted({day.year for day in rows}):
        CalendarYear.objects.get_or_create(
            year=year, defaults={"published": True, "source": "chinesecalendar library"}
        )


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
