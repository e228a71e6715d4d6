"""The shared database cache table (login brake, django-q2 cluster stats) comes with migrate,
so any database that is migrated has it."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_devicetoken")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
