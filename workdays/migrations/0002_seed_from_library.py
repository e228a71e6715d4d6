"""Load the holiday schedules the chinesecalendar library knows, so every installation has a
calendar from its first migrate (administrators add new years later)."""

from django.db import migrations


def seed(apps, schema_editor):
    from workdays.seeding import seed_from_library

    seed_from_library(
        special_day=apps.get_model("workdays", "SpecialDay"),
        calendar_year=apps.get_model("workdays", "CalendarYear"),
    )


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
