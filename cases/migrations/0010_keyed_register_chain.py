"""The keyed register chain (ADR 0022): each entry records its hash scheme and key id (existing
entries are plain SHA-256, never rewritten); published register heads, append-only like the
entries and the applicant copies, recorded by a daily schedule."""

import django.db.models.deletion
from django.db import migrations, models

from core.sqlfiles import RunSQLFile

SCHEDULE = "cases.publish_register_heads"


def schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        name=SCHEDULE,
        defaults={
            "func": "cases.tasks.publish_register_heads",
            "schedule_type": "D",
            "repeats": -1,
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0009_applicant_copy'),
        ('geo', '0003_sql_files'),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name='registerentry',
            name='key_id',
            field=models.CharField(blank=True, help_text='Which chain key made the hash (keyed entries).', max_length=32),
        ),
        migrations.AddField(
            model_name='registerentry',
            name='scheme',
            field=models.CharField(choices=[('sha256', 'SHA-256, unkeyed'), ('hmac-sha256', 'HMAC-SHA256 with the register chain key')], default='sha256', max_length=12),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name='RegisterHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('published_on', models.DateField()),
                ('published_at', models.DateTimeField()),
                ('year', models.PositiveSmallIntegerField()),
                ('serial', models.PositiveIntegerField()),
                ('hash', models.CharField(max_length=64)),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='geo.servicecentre')),
                ('entry', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.registerentry')),
            ],
            options={
                'ordering': ['-published_on', 'centre'],
                'constraints': [models.UniqueConstraint(fields=('centre', 'published_on'), name='register_head_daily')],
            },
        ),
        RunSQLFile("cases", "cases_issued_append_only.sql", digest="6d5b67dcf1d9"),
        migrations.RunPython(schedule, unschedule),
    ]
