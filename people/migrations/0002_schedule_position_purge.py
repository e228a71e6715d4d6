"""The daily django-q2 schedule that forgets old positions (PIPL)."""

from django.db import migrations


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name="people.purge_positions",
        defaults={"func": "people.tasks.purge_positions", "schedule_type": "D", "repeats": -1},
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="people.purge_positions").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
