"""Every hour: delete expired idempotency records (the middleware ignores them already)."""

from django.db import migrations

NAME = "idempotency.purge_expired"
FUNC = "idempotency.tasks.purge_expired"


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        name=NAME, defaults={"func": FUNC, "schedule_type": "H", "repeats": -1}
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("idempotency", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
