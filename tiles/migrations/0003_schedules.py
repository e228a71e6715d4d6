"""Every minute: recompute the gaps of communities whose grids changed and have been quiet
(the debounce), and compact the generation bumps."""

from django.db import migrations

SCHEDULES = {
    "tiles.gaps_refresh": "tiles.tasks.gaps_refresh",
    "tiles.generations_compact": "tiles.tasks.generations_compact",
}


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func in SCHEDULES.items():
        Schedule.objects.get_or_create(
            name=name,
            defaults={"func": func, "schedule_type": "I", "minutes": 1, "repeats": -1},
        )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=SCHEDULES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tiles", "0002_triggers"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
